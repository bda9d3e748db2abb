#include "api/helper_api.h"

#include <gtest/gtest.h>

namespace forest::api {
namespace {

TEST(SignRequest, RoundTripsAndRefusesWhatIsNotOne) {
  SignRequest r{"-----BEGIN CERTIFICATE REQUEST-----\n", {"", "auth.app"}, true};
  auto back = ParseSignRequest(SerializeSignRequest(r));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->csr_pem, r.csr_pem);
  EXPECT_EQ(back->label_paths, r.label_paths);
  EXPECT_TRUE(back->client);
  EXPECT_FALSE(ParseSignRequest("[]").ok());
  EXPECT_EQ(ParseSignRequest(R"({"label_paths":[]})").error().message, "csr: expected the PEM text of a CSR");
  EXPECT_NE(ParseSignRequest(R"({"csr":"x"})").error().message.find("label_paths"), std::string::npos);
  EXPECT_EQ(ParseSignRequest(R"({"csr":"x","label_paths":[1]})").error().message,
            "label_paths[0]: expected a string");
  EXPECT_EQ(ParseSignRequest(R"({"csr":"x","label_paths":[],"client":"yes"})").error().message,
            "client: expected true or false");
  EXPECT_FALSE(ParseSignRequest(std::string(kMaxSignRequestBytes + 1, ' ')).ok());
}

TEST(SignReply, RoundTripsAndSaysWhatIsMissing) {
  SignReply s;
  s.certificate = "C";
  s.root = "R";
  s.serial = "0a";
  s.caller = "c0-2.c0.incus";
  s.names = {"c0-2.c0.incus", "c0-2.incus"};
  s.withheld = {"x.incus"};
  s.not_before = 10;
  s.not_after = 20;
  auto back = ParseSignReply(ToJson(s).dump());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->certificate, "C");
  EXPECT_EQ(back->caller, "c0-2.c0.incus");
  EXPECT_EQ(back->names, s.names);
  EXPECT_EQ(back->withheld, s.withheld);
  EXPECT_EQ(back->not_before, 10);
  EXPECT_EQ(back->not_after, 20);
  // An older helper's reply without not_before: 0, the caller reads the leaf.
  auto old = ParseSignReply(R"({"certificate":"c","root":"r","serial":"s","names":[],"not_after":5})");
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ(old->not_before, 0);
  for (const char* bad : {"", "[]", R"({"root":"r","serial":"s","names":[],"not_after":5})",
                          R"({"certificate":"c","root":"r","serial":"s","not_after":5})",
                          R"({"certificate":"c","root":"r","serial":"s","names":[1],"not_after":5})",
                          R"({"certificate":"c","root":"r","serial":"s","names":[],"not_after":"soon"})"}) {
    auto r = ParseSignReply(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("the forest CA answered something unexpected"), std::string::npos)
        << r.error().message;
  }
}

TEST(PublishReply, RoundTripsAndChecksTheSerial) {
  auto back = ParsePublishReply(ToJson(PublishReply{true, true, 4294967295u}).dump());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_TRUE(back->changed);
  EXPECT_EQ(back->serial, 4294967295u);
  EXPECT_FALSE(ParsePublishReply(R"({"accepted":true,"changed":false,"serial":4294967296})").ok());
  EXPECT_FALSE(ParsePublishReply(R"({"accepted":true,"changed":false,"serial":-1})").ok());
  EXPECT_FALSE(ParsePublishReply(R"({"accepted":"yes","changed":false,"serial":1})").ok());
  EXPECT_FALSE(ParsePublishReply("{").ok());
}

ForestReply View() {
  auto a = [](const char* s) { return *net::Ipv6Address::Parse(s); };
  auto p = [](const char* s) { return *net::Ipv6Prefix::Parse(s); };
  ForestReply f;
  f.serial = 1795000007;
  f.roots = {{"c0.incus", a("fd00:f00d:0:1::1"), p("fd00:1000::/20"), true},
             {"c1.incus", a("fd00:f00d:0:1::2"), p("fd00:2000::/20"), false}};
  f.nodes = {{"c0.incus", p("fd00:1000::/20"), a("fd00:f00d:0:1::1"), true}};
  f.names = {{"app.c0.incus", {a("fd00:1000::25"), a("fd00:1000::26")}, {"app.incus"}},
             {"c0.incus", {a("fd00:1000::1")}, {}}};
  return f;
}

TEST(ForestReply, RoundTripsInTheShapeTheHelperServes) {
  nlohmann::json j = ToJson(View());
  // The wire shape `forest tree --json` and the suites read.
  EXPECT_EQ(j["serial"], 1795000007u);
  EXPECT_EQ(
      j["roots"][0],
      nlohmann::json::parse(
          R"({"name":"c0.incus","uplink":"fd00:f00d:0:1::1","subtree":"fd00:1000::/20","published":true})"));
  EXPECT_EQ(
      j["nodes"][0],
      nlohmann::json::parse(
          R"({"name":"c0.incus","subtree":"fd00:1000::/20","next_hop":"fd00:f00d:0:1::1","ready":true})"));
  EXPECT_EQ(j["names"][0], nlohmann::json::parse(
                               R"({"name":"app.c0.incus","addresses":["fd00:1000::25","fd00:1000::26"],
                                   "aliases":["app.incus"]})"));
  EXPECT_EQ(j["names"][1]["aliases"], nlohmann::json::array());
  auto back = ParseForestReply(j.dump());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, View());
  j["later"] = 1;  // unknown fields: ignored
  EXPECT_TRUE(ParseForestReply(j.dump()).ok());
  EXPECT_EQ(ParseForestReply(ToJson(ForestReply{}).dump())->names.size(), 0u);
}

TEST(ForestReply, RefusesWhatIsNotAForestViewNamingTheField) {
  auto with = [](const char* pointer, nlohmann::json value) {
    nlohmann::json j = ToJson(View());
    j[nlohmann::json::json_pointer(pointer)] = std::move(value);
    return ParseForestReply(j.dump());
  };
  EXPECT_EQ(ParseForestReply("[]").error().message, "forest view: expected a JSON object");
  EXPECT_EQ(ParseForestReply("{").error().message, "forest view: expected a JSON object");
  EXPECT_EQ(with("/serial", -1).error().message, "forest view: serial: expected a zone serial");
  EXPECT_EQ(with("/serial", 4294967296u).error().message, "forest view: serial: expected a zone serial");
  EXPECT_EQ(with("/nodes", "no").error().message, "forest view: nodes: expected a list");
  EXPECT_EQ(with("/names/1", 1).error().message, "forest view: names[1]: expected an object");
  EXPECT_EQ(with("/names/0/aliases/0", 7).error().message,
            "forest view: names[0].aliases[0]: expected a name");
  EXPECT_EQ(with("/roots/1/published", "yes").error().message,
            "forest view: roots[1].published: expected true or false");
  EXPECT_EQ(with("/nodes/0/ready", nullptr).error().message,
            "forest view: nodes[0].ready: expected true or false");
  auto address = with("/names/0/addresses/1", "fd00::/64");
  ASSERT_FALSE(address.ok());
  EXPECT_EQ(address.error().message.rfind("forest view: names[0].addresses[1]: ", 0), 0u)
      << address.error().message;
  auto prefix = with("/roots/0/subtree", std::string(500, '1'));
  ASSERT_FALSE(prefix.ok());
  EXPECT_EQ(prefix.error().message, "forest view: roots[0].subtree: expected an IPv6 prefix");
  auto name = with("/names/0/name", "App.example.com");
  ASSERT_FALSE(name.ok());
  EXPECT_EQ(name.error().message.rfind("forest view: names[0].name: ", 0), 0u) << name.error().message;
  nlohmann::json missing = ToJson(View());
  missing["nodes"][0].erase("next_hop");
  EXPECT_EQ(ParseForestReply(missing.dump()).error().message, "forest view: nodes[0].next_hop: missing");
  EXPECT_FALSE(ParseForestReply(std::string(kMaxForestReplyBytes + 1, ' ')).ok());
}

TEST(ErrorBody, TheReasonOrTheBodyItself) {
  EXPECT_EQ(ErrorMessage(ErrorJson("no export yet").dump()), "no export yet");
  EXPECT_EQ(ErrorMessage("Bad Gateway"), "Bad Gateway");
  EXPECT_EQ(ErrorMessage(R"({"error":3})"), R"({"error":3})");
}

}  // namespace
}  // namespace forest::api
