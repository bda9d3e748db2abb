// The real ForestdClient (api/forestd_client.h, over src/http) against a real
// forestd HTTP server (serve/http_server.h) on ::1: what the agent's hops
// send and how each answer reads. Here rather than in api/ because it needs
// the server, which api/ does not link.
#include "api/forestd_client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <thread>

#include "serve/http_server.h"

namespace forest::node {
namespace {

class ForestdClientTest : public ::testing::Test {
 protected:
  void Serve(http::Router r) {
    auto s = http::Server::Listen(io_, "::1", 0, std::move(r));
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(*s);
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
    api::HttpForestdOptions o;
    o.port = server_->port();
    client_ = std::make_unique<api::HttpForestdClient>(o);
  }
  void TearDown() override {
    if (server_) server_->Stop();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  boost::asio::io_context io_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::unique_ptr<api::HttpForestdClient> client_;
  std::string poked_, published_, published_from_;
};

TEST_F(ForestdClientTest, EachHopSendsItsBodyAndReadsItsAnswer) {
  http::Router r;
  r.Add({"GET", api::kExport, 0, nullptr, [](const http::Request&) {
           return http::Response{200, "application/json", "{\"schema\":1}", {}};
         }});
  r.Add({"POST", api::kPoke, api::kMaxPokeBody, nullptr, [this](const http::Request& q) {
           poked_ = q.body;
           return http::JsonResponse(200, {{"poked", true}});
         }});
  api::ForestReply view;
  view.serial = 9;
  view.names.push_back({"c0.incus", {*net::Ipv6Address::Parse("fd00:1000::1")}, {"c0.incus"}});
  r.Add({"GET", api::kForest, 0, nullptr,
         [view](const http::Request&) { return http::JsonResponse(200, api::ToJson(view)); }});
  r.Add({"POST", api::kPublishRoot, 1 << 20, nullptr, [this](const http::Request& q) {
           published_ = q.body;
           published_from_ = q.remote_address;
           if (q.body == "bad") return http::ErrorResponse(422, "records[0]: not under c0.incus");
           return http::JsonResponse(200, api::ToJson(api::PublishReply{true, true, 42}));
         }});
  Serve(std::move(r));
  auto e = client_->Export("::1", std::chrono::seconds(2), 1024);
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(*e, "{\"schema\":1}");
  EXPECT_FALSE(client_->Export("::1", std::chrono::seconds(2), 4).ok());  // longer than the cap

  ASSERT_TRUE(client_->Poke("::1", api::Poke{"c0-2"}).ok());
  EXPECT_EQ(api::ParsePoke(poked_)->child, "c0-2");

  auto p = client_->Publish("::1", "::1", "{\"schema\":1}");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->status, 200);
  EXPECT_TRUE(p->reply.changed);
  EXPECT_EQ(p->reply.serial, 42u);
  EXPECT_EQ(published_, "{\"schema\":1}");
  EXPECT_EQ(published_from_, "::1");
  auto refused = client_->Publish("::1", "", "bad");
  ASSERT_TRUE(refused.ok()) << refused.error().message;  // a refusal is an answer
  EXPECT_EQ(refused->status, 422);
  EXPECT_EQ(refused->refusal, "records[0]: not under c0.incus");

  auto f = client_->Forest("::1", std::chrono::seconds(2));
  ASSERT_TRUE(f.ok()) << f.error().message;
  auto back = api::ParseForestReply(*f);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, view);
}

TEST_F(ForestdClientTest, RootAndCrlAreTheBodiesTheHelperServes) {
  http::Router r;
  r.Add({"GET", api::kRootCa, 0, nullptr, [](const http::Request&) {
           return http::Response{200, "application/x-pem-file", "-----BEGIN CERTIFICATE-----\n", {}};
         }});
  r.Add({"GET", api::kCrl, 0, nullptr,
         [](const http::Request&) { return http::ErrorResponse(503, "no root staged"); }});
  Serve(std::move(r));
  auto root = client_->RootCa("::1");
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_EQ(*root, "-----BEGIN CERTIFICATE-----\n");
  auto crl = client_->Crl("::1");
  ASSERT_FALSE(crl.ok());
  EXPECT_EQ(crl.error().message, "HTTP 503: no root staged");
}

TEST_F(ForestdClientTest, SignCsrSendsTheRequestAndReadsTheReplyOrTheRefusal) {
  api::SignReply reply;
  reply.certificate = "-----BEGIN CERTIFICATE-----\nleaf\n";
  reply.root = "-----BEGIN CERTIFICATE-----\nroot\n";
  reply.serial = "0a";
  reply.caller = "c0-2.c0.incus";
  reply.names = {"web.c0-2.c0.incus"};
  reply.not_after = 1900000000;
  std::string asked;
  http::Router r;
  r.Add({"POST", api::kSignCsr, api::kMaxSignRequestBytes, nullptr, [&](const http::Request& q) {
           asked = q.body;
           auto req = api::ParseSignRequest(q.body);
           if (!req.ok() || req->label_paths.empty()) return http::ErrorResponse(403, "no names of yours");
           return http::JsonResponse(200, api::ToJson(reply));
         }});
  Serve(std::move(r));
  api::SignRequest req;
  req.csr_pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
  req.label_paths = {"web"};
  auto got = client_->SignCsr("::1", req);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(*got, reply);
  EXPECT_EQ(*api::ParseSignRequest(asked), req);
  auto refused = client_->SignCsr("::1", api::SignRequest{.csr_pem = "x"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "HTTP 403: no names of yours");
}

TEST_F(ForestdClientTest, AnythingButA200IsAnError) {
  http::Router r;
  r.Add({"GET", api::kExport, 0, nullptr,
         [](const http::Request&) { return http::ErrorResponse(503, "no export yet"); }});
  r.Add({"GET", api::kForest, 0, nullptr,
         [](const http::Request&) { return http::ErrorResponse(500, "no view"); }});
  r.Add({"POST", api::kPoke, api::kMaxPokeBody,
         [](std::string_view) -> Status { return MakeError("not a neighbour"); },
         [](const http::Request&) { return http::JsonResponse(200, {}); }});
  Serve(std::move(r));
  auto e = client_->Export("::1", std::chrono::seconds(2), 1024);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().message, "HTTP 503");
  auto p = client_->Poke("::1", {});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "HTTP 403");
  auto f = client_->Forest("::1", std::chrono::seconds(2));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "HTTP 500");
  // Nobody listening: the hop fails (the agent backs off).
  api::HttpForestdOptions closed;
  closed.port = 9;  // discard: nothing answers HTTP there
  closed.poke_timeout = std::chrono::milliseconds(500);
  EXPECT_FALSE(api::HttpForestdClient(closed).Poke("::1", {}).ok());
}

}  // namespace
}  // namespace forest::node
