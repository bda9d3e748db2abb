#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/exchange.h"


namespace forest::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

Result<Reply> Call(const std::string& method, const std::string& address, uint16_t port,
                   const std::string& target, const std::string& body, const CallOptions& options) {
  const auto timeout = options.timeout;
  boost::system::error_code aec;
  auto addr = asio::ip::make_address(address, aec);
  if (aec) return MakeError("http: '" + address + "' is not an IP address");
  std::string where = (addr.is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(port);
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  if (!options.source.empty()) {
    boost::system::error_code ec;
    auto src = asio::ip::make_address(options.source, ec);
    if (ec) return MakeError("http: source '" + options.source + "' is not an IP address");
    stream.socket().open(src.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) stream.socket().bind(tcp::endpoint(src, 0), ec);
    if (ec) return MakeError("http: cannot send from " + options.source + ": " + ec.message());
  }
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, where);
  req.set(bhttp::field::user_agent, "forestd");
  if (!body.empty() || method == "POST") {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(false);
  req.prepare_payload();
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_body);
  boost::system::error_code result;
  const char* stage = "connect";
  StartExchange(stream, tcp::endpoint(addr, port), req, buf, parser, result, stage);
  io.run();
  if (result) {
    std::string why = result == beast::error::timeout
                          ? "no answer within " + std::to_string(timeout.count()) + " ms"
                          : result.message();
    return MakeError("http " + method + " " + where + target + ": " + stage + ": " + why);
  }
  return Reply{static_cast<int>(parser.get().result_int()), parser.get().body()};
}

}  // namespace forest::http
