// One HTTP/1.1 exchange over any Asio stream socket (TCP, unix) as a chain
// of asynchronous steps: connect, write the request, read the response. The
// caller runs the io_context, under its own deadline, and reads `stage` (the
// step that ran last: "connect", "write", "read") and `result` (that step's
// error; left as the caller set it while a step is still running).
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/system/error_code.hpp>

namespace forest::http {

template <class Socket, class Endpoint, class Request, class Parser>
void StartExchange(Socket& socket, const Endpoint& endpoint, Request& request, boost::beast::flat_buffer& buffer,
                   Parser& parser, boost::system::error_code& result, const char*& stage) {
  stage = "connect";
  socket.async_connect(endpoint, [&](boost::system::error_code ec) {
    if (ec) {
      result = ec;
      return;
    }
    stage = "write";
    boost::beast::http::async_write(socket, request, [&](boost::system::error_code ec, size_t) {
      if (ec) {
        result = ec;
        return;
      }
      stage = "read";
      boost::beast::http::async_read(socket, buffer, parser,
                                     [&](boost::system::error_code ec, size_t) { result = ec; });
    });
  });
}

}  // namespace forest::http
