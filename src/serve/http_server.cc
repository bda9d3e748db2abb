#include "serve/http_server.h"

#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "serve/listen.h"

namespace forest::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

class HttpLoops {
 public:
  static awaitable<void> Accept(Server& s, std::shared_ptr<bool> alive) {
    while (*alive) {
      auto [ec, sock] = co_await s.acceptor_.async_accept(kTuple);
      if (!*alive || ec == asio::error::operation_aborted) co_return;
      if (ec) continue;
      asio::co_spawn(s.io_, Session(s, beast::tcp_stream(std::move(sock)), alive), asio::detached);
    }
  }

  static awaitable<void> Session(Server& s, beast::tcp_stream stream, std::shared_ptr<bool> alive) {
    beast::flat_buffer buf;
    boost::system::error_code aec;
    auto remote = stream.socket().remote_endpoint(aec);
    std::string remote_address;
    if (!aec) {
      auto a = remote.address();
      if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
      remote_address = a.to_string();
    }
    for (;;) {
      stream.expires_after(std::chrono::seconds(30));
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(Server::kMaxBody);
      auto [ec, n] = co_await bhttp::async_read(stream, buf, parser, kTuple);
      if (ec || !*alive) {
        if (ec == bhttp::error::body_limit || ec == bhttp::error::bad_target ||
            ec == bhttp::error::bad_method || ec == bhttp::error::bad_version) {
          bhttp::response<bhttp::string_body> bad{bhttp::status::bad_request, 11};
          bad.set(bhttp::field::content_type, "text/plain");
          bad.body() = "bad request: " + ec.message() + "\n";
          bad.prepare_payload();
          bad.keep_alive(false);
          co_await bhttp::async_write(stream, bad, kTuple);
        }
        co_return;
      }
      auto& req = parser.get();
      Request r{std::string(req.method_string()), std::string(req.target()), req.body(), remote_address};
      Response out;
      try {
        out = s.handler_(r);
      } catch (const std::exception& e) {
        out = {500, "text/plain", std::string("internal error: ") + e.what() + "\n"};
      }
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), req.version()};
      res.set(bhttp::field::server, "forestd");
      res.set(bhttp::field::content_type, out.content_type);
      res.body() = std::move(out.body);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      auto [wec, wn] = co_await bhttp::async_write(stream, res, kTuple);
      if (wec || !res.keep_alive()) {
        stream.socket().shutdown(tcp::socket::shutdown_send, aec);
        co_return;
      }
    }
  }
};

Server::Server(asio::io_context& io, tcp::acceptor a, Handler h)
    : io_(io), acceptor_(std::move(a)), handler_(std::move(h)) {}

Result<std::unique_ptr<Server>> Server::Listen(asio::io_context& io, const std::string& address,
                                               uint16_t port, Handler handler) {
  FOREST_ASSIGN_OR_RETURN(auto addr, serve::ParseListenAddress(address, "http"));
  FOREST_ASSIGN_OR_RETURN(auto a, serve::ListenTcp(io, addr, port, "http"));
  return std::unique_ptr<Server>(new Server(io, std::move(a), std::move(handler)));
}

void Server::Start() { asio::co_spawn(io_, HttpLoops::Accept(*this, alive_), asio::detached); }

void Server::Stop() {
  *alive_ = false;
  boost::system::error_code ec;
  acceptor_.close(ec);
}

}  // namespace forest::http
