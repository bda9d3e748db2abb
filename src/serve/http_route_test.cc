#include "serve/http_route.h"

#include <gtest/gtest.h>

namespace forest::http {
namespace {

Router Table(int* calls) {
  Router r;
  r.Add({"POST", "/v1/publish", 100,
         [calls](std::string_view source) -> Status {
           ++*calls;
           if (source == "fd00:f00d:0:1::1") return {};
           return MakeError("caller " + std::string(source) + " is not a root");
         },
         [](const Request&) { return JsonResponse(200, {{"ok", true}}); }});
  r.Add({"GET", "/healthz", 0, nullptr, [](const Request&) { return JsonResponse(200, {{"status", "ok"}}); }});
  return r;
}

TEST(Router, AdmitsTheRightCallerWithinTheBodyLimit) {
  int calls = 0;
  Router r = Table(&calls);
  auto a = r.Admit({"POST", "/v1/publish?x=1", "fd00:f00d:0:1::1", 100});
  ASSERT_NE(a.route, nullptr);
  EXPECT_FALSE(a.refusal);
  EXPECT_EQ(a.route->body_limit, 100u);
  EXPECT_EQ(a.route->handler(Request{}).status, 200);
  EXPECT_EQ(calls, 1);
}

TEST(Router, RefusesAStrangerBeforeLookingAtTheBodySize) {
  int calls = 0;
  Router r = Table(&calls);
  auto a = r.Admit({"POST", "/v1/publish", "fd00:1110::25", 32u << 20});
  ASSERT_TRUE(a.refusal);
  EXPECT_EQ(a.refusal->status, 403);
  EXPECT_NE(a.refusal->body.find("is not a root"), std::string::npos);
}

TEST(Router, TooBigBodyIs413) {
  int calls = 0;
  auto a = Table(&calls).Admit({"POST", "/v1/publish", "fd00:f00d:0:1::1", 101});
  ASSERT_TRUE(a.refusal);
  EXPECT_EQ(a.refusal->status, 413);
  EXPECT_NE(a.refusal->body.find("at most 100 bytes"), std::string::npos);
  auto get = Table(&calls).Admit({"GET", "/healthz", "x", 1});
  ASSERT_TRUE(get.refusal);
  EXPECT_EQ(get.refusal->status, 413);
}

TEST(Router, WrongMethodIs405WithAllowAndTheCallerIsNotAsked) {
  int calls = 0;
  auto a = Table(&calls).Admit({"GET", "/v1/publish", "fd00:1110::25", std::nullopt});
  ASSERT_TRUE(a.refusal);
  EXPECT_EQ(a.refusal->status, 405);
  ASSERT_EQ(a.refusal->headers.size(), 1u);
  EXPECT_EQ(a.refusal->headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
  EXPECT_EQ(calls, 0);
}

TEST(Router, UnknownPathIs404) {
  int calls = 0;
  auto a = Table(&calls).Admit({"GET", "/nope?x", "x", std::nullopt});
  ASSERT_TRUE(a.refusal);
  EXPECT_EQ(a.refusal->status, 404);
  EXPECT_NE(a.refusal->body.find("/nope"), std::string::npos);
}

TEST(Router, MaxBody) {
  int calls = 0;
  EXPECT_EQ(Table(&calls).max_body(), 100u);
}

TEST(JsonResponse, InvalidUtf8IsReplacedNotThrown) {
  Response r = ErrorResponse(400, std::string("bad \xff byte"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("bad \xef\xbf\xbd byte"), std::string::npos);  // U+FFFD
  EXPECT_EQ(r.body.back(), '\n');
}

}  // namespace
}  // namespace forest::http
