#include "serve/listen.h"

namespace forest::serve {

namespace asio = boost::asio;
using asio::ip::tcp;

Result<asio::ip::address> ParseListenAddress(const std::string& address, const char* what) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) return MakeError(std::string(what) + ": '" + address + "' is not an IP address");
  return addr;
}

Result<tcp::acceptor> ListenTcp(asio::io_context& io, const asio::ip::address& address,
                                uint16_t port, const char* what) {
  boost::system::error_code ec;
  tcp::acceptor a(io);
  tcp::endpoint e(address, port);
  a.open(e.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(e, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(std::string(what) + ": cannot listen on tcp [" + address.to_string() +
                     "]:" + std::to_string(port) + ": " + ec.message());
  }
  return a;
}

}  // namespace forest::serve
