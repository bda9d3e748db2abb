#include "incus/client.h"

#include <algorithm>
#include <cstdio>

namespace forest::incus {

namespace {
constexpr char kNotFound[] = "not found";
}

bool IsNotFound(const Error& e) { return e.message.rfind(kNotFound, 0) == 0; }

std::string Escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Client::Client(std::shared_ptr<Transport> transport, std::string project)
    : transport_(std::move(transport)), project_(std::move(project)) {}

Client Client::Local(std::string project) {
  return Client(std::make_shared<UnixSocketTransport>(DefaultSocketPath()), std::move(project));
}

Deadline Client::NewDeadline() const {
  if (timeout_.count() <= 0) return kNoDeadline;
  return std::chrono::steady_clock::now() + timeout_;
}

std::string Client::Target(const std::string& path) const {
  if (project_.empty() || path.find("project=") != std::string::npos) return path;
  return path + (path.find('?') == std::string::npos ? "?" : "&") + "project=" + Escape(project_);
}

Result<Json> Client::Call(const std::string& method, const std::string& path,
                          const std::string& body, const Headers& headers) {
  std::string target = Target(path);
  Deadline deadline = NewDeadline();
  FOREST_ASSIGN_OR_RETURN(HttpResponse resp, transport_->Send(method, target, body, headers, deadline));
  Json j = Json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    if (resp.status == 404) return MakeError(std::string(kNotFound) + ": " + method + " " + path);
    return MakeError(method + " " + path + ": HTTP " + std::to_string(resp.status) +
                     ": response is not a JSON object");
  }
  std::string type = j.value("type", "");
  if (type == "error" || resp.status >= 400) {
    std::string msg = j.value("error", std::string("HTTP ") + std::to_string(resp.status));
    if (resp.status == 404 || j.value("error_code", 0) == 404) {
      return MakeError(std::string(kNotFound) + ": " + method + " " + path + ": " + msg);
    }
    return MakeError(method + " " + path + ": " + msg);
  }
  if (type == "async") {
    std::string op = j.value("operation", "");
    if (op.empty()) return MakeError(method + " " + path + ": async response without operation");
    auto r = WaitOperation(op, deadline);
    if (!r.ok()) return r.error().Wrap(method + " " + path);
    return r;
  }
  return j.contains("metadata") ? j["metadata"] : Json();
}

std::string Client::SocketPath() const {
  if (auto* u = dynamic_cast<UnixSocketTransport*>(transport_.get())) return u->path();
  return DefaultSocketPath();
}

Result<Json> Client::Start(const std::string& method, const std::string& path, const Json& body) {
  FOREST_ASSIGN_OR_RETURN(HttpResponse resp,
                          transport_->Send(method, Target(path), body.dump(),
                                           {{"Content-Type", "application/json"}}, NewDeadline()));
  Json j = Json::parse(resp.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(method + " " + path + ": HTTP " + std::to_string(resp.status) +
                     ": response is not a JSON object");
  }
  if (j.value("type", "") == "error" || resp.status >= 400) {
    return MakeError(method + " " + path + ": " +
                     j.value("error", std::string("HTTP ") + std::to_string(resp.status)));
  }
  return j;
}

Result<Json> Client::WaitOperation(const std::string& operation_path, Deadline deadline) {
  // Finished operations vanish ~5 s after completion: wait right away, and in
  // slices so a hung daemon cannot hold us forever without a message.
  using namespace std::chrono;
  for (int attempt = 0; attempt < 120; ++attempt) {
    long slice = 30;
    if (deadline != kNoDeadline) {
      auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
      if (left <= 0) break;
      slice = std::max(1L, std::min(30L, (left + 999) / 1000));
    }
    std::string target = operation_path + "/wait?timeout=" + std::to_string(slice);
    FOREST_ASSIGN_OR_RETURN(HttpResponse resp, transport_->Send("GET", target, "", {}, deadline));
    Json j = Json::parse(resp.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return MakeError(operation_path + ": bad wait response");
    if (j.value("type", "") == "error") {
      // A wait that times out is an error too; the operation may still run.
      std::string msg = j.value("error", std::string("error"));
      if (msg.find("deadline exceeded") != std::string::npos) continue;
      return MakeError(operation_path + ": " + msg);
    }
    const Json& md = j["metadata"];
    std::string status = md.value("status", "");
    if (status == "Success") return md;
    if (status == "Failure" || status == "Cancelled") {
      return MakeError(md.value("err", status));
    }
  }
  if (deadline != kNoDeadline) {
    return MakeError(operation_path + ": not finished within " + std::to_string(timeout_.count()) + " ms");
  }
  return MakeError(operation_path + ": still running after 60 minutes");
}

Result<Json> Client::Get(const std::string& path) { return Call("GET", path, ""); }
Result<Json> Client::Post(const std::string& path, const Json& body) {
  return Call("POST", path, body.dump());
}
Result<Json> Client::Put(const std::string& path, const Json& body) {
  return Call("PUT", path, body.dump());
}
Result<Json> Client::Patch(const std::string& path, const Json& body) {
  return Call("PATCH", path, body.dump());
}
Result<Json> Client::Delete(const std::string& path) { return Call("DELETE", path, ""); }
Result<Json> Client::PostRaw(const std::string& path, const std::string& body,
                             const Headers& headers) {
  return Call("POST", path, body, headers);
}

Result<std::optional<Json>> Client::GetIfExists(const std::string& path) {
  auto r = Get(path);
  if (r.ok()) return std::optional<Json>(std::move(r).value());
  if (IsNotFound(r.error())) return std::optional<Json>();
  return r.error();
}

Result<std::string> Client::GetRaw(const std::string& path) {
  FOREST_ASSIGN_OR_RETURN(HttpResponse resp, GetResponse(path));
  return std::move(resp.body);
}

Result<HttpResponse> Client::GetResponse(const std::string& path) {
  FOREST_ASSIGN_OR_RETURN(HttpResponse resp, transport_->Send("GET", Target(path), "", {}, NewDeadline()));
  if (resp.status == 404) return MakeError(std::string(kNotFound) + ": GET " + path);
  if (resp.status >= 400) {
    Json j = Json::parse(resp.body, nullptr, false);
    std::string msg = j.is_object() ? j.value("error", std::string()) : std::string();
    return MakeError("GET " + path + ": HTTP " + std::to_string(resp.status) + " " + msg);
  }
  return resp;
}

}  // namespace forest::incus
