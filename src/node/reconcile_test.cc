#include "node/reconcile.h"

#include <gtest/gtest.h>

#include "node/test_plan.h"

namespace forest::node {
namespace {

using testing::Six;

std::string ChildExport(const char* record_name, const char* address) {
  registration::Export e;
  e.source_node = "c0-2-1";
  e.records = {{"c0-2-1.c0-2.c0.incus", Six("fd00:1110::1")}, {record_name, Six(address)}};
  e.route = {*net::Ipv6Prefix::Parse("fd00:1110::/28"), Six("fd00:1100:0:1::1"), true, "eth0"};
  return registration::Serialize(e);
}

ChildObservation Pulled(std::string text) {
  ChildObservation c;
  c.label = "c0-2-1";
  c.pulled = std::move(text);
  return c;
}

TEST(Reconciler, MergesAValidChildExport) {
  auto c = testing::SourceChain();
  Reconciler r(c->p, c->Node("c0-2.c0.incus"));
  std::vector<registration::Record> own = {{"c0-2.c0.incus", Six("fd00:1100::1")}};
  auto out = r.Apply(own, {Pulled(ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"))});
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.stored, std::vector<std::string>{"c0-2-1"});
  ASSERT_EQ(out.exported.records.size(), 3u);
  ASSERT_EQ(out.exported.descendants.size(), 1u);
  EXPECT_EQ(out.exported.descendants[0].name, "c0-2-1.c0-2.c0.incus");
  EXPECT_EQ(out.exported.route.subtree.ToString(), "fd00:1100::/24");
  // Same input again: nothing changes (idempotent, byte-identical).
  std::string before = r.exported_text();
  auto again = r.Apply(own, {Pulled(ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"))});
  EXPECT_FALSE(again.changed);
  EXPECT_TRUE(again.stored.empty());
  EXPECT_EQ(r.exported_text(), before);
}

TEST(Reconciler, RejectsForgedExportsWholeAndKeepsTheLastGood) {
  auto c = testing::SourceChain();
  Reconciler r(c->p, c->Node("c0-2.c0.incus"));
  std::vector<registration::Record> own = {{"c0-2.c0.incus", Six("fd00:1100::1")}};
  r.Apply(own, {Pulled(ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"))});
  std::string good = r.exported_text();
  // A sibling's (here: the parent's) name, then an address outside the prefix.
  for (auto forged : {ChildExport("c0-2.c0.incus", "fd00:1110::26"),
                      ChildExport("evil.c0-2-1.c0-2.c0.incus", "fd00:1000::66"), std::string("{not json")}) {
    auto out = r.Apply(own, {Pulled(forged)});
    EXPECT_FALSE(out.changed);
    EXPECT_EQ(r.exported_text(), good);
    ASSERT_EQ(out.log.size(), 1u);
    EXPECT_NE(out.log[0].find("rejected, last good kept"), std::string::npos) << out.log[0];
    EXPECT_EQ(out.rejected, 1u);
    EXPECT_TRUE(out.stored.empty());
  }
  // Wrong source_node.
  std::string other = ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25");
  other.replace(other.find("\"c0-2-1\""), 8, "\"c0-2-9\"");
  EXPECT_FALSE(r.Apply(own, {Pulled(other)}).changed);
}

TEST(Reconciler, AGoneChildLosesItsNamesAFailedPullKeepsThem) {
  auto c = testing::SourceChain();
  Reconciler r(c->p, c->Node("c0-2.c0.incus"));
  std::vector<registration::Record> own = {{"c0-2.c0.incus", Six("fd00:1100::1")}};
  r.Apply(own, {Pulled(ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"))});
  ChildObservation failed;
  failed.label = "c0-2-1";
  failed.pull_error = "timeout";
  auto kept = r.Apply(own, {failed});
  EXPECT_FALSE(kept.changed);
  EXPECT_EQ(kept.exported.records.size(), 3u);
  ChildObservation gone;
  gone.label = "c0-2-1";
  gone.exists = false;
  auto out = r.Apply(own, {gone});
  EXPECT_TRUE(out.changed);
  EXPECT_EQ(out.dropped, std::vector<std::string>{"c0-2-1"});
  EXPECT_EQ(out.exported.records.size(), 1u);
  EXPECT_TRUE(out.exported.descendants.empty());
}

TEST(Reconciler, NamesFollowLivenessAStoppedChildLosesThemAfterTheBound) {
  auto c = testing::SourceChain();
  Reconciler r(c->p, c->Node("c0-2.c0.incus"), Millis(30000));
  std::vector<registration::Record> own = {{"c0-2.c0.incus", Six("fd00:1100::1")}};
  std::string good = ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25");
  r.Apply(own, {Pulled(good)}, Millis(1000));
  ChildObservation stopped;
  stopped.label = "c0-2-1";
  stopped.running = false;
  // A restart is shorter than the bound: the names stay, and the reconciler
  // says when they would go: a bound after the child's last answer.
  auto first = r.Apply(own, {stopped}, Millis(2000));
  EXPECT_FALSE(first.changed);
  ASSERT_TRUE(first.next_withdrawal.has_value());
  EXPECT_EQ(first.next_withdrawal->count(), 31000);
  auto later = r.Apply(own, {stopped}, Millis(30999));
  EXPECT_FALSE(later.changed);
  EXPECT_EQ(later.exported.records.size(), 3u);
  // Silent for the whole bound: withdrawn, and the saved file goes too.
  auto gone = r.Apply(own, {stopped}, Millis(31000));
  EXPECT_TRUE(gone.changed);
  EXPECT_EQ(gone.dropped, std::vector<std::string>{"c0-2-1"});
  EXPECT_EQ(gone.exported.records.size(), 1u);
  EXPECT_FALSE(gone.next_withdrawal.has_value());
  ASSERT_FALSE(gone.log.empty());
  EXPECT_NE(gone.log.back().find("has not run for 30 s"), std::string::npos) << gone.log.back();
  // It runs and answers again: the names are back.
  auto back = r.Apply(own, {Pulled(good)}, Millis(40000));
  EXPECT_TRUE(back.changed);
  EXPECT_EQ(back.exported.records.size(), 3u);
}

TEST(Reconciler, FailingPullsWithdrawAfterTheBoundAnAnswerResetsTheClock) {
  auto c = testing::SourceChain();
  Reconciler r(c->p, c->Node("c0-2.c0.incus"), Millis(30000));
  std::vector<registration::Record> own = {{"c0-2.c0.incus", Six("fd00:1100::1")}};
  std::string good = ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25");
  r.Apply(own, {Pulled(good)}, Millis(0));
  ChildObservation hung;
  hung.label = "c0-2-1";
  hung.pull_error = "no answer within 2 s";
  ChildObservation quiet;  // not pulled this round: says nothing either way
  quiet.label = "c0-2-1";
  EXPECT_FALSE(r.Apply(own, {hung}, Millis(10000)).changed);
  EXPECT_FALSE(r.Apply(own, {quiet}, Millis(29000)).changed);
  // An answer (even an unchanged export) ends the spell.
  EXPECT_FALSE(r.Apply(own, {Pulled(good)}, Millis(29500)).changed);
  EXPECT_FALSE(r.Apply(own, {hung}, Millis(45000)).changed);
  EXPECT_FALSE(r.Apply(own, {hung}, Millis(59499)).changed);
  // The bound counts from the last answer (29.5 s), not the first failure.
  auto out = r.Apply(own, {hung}, Millis(59500));
  EXPECT_TRUE(out.changed);
  EXPECT_NE(out.log[0].find("has not answered for 30 s"), std::string::npos) << out.log[0];
  EXPECT_EQ(out.exported.records.size(), 1u);
  // A rejected export is an answer too, but it brings nothing back.
  auto lie = r.Apply(own, {Pulled(ChildExport("c0-2.c0.incus", "fd00:1110::26"))}, Millis(76000));
  EXPECT_FALSE(lie.changed);
  EXPECT_EQ(lie.rejected, 1u);
}

TEST(Reconciler, RestoreChecksLikeAPull) {
  auto c = testing::SourceChain();
  Reconciler r(c->p, c->Node("c0-2.c0.incus"));
  EXPECT_TRUE(r.Restore("c0-2-1", ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25")).ok());
  EXPECT_FALSE(r.Restore("c0-2-1", ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:2000::25")).ok());
  EXPECT_FALSE(r.Restore("stranger", ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25")).ok());
  EXPECT_EQ(r.children().size(), 1u);
}

TEST(NodeZone, AnswersTheSubtreeAndForwardsTheRest) {
  auto c = testing::SourceChain();
  const auto& self = c->Node("c0-2.c0.incus");
  Reconciler r(c->p, self);
  auto out = r.Apply({{"c0-2.c0.incus", Six("fd00:1100::1")}},
                     {Pulled(ChildExport("app.c0-2-1.c0-2.c0.incus", "fd00:1110::25"))});
  dns::Zone z(NodeZone(out.exported, self), false);
  auto ask = [&](const std::string& name) {
    dns::Query q;
    q.question = {name, dns::kAaaa, dns::kClassIn};
    return z.Respond(q);
  };
  auto a = ask("app.c0-2-1.c0-2.c0.incus");
  EXPECT_TRUE(a.ours);
  ASSERT_EQ(a.response.answers.size(), 1u);
  EXPECT_FALSE(ask("c0-2-1.incus").ours);       // aliases: only the helper decides
  EXPECT_FALSE(ask("forest-dns.incus").ours);   // the helper's names
  EXPECT_FALSE(ask("nope.c0-2.c0.incus").ours); // unknown here: ask upward, never deny
  EXPECT_FALSE(ask("incus").ours);              // the apex is the helper's
}

}  // namespace
}  // namespace forest::node
