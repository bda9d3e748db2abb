// An in-memory Incus for unit tests of code that talks to Incus through a
// Client: replies by method and path (the query left out), every request
// recorded. The real wire is UnixSocketTransport, which the suites under
// tests/ drive against a real incusd.
#pragma once

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "incus/transport.h"

namespace forest::incus {

class FakeTransport : public Transport {
 public:
  struct Call {
    std::string method, target, body;
    // The path without its query ("/1.0/instances/j").
    std::string path() const { return target.substr(0, target.find('?')); }
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  };

  // A sync reply with `metadata`; an error reply with `code`.
  static HttpResponse Sync(const nlohmann::json& metadata) {
    HttpResponse r;
    r.status = 200;
    r.body =
        nlohmann::json{{"type", "sync"}, {"status", "Success"}, {"status_code", 200}, {"metadata", metadata}}
            .dump();
    return r;
  }
  static HttpResponse Failure(int code, const std::string& message) {
    HttpResponse r;
    r.status = code;
    r.body = nlohmann::json{{"type", "error"}, {"error", message}, {"error_code", code}}.dump();
    return r;
  }

  // Replies to METHOD PATH in order; the last one repeats. Paths without a
  // reply answer 404.
  void On(const std::string& method, const std::string& path, HttpResponse reply) {
    replies_[method + " " + path].push_back(std::move(reply));
  }

  Result<HttpResponse> Send(const std::string& method, const std::string& target, const std::string& body,
                            const Headers&, Deadline) override {
    calls.push_back({method, target, body});
    auto it = replies_.find(method + " " + calls.back().path());
    if (it == replies_.end() || it->second.empty()) return Failure(404, "not found");
    HttpResponse r = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return r;
  }

  // The recorded calls with this method and path.
  std::vector<Call> CallsTo(const std::string& method, const std::string& path) const {
    std::vector<Call> out;
    for (const auto& c : calls) {
      if (c.method == method && c.path() == path) out.push_back(c);
    }
    return out;
  }

  std::vector<Call> calls;

 private:
  std::map<std::string, std::deque<HttpResponse>> replies_;
};

}  // namespace forest::incus
