// A small Incus REST client (API 1.0): sync and async responses, operation
// waits, errors with the daemon's message. Everything the product does to
// Incus goes through here; it never runs the `incus` command on core paths.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "incus/transport.h"

namespace forest::incus {

using Json = nlohmann::json;

class Client {
 public:
  // `project` is added to every request that takes one ("" = default).
  Client(std::shared_ptr<Transport> transport, std::string project = "");

  static Client Local(std::string project = "");

  Client WithProject(std::string project) const {
    Client c(transport_, std::move(project));
    c.timeout_ = timeout_;
    return c;
  }
  const std::string& project() const { return project_; }
  // A copy whose every call (an operation's wait included) ends with an
  // error after `timeout` (zero: no deadline, the default). Daemons use it so
  // that one hung incusd request cannot stall their loop.
  Client WithTimeout(std::chrono::milliseconds timeout) const {
    Client c(transport_, project_);
    c.timeout_ = timeout;
    return c;
  }
  std::chrono::milliseconds timeout() const { return timeout_; }

  // One call; for an async response, waits for the operation to finish and
  // returns its metadata. 404 → error whose message starts with "not found".
  Result<Json> Get(const std::string& path);
  Result<Json> Post(const std::string& path, const Json& body);
  Result<Json> Put(const std::string& path, const Json& body);
  Result<Json> Patch(const std::string& path, const Json& body);
  Result<Json> Delete(const std::string& path);
  // Raw body with headers (file push, image upload).
  Result<Json> PostRaw(const std::string& path, const std::string& body, const Headers& headers);

  // GET of a path that may not exist: nullopt on 404.
  Result<std::optional<Json>> GetIfExists(const std::string& path);
  // Raw GET body (file pull, exec logs).
  Result<std::string> GetRaw(const std::string& path);
  // The same with the response headers (file metadata: X-Incus-Type, ...).
  Result<HttpResponse> GetResponse(const std::string& path);

  // Starts a request whose async operation the caller follows itself
  // (websocket exec); returns the whole response envelope.
  Result<Json> Start(const std::string& method, const std::string& path, const Json& body);
  // Waits for an operation ("/1.0/operations/<id>") and returns its metadata.
  Result<Json> Wait(const std::string& operation_path) { return WaitOperation(operation_path, NewDeadline()); }
  // The daemon's unix socket (for websockets); DefaultSocketPath() when the
  // transport is not a unix socket.
  std::string SocketPath() const;

  Result<Json> Call(const std::string& method, const std::string& path, const std::string& body,
                    const Headers& headers = {{"Content-Type", "application/json"}});

 private:
  std::string Target(const std::string& path) const;
  Deadline NewDeadline() const;
  Result<Json> WaitOperation(const std::string& operation_path, Deadline deadline);

  std::shared_ptr<Transport> transport_;
  std::string project_;
  std::chrono::milliseconds timeout_{0};
};

bool IsNotFound(const Error& e);

// URL-encodes one path segment or query value.
std::string Escape(const std::string& s);

}  // namespace forest::incus
