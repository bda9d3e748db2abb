#include "serve/http_server.h"

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
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

int StatusForParseError(const boost::system::error_code& ec) {
  if (ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category()) return 0;
  switch (static_cast<bhttp::error>(ec.value())) {
    case bhttp::error::end_of_stream:
    case bhttp::error::partial_message:
    case bhttp::error::need_more:
    case bhttp::error::need_buffer:
    case bhttp::error::stale_parser:
      return 0;
    case bhttp::error::header_limit: return 431;
    case bhttp::error::body_limit:
    case bhttp::error::buffer_overflow: return 413;
    default: return 400;  // bad method, target, version, field, value, Content-Length, chunk, ...
  }
}

namespace {

Response Plain(int status, std::string text) { return {status, "text/plain", std::move(text) + "\n", {}}; }

bhttp::response<bhttp::string_body> Wire(Response out, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), version};
  res.set(bhttp::field::server, "forestd");
  res.set(bhttp::field::content_type, out.content_type);
  for (auto& [name, value] : out.headers) res.set(name, value);
  res.body() = std::move(out.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace

class HttpLoops {
 public:
  static void Serve(Server& s, tcp::socket sock, serve::ConnectionGate::Ticket ticket, asio::ip::address source,
                    std::shared_ptr<bool> alive) {
    asio::co_spawn(s.io_, Session(s, beast::tcp_stream(std::move(sock)), std::move(ticket), source.to_string(), alive),
                   asio::detached);
  }

  // One connection: requests one after another (keep-alive) until the
  // client is done, too slow or sends something we refuse.
  static awaitable<void> Session(Server& s, beast::tcp_stream stream, serve::ConnectionGate::Ticket ticket,
                                 std::string remote, std::shared_ptr<bool> alive) {
    const ServerOptions& o = s.options_;
    beast::flat_buffer buf;
    for (bool first = true;; first = false) {
      stream.expires_after(first ? o.first_header : o.keep_alive);
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(o.header_limit));
      parser.body_limit(boost::none);  // Content-Length is checked against the route's limit below
      auto [ec, n] = co_await bhttp::async_read_header(stream, buf, parser, kTuple);
      if (!*alive) co_return;
      if (ec) {
        co_await ReadFailed(s, stream, ec, 11);
        co_return;
      }
      auto& req = parser.get();
      std::optional<uint64_t> length;
      if (auto l = parser.content_length()) length = *l;
      Admission admission = s.router_.Admit({req.method_string(), req.target(), remote, length});
      if (admission.refusal) {
        // Nothing unread: the connection can go on; otherwise the body is never read.
        if (parser.is_done()) {
          if (!co_await Write(s, stream, Wire(std::move(*admission.refusal), req.version(), req.keep_alive()))) co_return;
          continue;
        }
        co_await Refuse(s, stream, std::move(*admission.refusal), req.version());
        co_return;
      }
      const Route& route = *admission.route;
      if (!parser.is_done()) {
        parser.body_limit(route.body_limit);  // for chunked bodies
        if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, req.version()};
          stream.expires_after(o.write);
          auto [cec, cn] = co_await bhttp::async_write(stream, cont, kTuple);
          if (cec) co_return;
        }
        stream.expires_after(o.body);
        auto [bec, bn] = co_await bhttp::async_read(stream, buf, parser, kTuple);
        if (!*alive) co_return;
        if (bec) {
          co_await ReadFailed(s, stream, bec, req.version());
          co_return;
        }
      }
      Request r{std::string(req.method_string()), std::string(req.target()), std::move(req.body()), remote};
      Response out;
      try {
        out = route.handler(r);
      } catch (const std::exception& e) {
        out = Plain(500, std::string("internal error: ") + e.what());
      }
      bool keep = req.keep_alive();
      if (!co_await Write(s, stream, Wire(std::move(out), req.version(), keep)) || !keep) {
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
    }
  }

  // A read that failed: too slow (idle, or a request that never completes:
  // the stream has closed the socket already, nobody to answer), malformed
  // (a 4xx with Beast's reason) or the client gone.
  static awaitable<void> ReadFailed(Server& s, beast::tcp_stream& stream, boost::system::error_code ec, unsigned version) {
    if (ec == beast::error::timeout) {
      ++s.gate_->stats().timed_out;
      co_return;
    }
    if (int status = StatusForParseError(ec)) {
      ++s.gate_->stats().malformed;
      co_await Refuse(s, stream, Plain(status, "bad request: " + ec.message()), version);
    }
  }

  static awaitable<bool> Write(Server& s, beast::tcp_stream& stream, bhttp::response<bhttp::string_body> res) {
    stream.expires_after(s.options_.write);
    auto [ec, n] = co_await bhttp::async_write(stream, res, kTuple);
    co_return !ec;
  }

  // Answers and closes without reading the rest of the request. What the
  // client is still sending is discarded for a moment first (a lingering
  // close): closing a socket with unread data resets the connection, and the
  // client would lose the answer.
  static awaitable<void> Refuse(Server& s, beast::tcp_stream& stream, Response out, unsigned version) {
    if (!co_await Write(s, stream, Wire(std::move(out), version, false))) co_return;
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(s.options_.linger);
    std::array<char, 16384> sink;
    for (;;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
      if (ec) co_return;
    }
  }
};

Server::Server(asio::io_context& io, tcp::acceptor a, Router r, ServerOptions o)
    : io_(io),
      acceptor_(std::move(a)),
      router_(std::move(r)),
      options_(std::move(o)),
      gate_(std::make_shared<serve::ConnectionGate>(options_.limits, options_.privileged)) {}

Result<std::unique_ptr<Server>> Server::Listen(asio::io_context& io, const std::string& address, uint16_t port,
                                               Router router, ServerOptions options) {
  FOREST_ASSIGN_OR_RETURN(auto addr, serve::ParseListenAddress(address, "http"));
  FOREST_ASSIGN_OR_RETURN(auto a, serve::ListenTcp(io, addr, port, "http"));
  return std::unique_ptr<Server>(new Server(io, std::move(a), std::move(router), std::move(options)));
}

void Server::Start() {
  auto alive = alive_;
  auto refusal = [this](serve::Refusal why, const asio::ip::address& source) {
    const auto& l = gate_->limits();
    std::string what = why == serve::Refusal::kPerSource    ? "from " + source.to_string() + " (at most " + std::to_string(l.per_source) + ")"
                       : why == serve::Refusal::kPerNetwork ? "from " + serve::NetworkKey(source) + " (at most " + std::to_string(l.per_network) + ")"
                                                            : "in total";
    std::string body = ErrorResponse(503, "too many connections " + what + "; try again later").body;
    return "HTTP/1.1 503 Service Unavailable\r\nServer: forestd\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
           "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  };
  auto hand_off = [this, alive](tcp::socket sock, serve::ConnectionGate::Ticket t, asio::ip::address source) {
    HttpLoops::Serve(*this, std::move(sock), std::move(t), source, alive);
  };
  asio::co_spawn(io_, serve::AcceptLoop(acceptor_, gate_, alive_, hand_off, refusal), asio::detached);
}

void Server::Stop() {
  *alive_ = false;
  boost::system::error_code ec;
  acceptor_.close(ec);
}

}  // namespace forest::http
