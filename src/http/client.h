// A one-shot HTTP/1.1 client over TCP (Boost.Beast) for forestd's hops: a
// node pokes its parent, pulls a child's export, the root publishes to the
// helper. Every call has a deadline.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/result.h"

namespace forest::http {

struct Reply {
  int status = 0;
  std::string body;
};

struct CallOptions {
  std::chrono::milliseconds timeout = std::chrono::seconds(3);
  std::string source;  // local address to send from ("" = the kernel's choice)
  size_t max_body = 64u << 20;  // a longer reply body is an error
};

// `address` is an IPv6 or IPv4 literal. Errors name the endpoint and what
// failed (connect, timeout, read).
Result<Reply> Call(const std::string& method, const std::string& address, uint16_t port,
                   const std::string& target, const std::string& body = "",
                   const CallOptions& options = {});

}  // namespace forest::http
