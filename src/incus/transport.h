// The wire under the Incus client: one HTTP/1.1 request over a unix socket,
// one response. An interface so the client logic can be tested beside the
// real daemon (client_test.cc runs both).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace forest::incus {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

struct HttpResponse {
  int status = 0;
  std::string body;
  Headers headers;  // as received (names as the server spelled them)
};

class Transport {
 public:
  virtual ~Transport() = default;
  // `target` is the request target ("/1.0/instances?project=p"). A call
  // still unanswered at `deadline` fails ("timed out"), and its connection
  // is closed.
  virtual Result<HttpResponse> Send(const std::string& method, const std::string& target,
                                    const std::string& body, const Headers& headers,
                                    Deadline deadline) = 0;
};

// Boost.Beast over a unix socket, a new connection per request (incusd closes
// idle ones; the cost is ~0.1 ms locally).
class UnixSocketTransport : public Transport {
 public:
  explicit UnixSocketTransport(std::string socket_path) : path_(std::move(socket_path)) {}
  Result<HttpResponse> Send(const std::string& method, const std::string& target,
                            const std::string& body, const Headers& headers,
                            Deadline deadline) override;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The socket of the local daemon: $INCUS_SOCKET, else $INCUS_DIR/unix.socket,
// else /var/lib/incus/unix.socket.
std::string DefaultSocketPath();

}  // namespace forest::incus
