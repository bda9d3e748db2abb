#include "serve/http_route.h"

#include <algorithm>

namespace forest::http {

Response JsonResponse(int status, const nlohmann::json& j) {
  return {status, "application/json", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", {}};
}

Response ErrorResponse(int status, const std::string& message) { return JsonResponse(status, {{"error", message}}); }

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

Router& Router::Add(Route r) {
  routes_.push_back(std::move(r));
  return *this;
}

size_t Router::max_body() const {
  size_t m = 0;
  for (const auto& r : routes_) m = std::max(m, r.body_limit);
  return m;
}

Admission Router::Admit(const RequestHead& head) const {
  std::string_view path = PathOf(head.target);
  std::string allow;
  for (const auto& r : routes_) {
    if (r.path != path) continue;
    if (r.method != head.method) {
      allow += (allow.empty() ? "" : ", ") + r.method;
      continue;
    }
    if (r.caller) {
      if (auto who = r.caller(head.remote_address); !who.ok()) return {nullptr, ErrorResponse(403, who.error().message)};
    }
    if (head.content_length && *head.content_length > r.body_limit) {
      return {nullptr, ErrorResponse(413, std::string(path) + " takes at most " + std::to_string(r.body_limit) +
                                              " bytes of body, not " + std::to_string(*head.content_length))};
    }
    return {&r, std::nullopt};
  }
  if (!allow.empty()) {
    Response res = ErrorResponse(405, "use " + allow + " for " + std::string(path));
    res.headers.emplace_back("Allow", allow);
    return {nullptr, std::move(res)};
  }
  return {nullptr, ErrorResponse(404, "no such endpoint: " + std::string(path))};
}

}  // namespace forest::http
