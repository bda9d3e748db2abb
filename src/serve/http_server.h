// A small HTTP/1.1 server (Boost.Beast) for forestd's APIs. Each request's
// head goes to a route table (serve/http_route.h) before its body is read;
// connections are limited per source, per source network and in total
// (serve/conn_limits.h), idle ones are closed, and every malformed request
// is answered with a 4xx.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "base/result.h"
#include "serve/conn_gate.h"
#include "serve/http_route.h"

namespace forest::http {

struct ServerOptions {
  serve::ConnectionLimits limits{.per_source = 32, .per_network = 128, .global = 2048, .reserve = 256};
  serve::Privileged privileged;  // who may use the reserve (empty: nobody)
  std::chrono::milliseconds first_header{5000};  // from accept to a complete request head
  std::chrono::milliseconds keep_alive{10000};   // from a response to the next complete head
  std::chrono::milliseconds body{30000};         // for the whole body once admitted
  std::chrono::milliseconds write{30000};        // for the whole response
  std::chrono::milliseconds linger{2000};        // discarding an unread body after a refusal
  size_t header_limit = 16u << 10;               // bytes of request line + fields
};

// The status for a Beast parse error (431 for a header over the limit, 413
// for a chunked body over the route's limit, 400 for broken syntax), or 0
// when there is nobody to answer (end of stream, reset).
int StatusForParseError(const boost::system::error_code& ec);

class Server {
 public:
  static Result<std::unique_ptr<Server>> Listen(boost::asio::io_context& io, const std::string& address,
                                                uint16_t port, Router router, ServerOptions options = {});
  // Starts accepting (returns at once). The server must outlive the
  // io_context's run; all its work runs on that io_context's thread.
  void Start();
  void Stop();
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  const serve::ConnectionStats& stats() const { return gate_->stats(); }
  const serve::ConnectionLimits& limits() const { return gate_->limits(); }

 private:
  Server(boost::asio::io_context& io, boost::asio::ip::tcp::acceptor a, Router r, ServerOptions o);
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Router router_;
  ServerOptions options_;
  std::shared_ptr<serve::ConnectionGate> gate_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  friend class HttpLoops;
};

}  // namespace forest::http
