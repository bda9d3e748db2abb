// The calls made to forestds: a node's agent pulls each child's export (GET
// /v1/export), pokes its parent (POST /v1/poke) and, at a root, publishes to
// the helper (POST /v1/publish-root-registration); the commands ask the
// helper for its forest view (GET /v1/forest: `forest tree`, the check of
// `forest register-local-record`), for its root and CRL (GET /v1/root-ca,
// /v1/crl: `forest cert revoke` sees a revocation served) and poke their own
// node. An interface, so that the agent's rounds and the commands' libraries
// are tested with FakeForestdClient; HttpForestdClient is the real one
// (src/http, one connection per call, every call with a deadline), which the
// real-Incus suites and forestd_client_test.cc drive.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "api/helper_api.h"
#include "api/node_api.h"
#include "api/paths.h"
#include "base/result.h"

namespace forest::api {

// The helper's answer to a publication: accepted (the reply), or refused
// with its status and reason. A refusal is an answer, not a failed hop.
struct PublishAnswer {
  int status = 200;
  std::string refusal;  // the helper's reason when status != 200
  PublishReply reply;   // when status == 200
};

class ForestdClient {
 public:
  virtual ~ForestdClient() = default;
  // The export of the child whose forestd listens on `address` (an IPv6
  // literal): the body of a 200, else an error naming the status.
  virtual Result<std::string> Export(const std::string& address, std::chrono::milliseconds timeout,
                                     size_t max_body) = 0;
  // Pokes the forestd at `address`; an error unless it answered 200.
  virtual Status Poke(const std::string& address, const api::Poke& poke) = 0;
  // Publishes a root's export to the helper at `helper`, sent from `source`
  // (the root's uplink, which is how the helper knows who publishes).
  virtual Result<PublishAnswer> Publish(const std::string& helper, const std::string& source,
                                        const std::string& export_text) = 0;
  // The PEM the helper at `helper` serves at GET /v1/root-ca and GET /v1/crl:
  // the body of a 200, else an error naming the status and the helper's reason.
  virtual Result<std::string> RootCa(const std::string& helper) = 0;
  virtual Result<std::string> Crl(const std::string& helper) = 0;
  // Asks the helper's CA to sign (POST /v1/sign-csr): its reply, or an error
  // with the status and the helper's reason ("HTTP 403: …") for a refusal.
  virtual Result<SignReply> SignCsr(const std::string& helper, const SignRequest& request) = 0;
  // The forest view of the helper at `helper` (GET /v1/forest): the body of
  // a 200 (at most kMaxForestReplyBytes), else an error naming the status.
  virtual Result<std::string> Forest(const std::string& helper, std::chrono::milliseconds timeout) = 0;
};

// True for the error of a call the helper answered with a refusal ("HTTP
// N: reason", as RootCa, Crl and SignCsr give it), false for a failed hop.
bool IsRefusal(const Error& e);

struct HttpForestdOptions {
  uint16_t port = kPort;
  std::chrono::milliseconds poke_timeout = std::chrono::seconds(2);
  std::chrono::milliseconds publish_timeout = std::chrono::seconds(3);
  std::chrono::milliseconds ca_timeout = std::chrono::seconds(10);  // RootCa, Crl
  std::chrono::milliseconds sign_timeout = std::chrono::seconds(15);
};

class HttpForestdClient final : public ForestdClient {
 public:
  explicit HttpForestdClient(HttpForestdOptions o = {}) : o_(o) {}
  Result<std::string> Export(const std::string& address, std::chrono::milliseconds timeout,
                             size_t max_body) override;
  Status Poke(const std::string& address, const api::Poke& poke) override;
  Result<PublishAnswer> Publish(const std::string& helper, const std::string& source,
                                const std::string& export_text) override;
  Result<std::string> RootCa(const std::string& helper) override;
  Result<std::string> Crl(const std::string& helper) override;
  Result<SignReply> SignCsr(const std::string& helper, const SignRequest& request) override;
  Result<std::string> Forest(const std::string& helper, std::chrono::milliseconds timeout) override;

 private:
  // The body of a 200 to GET `target`; an error naming any other status.
  Result<std::string> Get(const std::string& address, const char* target, std::chrono::milliseconds timeout,
                          size_t max_body);
  HttpForestdOptions o_;
};

// Answers from functions the test sets, and records every call. Thread-safe
// (the agent pulls children on threads of their own).
class FakeForestdClient final : public ForestdClient {
 public:
  struct Call {
    std::string what;     // "export", "poke", "publish", "root-ca", "crl", "sign", "forest"
    std::string address;  // the forestd called
    std::string body;     // the poke's, the publication's or the sign request's
  };
  std::function<Result<std::string>(const std::string& address)> on_export = [](const std::string& a) {
    return Result<std::string>(MakeError("no export scripted for " + a));
  };
  std::function<Status(const std::string& address, const api::Poke& poke)> on_poke =
      [](const std::string&, const api::Poke&) { return Status(); };
  std::function<Result<PublishAnswer>(const std::string& helper, const std::string& text)> on_publish =
      [](const std::string&, const std::string&) { return Result<PublishAnswer>(PublishAnswer{}); };
  std::function<Result<std::string>(const std::string& helper)> on_root_ca = [](const std::string& h) {
    return Result<std::string>(MakeError("no root scripted for " + h));
  };
  std::function<Result<std::string>(const std::string& helper)> on_crl = [](const std::string& h) {
    return Result<std::string>(MakeError("no CRL scripted for " + h));
  };
  std::function<Result<SignReply>(const std::string& helper, const SignRequest& request)> on_sign =
      [](const std::string& h, const SignRequest&) {
        return Result<SignReply>(MakeError("no signature scripted for " + h));
      };
  std::function<Result<std::string>(const std::string& helper)> on_forest = [](const std::string& h) {
    return Result<std::string>(MakeError("no forest view scripted for " + h));
  };

  Result<std::string> Export(const std::string& address, std::chrono::milliseconds, size_t) override {
    Record({"export", address, ""});
    return on_export(address);
  }
  Status Poke(const std::string& address, const api::Poke& poke) override {
    Record({"poke", address, SerializePoke(poke)});
    return on_poke(address, poke);
  }
  Result<PublishAnswer> Publish(const std::string& helper, const std::string&,
                                const std::string& text) override {
    Record({"publish", helper, text});
    return on_publish(helper, text);
  }
  Result<std::string> RootCa(const std::string& helper) override {
    Record({"root-ca", helper, ""});
    return on_root_ca(helper);
  }
  Result<std::string> Crl(const std::string& helper) override {
    Record({"crl", helper, ""});
    return on_crl(helper);
  }
  Result<SignReply> SignCsr(const std::string& helper, const SignRequest& request) override {
    Record({"sign", helper, SerializeSignRequest(request)});
    return on_sign(helper, request);
  }
  Result<std::string> Forest(const std::string& helper, std::chrono::milliseconds) override {
    Record({"forest", helper, ""});
    return on_forest(helper);
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  size_t Count(const std::string& what) const {
    std::lock_guard<std::mutex> lock(mu_);
    size_t n = 0;
    for (const auto& c : calls_) n += c.what == what;
    return n;
  }

 private:
  void Record(Call c) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(std::move(c));
  }
  mutable std::mutex mu_;
  std::vector<Call> calls_;
};

}  // namespace forest::api
