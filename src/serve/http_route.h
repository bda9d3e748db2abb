// forestd's HTTP routes as a table: method, path, who may call, how big a
// body may be, and the handler. The server asks the table about each
// request as soon as its head is parsed (Admit), so an unknown path, a wrong
// method, a refused caller or an oversized body is answered — 404, 405, 403,
// 413 — before a byte of the body is read. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace forest::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/v1/forest?x=y"
  std::string body;
  std::string remote_address;  // the connection's source address (no port)
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones (Allow, Retry-After)
};

using Handler = std::function<Response(const Request&)>;
// Who may call a route, from the connection's source address; an error
// refuses with 403 and its message.
using CallerCheck = std::function<Status(std::string_view source)>;

struct Route {
  std::string method;      // "GET" or "POST"
  std::string path;        // exact, without the query
  size_t body_limit = 0;   // bytes; larger bodies get 413 unread
  CallerCheck caller;      // empty: anyone
  Handler handler;
};

// What the server knows once the header is parsed.
struct RequestHead {
  std::string_view method;
  std::string_view target;
  std::string_view remote_address;
  std::optional<uint64_t> content_length;  // nullopt: none given (or chunked)
};

struct Admission {
  const Route* route = nullptr;      // admitted: read at most body_limit, then call its handler
  std::optional<Response> refusal;   // otherwise: answer this and close, body unread
};

// JSON replies; invalid UTF-8 from untrusted input is replaced, never thrown.
Response JsonResponse(int status, const nlohmann::json& j);
Response ErrorResponse(int status, const std::string& message);  // {"error": message}
std::string_view PathOf(std::string_view target);

class Router {
 public:
  Router& Add(Route r);
  Admission Admit(const RequestHead& head) const;
  // The largest body any route takes: the parser's ceiling for chunked bodies.
  size_t max_body() const;

 private:
  std::vector<Route> routes_;
};

}  // namespace forest::http
