#include "incus/events.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "incus/client.h"

namespace forest::incus {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

Status WatchEvents(const std::string& socket_path, const EventFilter& filter,
                   const std::function<bool(const nlohmann::json&)>& on_event,
                   std::chrono::seconds idle_timeout) {
  asio::io_context io;
  websocket::stream<asio::local::stream_protocol::socket> ws(io);
  boost::system::error_code ec;
  beast::get_lowest_layer(ws).connect(asio::local::stream_protocol::endpoint(socket_path), ec);
  if (ec) {
    return MakeError(socket_path + ": cannot connect to incusd (" + ec.message() +
                     "); `forest doctor` explains how to start it");
  }
  std::string target = "/1.0/events?type=" + Escape(filter.types);
  if (filter.all_projects) {
    target += "&all-projects=true";
  } else if (!filter.project.empty()) {
    target += "&project=" + Escape(filter.project);
  }
  ws.handshake("incus", target, ec);
  if (ec) return MakeError("GET " + target + ": websocket handshake: " + ec.message());
  for (;;) {
    beast::flat_buffer buf;
    bool done = false;
    ws.async_read(buf, [&](boost::system::error_code e, std::size_t) {
      ec = e;
      done = true;
    });
    io.restart();
    if (idle_timeout.count() > 0) {
      io.run_for(idle_timeout);
    } else {
      io.run();
    }
    if (!done) {
      beast::get_lowest_layer(ws).cancel();
      io.restart();
      io.run();
      return MakeError("no Incus event within " + std::to_string(idle_timeout.count()) + " s");
    }
    if (ec) return MakeError("events stream: " + ec.message());
    auto j = nlohmann::json::parse(beast::buffers_to_string(buf.data()), nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    if (!on_event(j)) break;
  }
  ws.close(websocket::close_code::normal, ec);
  return {};
}

}  // namespace forest::incus
