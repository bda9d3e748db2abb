// The client's response handling against a scripted transport. The same
// paths run against a real incusd in tests/forest_up_test.sh (every forest
// up goes through them); this file pins the corner cases a live daemon
// rarely shows: wait timeouts, failed operations, 404s, non-JSON bodies.
#include "incus/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <deque>

#include <gtest/gtest.h>

#include "incus/api.h"

namespace forest::incus {
namespace {

struct Scripted : Transport {
  struct Call {
    std::string method, target, body;
    Headers headers;
  };
  std::deque<HttpResponse> replies;
  std::vector<Call> calls;
  Result<HttpResponse> Send(const std::string& method, const std::string& target,
                            const std::string& body, const Headers& headers, Deadline) override {
    calls.push_back({method, target, body, headers});
    if (replies.empty()) return MakeError("no scripted reply");
    HttpResponse r = replies.front();
    replies.pop_front();
    return r;
  }
};

HttpResponse Sync(const std::string& metadata) {
  return {200, R"({"type":"sync","status":"Success","status_code":200,"metadata":)" + metadata + "}"};
}
HttpResponse Async(const std::string& op) {
  return {202, R"({"type":"async","status":"Operation created","operation":")" + op + R"(","metadata":{}})"};
}
HttpResponse OpDone(const std::string& status, const std::string& extra = "") {
  return {200, R"({"type":"sync","metadata":{"status":")" + status + "\"" + extra + "}}"};
}

TEST(IncusClient, AddsProjectToEveryTarget) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Sync("[]"), Sync("{}")};
  Client c(t, "forest-x");
  ASSERT_TRUE(c.Get("/1.0/instances").ok());
  ASSERT_TRUE(c.Get("/1.0/instances?recursion=1").ok());
  EXPECT_EQ(t->calls[0].target, "/1.0/instances?project=forest-x");
  EXPECT_EQ(t->calls[1].target, "/1.0/instances?recursion=1&project=forest-x");
}

TEST(IncusClient, RemoveInstanceDevicePutsTheConfigWithoutIt) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Sync(R"({"name":"j","devices":{"forest-port-8080":{"type":"proxy"},"keep":{"type":"disk"}}})"),
                Sync("{}"), Sync(R"({"name":"j","devices":{"keep":{"type":"disk"}}})")};
  Client c(t);
  auto gone = RemoveInstanceDevice(c, "j", "forest-port-8080");
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  EXPECT_TRUE(*gone);
  ASSERT_EQ(t->calls.size(), 2u);
  EXPECT_EQ(t->calls[1].method, "PUT");
  auto body = Json::parse(t->calls[1].body);
  EXPECT_FALSE(body["devices"].contains("forest-port-8080"));
  EXPECT_TRUE(body["devices"].contains("keep"));
  auto again = RemoveInstanceDevice(c, "j", "forest-port-8080");  // absent: no PUT
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(t->calls.size(), 3u);
}

TEST(IncusClient, WaitsForAsyncOperationsAcrossWaitTimeouts) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Async("/1.0/operations/abc"),
                {504, R"({"type":"error","error":"context deadline exceeded","error_code":504})"},
                OpDone("Success", R"(,"metadata":{"return":0})")};
  Client c(t);
  auto r = c.Post("/1.0/instances/x/exec", Json::object());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["metadata"]["return"], 0);
  EXPECT_EQ(t->calls[1].target, "/1.0/operations/abc/wait?timeout=30");
  EXPECT_EQ(t->calls.size(), 3u);
}

TEST(IncusClient, FailedOperationCarriesTheDaemonsReason) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Async("/1.0/operations/op1"), OpDone("Failure", R"(,"err":"Missing creation date")")};
  Client c(t);
  auto r = c.PostRaw("/1.0/images", "bytes", {{"Content-Type", "application/octet-stream"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Missing creation date"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("POST /1.0/images"), std::string::npos) << r.error().message;
}

TEST(IncusClient, NotFoundIsRecognisable) {
  auto t = std::make_shared<Scripted>();
  t->replies = {{404, R"({"type":"error","error":"Instance not found","error_code":404})"},
                {404, R"({"type":"error","error":"Profile not found","error_code":404})"}};
  Client c(t);
  auto r = c.Get("/1.0/instances/nope");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsNotFound(r.error()));
  auto p = GetProfile(c, "nope");
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->has_value());
}

TEST(IncusClient, GarbageBodyIsAnErrorNotACrash) {
  auto t = std::make_shared<Scripted>();
  t->replies = {{200, "<html>proxy error</html>"}, {500, ""}};
  Client c(t);
  EXPECT_FALSE(c.Get("/1.0").ok());
  auto r = c.Get("/1.0");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("HTTP 500"), std::string::npos) << r.error().message;
}

TEST(IncusClient, ExecCollectsRecordedOutputAndRemovesIt) {
  auto t = std::make_shared<Scripted>();
  t->replies = {
      Async("/1.0/operations/e1"),
      OpDone("Success", R"(,"metadata":{"return":3,"output":{"1":"/1.0/instances/c0/logs/exec-output/a.stdout","2":"/1.0/instances/c0/logs/exec-output/a.stderr"}})"),
      {200, "out-text"}, Sync("{}"), {200, "err-text"}, Sync("{}")};
  Client c(t);
  auto r = Exec(c, "c0", {"sh", "-c", "exit 3"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out-text");
  EXPECT_EQ(r->err, "err-text");
  EXPECT_EQ(t->calls[3].method, "DELETE");
  EXPECT_EQ(t->calls[5].method, "DELETE");
  auto body = Json::parse(t->calls[0].body);
  EXPECT_EQ(body["record-output"], true);
  EXPECT_EQ(body["wait-for-websocket"], false);
}

// incusd lost the pid ("Failed to retrieve PID of executing child process"):
// the recorded stderr of that operation says whether the command ran.
HttpResponse LostPid() {
  return OpDone("Failure", R"(,"err":"Failed to retrieve PID of executing child process")");
}
constexpr const char* kLogs = "/1.0/instances/c0/logs/exec-output/exec_";

TEST(IncusClient, ExecStartsAgainOnlyACommandThatDidNotStart) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Async("/1.0/operations/e1"),
                LostPid(),
                {200, ""},
                Sync("{}"),
                {200, "Error: lost\n"},
                Sync("{}"),
                Async("/1.0/operations/e2"),
                OpDone("Success", R"(,"metadata":{"return":0,"output":{"1":"/o","2":"/e"}})"),
                {200, "moved\n"},
                Sync("{}"),
                {200, "\036\0360\n"},
                Sync("{}")};
  Client c(t);
  auto r = Exec(c, "c0", {"mv", "a.tmp", "a"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->out, "moved\n");
  EXPECT_EQ(r->err, "");
  EXPECT_EQ(t->calls[2].target, std::string(kLogs) + "e1.stdout");
  EXPECT_EQ(t->calls[4].target, std::string(kLogs) + "e1.stderr");
  EXPECT_EQ(t->calls[6].method, "POST");
}

TEST(IncusClient, ExecKeepsTheResultOfACommandThatRanWhenThePidWasLost) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Async("/1.0/operations/e1"),  LostPid(), {200, "out\n"}, Sync("{}"),
                {200, "\036mv: no\n\0361\n"}, Sync("{}")};
  Client c(t);
  auto r = Exec(c, "c0", {"mv", "a.tmp", "a"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "mv: no\n");
  EXPECT_EQ(t->calls.size(), 6u);  // one POST: it never runs twice
}

TEST(IncusClient, ExecNeverRunsTwiceACommandWhoseEndIsUnknown) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Async("/1.0/operations/e1"), LostPid(), {200, ""}, Sync("{}"),
                {200, "\036partial"},        Sync("{}")};
  Client c(t);
  auto r = Exec(c, "c0", {"mv", "a.tmp", "a"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("it ran, its exit status is unknown"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(t->calls.size(), 6u);
}

TEST(IncusClient, ExecGivesUpAfterThreeStartsThatDidNotRun) {
  auto t = std::make_shared<Scripted>();
  for (int i = 0; i < 3; ++i) {
    std::string op = "/1.0/operations/e" + std::to_string(i);
    for (HttpResponse r :
         {Async(op), LostPid(), HttpResponse{200, ""}, Sync("{}"), HttpResponse{200, ""}, Sync("{}")}) {
      t->replies.push_back(r);
    }
  }
  Client c(t);
  auto r = Exec(c, "c0", {"true"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Failed to retrieve PID"), std::string::npos) << r.error().message;
  EXPECT_EQ(t->calls.size(), 18u);
}

TEST(IncusClient, ExecWrapsTheCommandWithTheMarks) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Async("/1.0/operations/e1"), OpDone("Success", R"(,"metadata":{"return":0})")};
  Client c(t);
  ASSERT_TRUE(Exec(c, "c0", {"true"}).ok());
  auto cmd = Json::parse(t->calls[0].body)["command"];
  ASSERT_GE(cmd.size(), 5u);
  EXPECT_EQ(cmd[0], "sh");
  EXPECT_EQ(cmd[4], "true");
}

TEST(IncusClient, PutProfileOnlyWritesWhenSomethingChanged) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Sync(R"({"name":"p","description":"d","config":{"a":"1"},"devices":{}})")};
  Client c(t);
  auto r = PutProfile(c, {"p", "d", {{"a", "1"}}, {}});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
  EXPECT_EQ(t->calls.size(), 1u);
}

TEST(IncusClient, EscapesPathSegments) {
  EXPECT_EQ(Escape("a b/c"), "a%20b%2Fc");
  EXPECT_EQ(Escape("forest-node_c0-2_c0"), "forest-node_c0-2_c0");
}

TEST(IncusClient, UnreachableSocketSaysWhatToDo) {
  UnixSocketTransport t("/nonexistent/forest-test.socket");
  auto r = t.Send("GET", "/1.0", "", {}, kNoDeadline);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("forest doctor"), std::string::npos);
}

TEST(IncusClient, AClientWithATimeoutStopsWaitingForAnOperation) {
  auto t = std::make_shared<Scripted>();
  t->replies = {Async("/1.0/operations/slow")};
  for (int i = 0; i < 200; ++i) {
    t->replies.push_back({504, R"({"type":"error","error":"context deadline exceeded","error_code":504})"});
  }
  Client c = Client(t).WithTimeout(std::chrono::milliseconds(50));
  auto r = c.Post("/1.0/instances/x/exec", Json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not finished within 50 ms"), std::string::npos) << r.error().message;
  // Each wait asks incusd for at most the time that is left (here: 1 s).
  ASSERT_GE(t->calls.size(), 2u);
  EXPECT_EQ(t->calls[1].target, "/1.0/operations/slow/wait?timeout=1");
}

// A daemon that accepts the connection and never answers: the real
// transport gives up at the deadline instead of blocking.
TEST(IncusClient, UnixSocketTransportStopsAtTheDeadline) {
  std::string path = ::testing::TempDir() + "/forest-silent-" + std::to_string(getpid()) + ".sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  unlink(path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  UnixSocketTransport t(path);
  auto start = std::chrono::steady_clock::now();
  auto r = t.Send("GET", "/1.0", "", {}, start + std::chrono::milliseconds(300));
  auto took = std::chrono::steady_clock::now() - start;
  close(fd);
  unlink(path.c_str());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("did not answer in time (still in read)"), std::string::npos)
      << r.error().message;
  EXPECT_LT(took, std::chrono::seconds(5));  // not a timing assert: "it returned at all"
}

}  // namespace
}  // namespace forest::incus
