#include "incus/transport.h"

#include <cstdlib>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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
                                               const std::string& body,
                                               const Headers& headers) {
  asio::io_context io;
  asio::local::stream_protocol::socket sock(io);
  boost::system::error_code ec;
  sock.connect(asio::local::stream_protocol::endpoint(path_), ec);
  if (ec) {
    return MakeError(path_ + ": cannot connect to incusd (" + ec.message() +
                     "); is it running? `forest doctor` explains how to start it");
  }
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
  http::write(sock, req, ec);
  if (ec) return MakeError(method + " " + target + ": write: " + ec.message());
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 32);
  http::read(sock, buf, parser, ec);
  if (ec) return MakeError(method + " " + target + ": read: " + ec.message());
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
