#include "incus/exec_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "incus/exec_marks.h"

namespace forest::incus {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Socket = websocket::stream<asio::local::stream_protocol::socket>;

namespace {

// Reads frames from one output websocket until it closes; `done` runs then.
struct Reader {
  Socket ws;
  int fd;
  const OutputSink* sink;
  std::function<void()> done;
  beast::flat_buffer buf;
  Reader(asio::io_context& io, int f, const OutputSink& s) : ws(io), fd(f), sink(&s) {}
  void Retarget(const OutputSink& s) { sink = &s; }
  void Next() {
    ws.async_read(buf, [this](boost::system::error_code ec, std::size_t) {
      if (ec) {  // closed (the command finished) or broken
        if (done) done();
        return;
      }
      auto data = buf.data();
      (*sink)(fd, std::string_view(static_cast<const char*>(data.data()), data.size()));
      buf.consume(buf.size());
      Next();
    });
  }
};

// Streams a local descriptor into the stdin websocket: chunk by chunk, the
// next read only once the last write is done (the daemon's pace), then a
// websocket close, which incusd passes on as the end of the command's input.
// A descriptor epoll cannot watch (a regular file, /dev/null) is read
// directly: such reads never wait. The descriptor's flags are restored
// after (Asio makes a watched one non-blocking).
class StdinPump {
 public:
  StdinPump(asio::io_context& io, Socket& ws, int fd) : ws_(ws), fd_(fd), desc_(io) {
    flags_ = fcntl(fd, F_GETFL);
    int copy = dup(fd);
    boost::system::error_code ec;
    if (copy >= 0) {
      desc_.assign(copy, ec);
      if (ec) {
        close(copy);
      } else {
        // epoll refuses regular files and some devices: read those directly.
        struct stat st {};
        if (fstat(copy, &st) == 0 && S_ISREG(st.st_mode)) {
          (void)desc_.release();
          close(copy);
        }
      }
    }
  }
  ~StdinPump() {
    boost::system::error_code ec;
    if (desc_.is_open()) desc_.close(ec);
    if (flags_ >= 0) fcntl(fd_, F_SETFL, flags_);
  }
  void Start() {
    if (started_) return;
    started_ = true;
    Read();
  }
  // The command is done: no more input is read.
  void Stop() {
    stopped_ = true;
    boost::system::error_code ec;
    if (desc_.is_open()) desc_.cancel(ec);
  }

 private:
  void Read() {
    if (stopped_) return;
    if (desc_.is_open()) {
      desc_.async_read_some(asio::buffer(buf_), [this](boost::system::error_code ec, std::size_t n) {
        if (ec || n == 0) return Finish(ec == asio::error::operation_aborted);
        Write(n);
      });
      return;
    }
    ssize_t n;
    do n = read(fd_, buf_.data(), buf_.size());
    while (n < 0 && errno == EINTR);
    if (n <= 0) return Finish(false);
    Write(static_cast<size_t>(n));
  }
  void Write(size_t n) {
    ws_.async_write(asio::buffer(buf_.data(), n), [this](boost::system::error_code ec, std::size_t) {
      if (ec) return;  // the command is gone; its exit code tells the rest
      Read();
    });
  }
  void Finish(bool aborted) {
    if (aborted || stopped_) return;
    ws_.async_close(websocket::close_code::normal, [](boost::system::error_code) {});
  }

  Socket& ws_;
  int fd_;
  int flags_ = -1;
  asio::posix::stream_descriptor desc_;
  bool started_ = false;
  bool stopped_ = false;
  std::array<char, 64 * 1024> buf_{};
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
                           const std::vector<std::string>& argv, const StringMap& env, const OutputSink& sink,
                           int stdin_fd) {
  Json envj = Json::object();
  for (const auto& [k, v] : env) envj[k] = v;
  // Without stdin_fd, stdin is /dev/null inside; the stdin websocket itself
  // stays open until the end (closing it before the command started makes
  // incusd 6.0 abort the start). The first byte on stderr is kExecMark: it
  // says the command started (ExecStream); input flows only after it.
  std::vector<std::string> cmd = MarkedCommand(argv, {.stdin_null = stdin_fd < 0});
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
  std::unique_ptr<StdinPump> pump;
  if (stdin_fd >= 0) pump = std::make_unique<StdinPump>(io, in, stdin_fd);
  int open_outputs = 2;
  auto output_done = [&] {
    if (--open_outputs == 0 && pump) pump->Stop();
  };
  out.done = output_done;
  err.done = output_done;
  const OutputSink* user = &sink;
  bool mark_seen = false;
  OutputSink starting = [&](int fd, std::string_view bytes) {
    if (fd == 2 && !mark_seen && !bytes.empty() && bytes.front() == kExecMark) {
      mark_seen = true;
      if (pump) pump->Start();
    }
    (*user)(fd, bytes);
  };
  err.Retarget(starting);
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
  pump.reset();
  if (in.is_open()) in.close(websocket::close_code::normal, ec);
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
                       const std::vector<std::string>& argv, const StringMap& env, const OutputSink& sink,
                       int stdin_fd) {
  bool started = false, first_err = true;
  OutputSink tracking = [&](int fd, std::string_view bytes) {
    if (fd == 2 && first_err && !bytes.empty()) {
      first_err = false;
      if (bytes.front() == kExecMark) {
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
    auto r = ExecStreamOnce(c, socket_path, instance, argv, env, tracking, stdin_fd);
    if (r.ok() || started || attempt == 2 || !IsLostPid(r.error().message)) {
      return r;
    }
  }
}

}  // namespace forest::incus
