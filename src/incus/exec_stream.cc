#include "incus/exec_stream.h"

#include <chrono>
#include <memory>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace forest::incus {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Socket = websocket::stream<asio::local::stream_protocol::socket>;

namespace {

constexpr char kStartMark = '\036';  // ASCII RS, first byte on stderr

// Reads frames from one output websocket until it closes.
struct Reader {
  Socket ws;
  int fd;
  const OutputSink& sink;
  beast::flat_buffer buf;
  Reader(asio::io_context& io, int f, const OutputSink& s) : ws(io), fd(f), sink(s) {}
  void Next() {
    ws.async_read(buf, [this](boost::system::error_code ec, std::size_t) {
      if (ec) return;  // closed (the command finished) or broken
      auto data = buf.data();
      sink(fd, std::string_view(static_cast<const char*>(data.data()), data.size()));
      buf.consume(buf.size());
      Next();
    });
  }
};

Status Connect(Socket& ws, const std::string& socket_path, const std::string& target) {
  boost::system::error_code ec;
  beast::get_lowest_layer(ws).connect(asio::local::stream_protocol::endpoint(socket_path), ec);
  if (ec) return MakeError(socket_path + ": " + ec.message());
  ws.handshake("incus", target, ec);
  if (ec) return MakeError("websocket " + target + ": " + ec.message());
  ws.binary(true);
  return {};
}

Result<int> ExecStreamOnce(Client& c, const std::string& socket_path, const std::string& instance,
                           const std::vector<std::string>& argv, const StringMap& env,
                           const OutputSink& sink) {
  Json envj = Json::object();
  for (const auto& [k, v] : env) envj[k] = v;
  // stdin is /dev/null inside; the stdin websocket itself stays open until
  // the end (closing it early makes incusd 6.0 abort the start). The first
  // byte on stderr is kStartMark: it says the command started (ExecStream).
  std::vector<std::string> cmd = {"sh", "-c", "printf '\\036' >&2; exec \"$@\" </dev/null", "forest-exec"};
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  Json body = {{"command", cmd},        {"environment", envj}, {"wait-for-websocket", true},
               {"interactive", false},   {"record-output", false}};
  FOREST_ASSIGN_OR_RETURN(Json start, c.Start("POST", "/1.0/instances/" + Escape(instance) + "/exec", body));
  std::string op = start.value("operation", "");
  const Json& fds = start["metadata"]["metadata"]["fds"];
  if (op.empty() || !fds.is_object() || !fds.contains("1") || !fds.contains("2") ||
      !fds.contains("0") || !fds.contains("control")) {
    return MakeError("exec in " + instance + ": the daemon returned no websocket secrets");
  }
  auto target = [&](const char* fd) {
    return op + "/websocket?secret=" + Escape(fds[fd].get<std::string>());
  };
  asio::io_context io;
  Socket control(io), in(io);
  Reader out(io, 1, sink), err(io, 2, sink);
  // The command starts once every websocket is connected.
  FOREST_TRY(Connect(control, socket_path, target("control")));
  FOREST_TRY(Connect(in, socket_path, target("0")));
  FOREST_TRY(Connect(out.ws, socket_path, target("1")));
  FOREST_TRY(Connect(err.ws, socket_path, target("2")));
  boost::system::error_code ec;
  out.Next();
  err.Next();
  bool killed = false;
  if (c.timeout().count() <= 0) {
    io.run();
  } else if (io.run_for(c.timeout()); !io.stopped()) {
    // Past the caller's deadline: the command is killed through the control
    // websocket (incusd signals it; nothing inside can refuse SIGKILL), and
    // its output sockets are given a moment to close.
    killed = true;
    control.write(asio::buffer(std::string_view(R"({"command":"signal","signal":9})")), ec);
    if (io.run_for(std::chrono::seconds(2)); !io.stopped()) {
      beast::get_lowest_layer(out.ws).close(ec);
      beast::get_lowest_layer(err.ws).close(ec);
      io.restart();
      io.run();
    }
  }
  in.close(websocket::close_code::normal, ec);
  control.close(websocket::close_code::normal, ec);
  if (killed) {
    (void)c.Wait(op);  // the operation ends with the killed command
    return MakeError("exec in " + instance + ": no exit within " + std::to_string(c.timeout().count()) +
                     " ms; the command was killed");
  }
  FOREST_ASSIGN_OR_RETURN(Json md, c.Wait(op));
  if (!md.contains("metadata") || !md["metadata"].is_object() ||
      !md["metadata"].contains("return") || !md["metadata"]["return"].is_number_integer()) {
    return MakeError("exec in " + instance + ": no exit code in the finished operation");
  }
  return md["metadata"]["return"].get<int>();
}

}  // namespace

// incusd 6.0.4 sometimes loses the pid of a command it starts ("Failed to
// retrieve PID of executing child process"), before or after the command ran
// (lxc's attach can fail once the command is running: CI saw one run twice).
// The command is started again, twice at most, only when its start mark never
// arrived: it did not run. The mark is taken out of what the sink sees.
Result<int> ExecStream(Client& c, const std::string& socket_path, const std::string& instance,
                       const std::vector<std::string>& argv, const StringMap& env,
                       const OutputSink& sink) {
  bool started = false, first_err = true;
  OutputSink tracking = [&](int fd, std::string_view bytes) {
    if (fd == 2 && first_err && !bytes.empty()) {
      first_err = false;
      if (bytes.front() == kStartMark) {
        started = true;
        bytes.remove_prefix(1);
      }
    }
    if (!bytes.empty()) {
      started = true;  // output of any kind: it ran
      sink(fd, bytes);
    }
  };
  for (int attempt = 0;; ++attempt) {
    auto r = ExecStreamOnce(c, socket_path, instance, argv, env, tracking);
    if (r.ok() || started || attempt == 2 ||
        r.error().message.find("Failed to retrieve PID") == std::string::npos) {
      return r;
    }
  }
}

}  // namespace forest::incus
