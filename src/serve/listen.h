// Opening listening sockets for forestd's servers: one address parse and one
// TCP acceptor (reuse_address, bind, listen) for DNS and HTTP alike.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "base/result.h"

namespace forest::serve {

// `what` prefixes the messages ("dns", "http").
Result<boost::asio::ip::address> ParseListenAddress(const std::string& address, const char* what);
Result<boost::asio::ip::tcp::acceptor> ListenTcp(boost::asio::io_context& io,
                                                 const boost::asio::ip::address& address,
                                                 uint16_t port, const char* what);

}  // namespace forest::serve
