#include "dns/message.h"

#include <gtest/gtest.h>

#include "net/ip.h"

namespace forest::dns {
namespace {

// A query as a stub resolver sends it.
std::string Wire(uint16_t id, const std::string& name, uint16_t type, int edns_size = 0) {
  Query q;
  q.id = id;
  q.recursion_desired = true;
  q.question = Question{name, type, kClassIn};
  if (edns_size) q.edns = Edns{static_cast<uint16_t>(edns_size), true, 0};
  return SerializeQuery(q);
}

TEST(DnsMessage, ParsesAQuery) {
  auto q = ParseQuery(Wire(0x1234, "C0-2-1.Incus", kAaaa, 4096));
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->id, 0x1234);
  EXPECT_TRUE(q->recursion_desired);
  EXPECT_EQ(q->question.name, "c0-2-1.incus");  // lower-cased
  EXPECT_EQ(q->question.type, kAaaa);
  ASSERT_TRUE(q->edns);
  EXPECT_EQ(q->edns->udp_size, 4096);
  EXPECT_TRUE(q->edns->dnssec_ok);
}

TEST(DnsMessage, TheQuestionIsEchoedInTheCaseItWasAsked) {
  // DNS 0x20: a resolver randomises the case and drops replies that differ.
  auto q = ParseQuery(Wire(9, "aUtH.C0-2-1.iNcUs", kAaaa));
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->question.name, "auth.c0-2-1.incus");
  EXPECT_EQ(q->question.asked, "aUtH.C0-2-1.iNcUs");
  Response r;
  r.id = q->id;
  r.question = q->question;
  auto a = *net::Ipv6Address::Parse("fd00:1110::1");
  r.answers.push_back({"auth.c0-2-1.incus", kAaaa, kClassIn, 30, AaaaData(a.bytes)});
  std::string w = Serialize(r);
  EXPECT_NE(w.find("\x04" "aUtH" "\x06" "C0-2-1" "\x05" "iNcUs"), std::string::npos);
  auto back = ParseResponse(w);
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_TRUE(back->question);
  EXPECT_EQ(back->question->asked, "aUtH.C0-2-1.iNcUs");
  EXPECT_EQ(back->question->name, "auth.c0-2-1.incus");  // matched without case
  ASSERT_EQ(back->answers.size(), 1u);
  EXPECT_EQ(back->answers[0].name, "auth.c0-2-1.incus");
  // The answer's owner points at the question, so it reads in the asked case.
  EXPECT_NE(w.find("\xc0\x0c"), std::string::npos);
}

TEST(DnsMessage, RefusesMalformed) {
  EXPECT_FALSE(ParseQuery("").ok());
  EXPECT_FALSE(ParseQuery(std::string(11, '\0')).ok());
  std::string two = Wire(1, "a.incus", kA);
  two[5] = 2;  // qdcount 2
  EXPECT_NE(ParseQuery(two).error().message.find("exactly one question"), std::string::npos);
  std::string response = Wire(1, "a.incus", kA);
  response[2] = static_cast<char>(response[2] | 0x80);
  EXPECT_NE(ParseQuery(response).error().message.find("a response"), std::string::npos);
  // A pointer to itself (a loop) and a forward pointer.
  std::string loop = std::string("\0\1\0\0\0\1\0\0\0\0\0\0", 12) + "\xc0\x0c" + std::string("\0\1\0\1", 4);
  EXPECT_NE(ParseQuery(loop).error().message.find("backwards"), std::string::npos);
  std::string cut = Wire(1, "a.incus", kA);
  cut.resize(cut.size() - 3);
  EXPECT_FALSE(ParseQuery(cut).ok());
  // A label of 64 or more is not a label length.
  std::string bad = std::string("\0\1\0\0\0\1\0\0\0\0\0\0", 12) + "\x40" + std::string(64, 'a') + std::string("\0\0\1\0\1", 5);
  EXPECT_FALSE(ParseQuery(bad).ok());
}

TEST(DnsMessage, NamesLongerThan255OctetsAreRefused) {
  std::string w = std::string("\0\1\0\0\0\1\0\0\0\0\0\0", 12);
  for (int i = 0; i < 5; ++i) w += "\x3f" + std::string(63, 'a');
  w += std::string("\0\0\1\0\1", 5);
  EXPECT_NE(ParseQuery(w).error().message.find("255"), std::string::npos);
}

TEST(DnsMessage, OddBytesInLabelsAreEscapedNotMatched) {
  std::string w = std::string("\0\1\0\0\0\1\0\0\0\0\0\0", 12) + "\x03" + "a.b" + "\x05incus" +
                  std::string("\0\0\x1c\0\1", 5);
  auto q = ParseQuery(w);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->question.name, "a\\046b.incus");
}

TEST(DnsMessage, ResponseRoundTripWithCompression) {
  Response r;
  r.id = 7;
  r.authoritative = true;
  r.question = Question{"c0.incus", kAaaa, kClassIn};
  auto a = *net::Ipv6Address::Parse("fd00:1000::1");
  r.answers.push_back({"c0.incus", kAaaa, kClassIn, 30, AaaaData(a.bytes)});
  r.authority.push_back({"incus", kNs, kClassIn, 30, NameData("forest-dns.incus")});
  r.edns = Edns{1232, false, 0};
  std::string w = Serialize(r);
  // The answer's owner is a pointer to the question's name.
  EXPECT_NE(w.find("\xc0\x0c"), std::string::npos);
  auto back = ParseResponse(w);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id, 7);
  EXPECT_TRUE(back->authoritative);
  ASSERT_EQ(back->answers.size(), 1u);
  EXPECT_EQ(back->answers[0].name, "c0.incus");
  EXPECT_EQ(back->answers[0].rdata, AaaaData(a.bytes));
  ASSERT_EQ(back->authority.size(), 1u);
  EXPECT_EQ(back->authority[0].rdata, NameData("forest-dns.incus"));
  ASSERT_TRUE(back->edns);
  EXPECT_EQ(back->edns->udp_size, 1232);
}

TEST(DnsMessage, TruncatesWholeSectionsAndSetsTc) {
  Response r;
  r.id = 9;
  r.question = Question{"many.incus", kAaaa, kClassIn};
  auto a = *net::Ipv6Address::Parse("fd00::1");
  for (int i = 0; i < 40; ++i) {
    a.bytes[15] = static_cast<uint8_t>(i);
    r.answers.push_back({"many.incus", kAaaa, kClassIn, 30, AaaaData(a.bytes)});
  }
  std::string full = Serialize(r);
  EXPECT_GT(full.size(), 512u);
  std::string cut = Serialize(r, 512);
  EXPECT_LE(cut.size(), 512u);
  auto back = ParseResponse(cut);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->truncated);
  EXPECT_TRUE(back->answers.empty());
  ASSERT_TRUE(back->question);
  EXPECT_EQ(back->question->name, "many.incus");
}

TEST(DnsMessage, ReverseNames) {
  auto a = *net::Ipv6Address::Parse("fd00:1110::1");
  std::string n = ReverseName(a.bytes);
  EXPECT_EQ(n, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.1.1.0.0.d.f.ip6.arpa");
  auto back = FromReverseName(n);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, a.bytes);
  EXPECT_FALSE(FromReverseName("1.0.ip6.arpa"));
  EXPECT_FALSE(FromReverseName(std::string(n).replace(0, 1, "g")));
}

TEST(DnsMessage, SerializeQueryRoundTripsThroughTheQueryParser) {
  Query q;
  q.id = 0x1234;
  q.recursion_desired = true;
  q.question = {"v4only.example", kA, kClassIn};
  auto back = ParseQuery(SerializeQuery(q));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id, 0x1234);
  EXPECT_TRUE(back->recursion_desired);
  EXPECT_EQ(back->question.name, "v4only.example");
  EXPECT_EQ(back->question.type, kA);
}

}  // namespace
}  // namespace forest::dns
