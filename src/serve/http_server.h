// A small HTTP/1.1 server (Boost.Beast) for forestd's APIs: each request is
// handed to one function with the caller's address; bodies are capped.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

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
};

using Handler = std::function<Response(const Request&)>;

class Server {
 public:
  static constexpr size_t kMaxBody = 32u << 20;

  static Result<std::unique_ptr<Server>> Listen(boost::asio::io_context& io,
                                                const std::string& address, uint16_t port,
                                                Handler handler);
  // Starts accepting (returns at once). The server must outlive the
  // io_context's run.
  void Start();
  void Stop();
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  Server(boost::asio::io_context& io, boost::asio::ip::tcp::acceptor a, Handler h);
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Handler handler_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  friend class HttpLoops;
};

}  // namespace forest::http
