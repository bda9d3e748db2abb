#include "incus/transport.h"

#include <cstdlib>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/exchange.h"

namespace forest::incus {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string DefaultSocketPath() {
  if (const char* s = std::getenv("INCUS_SOCKET"); s && *s) return s;
  if (const char* d = std::getenv("INCUS_DIR"); d && *d) return std::string(d) + "/unix.socket";
  return "/var/lib/incus/unix.socket";
}

Result<HttpResponse> UnixSocketTransport::Send(const std::string& method, const std::string& target,
                                               const std::string& body, const Headers& headers,
                                               Deadline deadline) {
  http::request<http::string_body> req;
  req.method(http::string_to_verb(method));
  if (req.method() == http::verb::unknown) return MakeError("unknown HTTP method " + method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "incus");
  req.set(http::field::user_agent, "forest");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();

  // Connect, write, read as one chain of asynchronous steps, so that the
  // whole exchange stops at the deadline (a hung incusd cannot hold us).
  asio::io_context io;
  asio::local::stream_protocol::socket sock(io);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 32);
  boost::system::error_code result = asio::error::would_block;  // not finished yet
  const char* stage = "connect";
  forest::http::StartExchange(sock, asio::local::stream_protocol::endpoint(path_), req, buf, parser, result, stage);
  if (deadline == kNoDeadline) {
    io.run();
  } else {
    io.run_until(deadline);
  }
  boost::system::error_code ec;
  if (result == asio::error::would_block) {
    sock.close(ec);
    io.run();  // the aborted steps finish here, before their state goes
    return MakeError(method + " " + target + ": incusd did not answer in time (still in " + stage + ")");
  }
  if (result) {
    if (std::string(stage) == "connect") {
      return MakeError(path_ + ": cannot connect to incusd (" + result.message() +
                       "); is it running? `forest doctor` explains how to start it");
    }
    return MakeError(method + " " + target + ": " + stage + ": " + result.message());
  }
  HttpResponse out;
  out.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) {
    out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  out.body = std::move(parser.get().body());
  sock.shutdown(asio::local::stream_protocol::socket::shutdown_both, ec);
  return out;
}

}  // namespace forest::incus
