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

TEST(ErrorBody, TheReasonOrTheBodyItself) {
  EXPECT_EQ(ErrorMessage(ErrorJson("no export yet").dump()), "no export yet");
  EXPECT_EQ(ErrorMessage("Bad Gateway"), "Bad Gateway");
  EXPECT_EQ(ErrorMessage(R"({"error":3})"), R"({"error":3})");
}

}  // namespace
}  // namespace forest::api
