#include "incus/api.h"

#include <chrono>
#include <thread>

#include "base/files.h"
#include "incus/exec_marks.h"

namespace forest::incus {

namespace {

Json ToJson(const StringMap& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

Json ToJson(const Devices& d) {
  Json j = Json::object();
  for (const auto& [k, v] : d) j[k] = ToJson(v);
  return j;
}

StringMap ToStringMap(const Json& j) {
  StringMap m;
  if (!j.is_object()) return m;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) m[it.key()] = it.value().get<std::string>();
  }
  return m;
}

std::vector<std::string> NamesFromUrls(const Json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const Json& u : j) {
    if (!u.is_string()) continue;
    std::string s = u.get<std::string>();
    if (auto q = s.find('?'); q != std::string::npos) s.resize(q);
    out.push_back(s.substr(s.rfind('/') + 1));
  }
  return out;
}

Result<bool> Exists(Client& c, const std::string& path) {
  FOREST_ASSIGN_OR_RETURN(auto j, c.GetIfExists(path));
  return j.has_value();
}

}  // namespace

// --- projects, pools, networks ------------------------------------------

Result<bool> ProjectExists(Client& c, const std::string& name) {
  return Exists(c, "/1.0/projects/" + Escape(name) + "?project=");
}

Status EnsureProject(Client& c, const std::string& name, const StringMap& config,
                     const std::string& description) {
  FOREST_ASSIGN_OR_RETURN(bool exists, ProjectExists(c, name));
  if (exists) return {};
  FOREST_TRY(c.Post("/1.0/projects?project=",
                    {{"name", name}, {"config", ToJson(config)}, {"description", description}}));
  return {};
}

Status DeleteProject(Client& c, const std::string& name) {
  FOREST_TRY(c.Delete("/1.0/projects/" + Escape(name) + "?project="));
  return {};
}

Result<bool> StoragePoolExists(Client& c, const std::string& name) {
  return Exists(c, "/1.0/storage-pools/" + Escape(name));
}

Status CreateStoragePool(Client& c, const std::string& name, const std::string& driver,
                         const StringMap& config, const std::string& description) {
  FOREST_TRY(c.Post("/1.0/storage-pools", {{"name", name},
                                           {"driver", driver},
                                           {"config", ToJson(config)},
                                           {"description", description}}));
  return {};
}

Result<std::optional<Json>> GetStoragePool(Client& c, const std::string& name) {
  return c.GetIfExists("/1.0/storage-pools/" + Escape(name));
}

Status DeleteStoragePool(Client& c, const std::string& name) {
  FOREST_TRY(c.Delete("/1.0/storage-pools/" + Escape(name)));
  return {};
}

Result<std::optional<Json>> Settled(Client& c, const std::string& path, std::chrono::milliseconds limit,
                                    std::chrono::milliseconds every) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (true) {
    FOREST_ASSIGN_OR_RETURN(auto got, c.GetIfExists(path));
    if (!got || got->value("status", "") != "Pending") return got;
    if (std::chrono::steady_clock::now() >= end) return got;
    std::this_thread::sleep_for(every);
  }
}

Result<std::optional<Json>> GetNetwork(Client& c, const std::string& name) {
  return c.GetIfExists("/1.0/networks/" + Escape(name));
}

Status CreateNetwork(Client& c, const std::string& name, const std::string& type,
                     const StringMap& config, const std::string& description) {
  FOREST_TRY(c.Post("/1.0/networks", {{"name", name},
                                      {"type", type},
                                      {"config", ToJson(config)},
                                      {"description", description}}));
  return {};
}

Status UpdateNetwork(Client& c, const std::string& name, const StringMap& config,
                     const std::string& description) {
  FOREST_TRY(c.Patch("/1.0/networks/" + Escape(name),
                     {{"config", ToJson(config)}, {"description", description}}));
  return {};
}

Status DeleteNetwork(Client& c, const std::string& name) {
  FOREST_TRY(c.Delete("/1.0/networks/" + Escape(name)));
  return {};
}

// --- profiles -------------------------------------------------------------

Result<std::optional<Profile>> GetProfile(Client& c, const std::string& name) {
  FOREST_ASSIGN_OR_RETURN(auto j, c.GetIfExists("/1.0/profiles/" + Escape(name)));
  if (!j) return std::optional<Profile>();
  Profile p;
  p.name = name;
  p.description = j->value("description", "");
  p.config = ToStringMap((*j)["config"]);
  if (j->contains("devices") && (*j)["devices"].is_object()) {
    for (auto it = (*j)["devices"].begin(); it != (*j)["devices"].end(); ++it) {
      p.devices[it.key()] = ToStringMap(it.value());
    }
  }
  return std::optional<Profile>(std::move(p));
}

Result<bool> PutProfile(Client& c, const Profile& p) {
  FOREST_ASSIGN_OR_RETURN(auto old, GetProfile(c, p.name));
  Json body = {{"config", ToJson(p.config)},
               {"devices", ToJson(p.devices)},
               {"description", p.description}};
  if (!old) {
    body["name"] = p.name;
    FOREST_TRY(c.Post("/1.0/profiles", body));
    return true;
  }
  if (old->config == p.config && old->devices == p.devices && old->description == p.description) {
    return false;
  }
  FOREST_TRY(c.Put("/1.0/profiles/" + Escape(p.name), body));
  return true;
}

Status DeleteProfile(Client& c, const std::string& name) {
  FOREST_TRY(c.Delete("/1.0/profiles/" + Escape(name)));
  return {};
}

Result<std::vector<std::string>> ListProfiles(Client& c) {
  FOREST_ASSIGN_OR_RETURN(Json j, c.Get("/1.0/profiles"));
  return NamesFromUrls(j);
}

// --- images ----------------------------------------------------------------

Result<std::string> ImportImage(Client& c, const std::string& tarball_path, bool public_image) {
  FOREST_ASSIGN_OR_RETURN(std::string data, ReadFile(tarball_path, size_t{8} << 30));
  Headers h = {{"Content-Type", "application/octet-stream"},
               {"X-Incus-public", public_image ? "1" : "0"}};
  auto r = c.PostRaw("/1.0/images", data, h);
  if (!r.ok()) return r.error().Wrap(tarball_path);
  const Json& md = *r;
  if (md.contains("metadata") && md["metadata"].is_object() &&
      md["metadata"].contains("fingerprint")) {
    return md["metadata"]["fingerprint"].get<std::string>();
  }
  return MakeError(tarball_path + ": image import returned no fingerprint");
}

Result<bool> ImageExists(Client& c, const std::string& fingerprint) {
  return Exists(c, "/1.0/images/" + Escape(fingerprint));
}

Status SetImageAlias(Client& c, const std::string& alias, const std::string& fingerprint) {
  FOREST_ASSIGN_OR_RETURN(auto cur, c.GetIfExists("/1.0/images/aliases/" + Escape(alias)));
  if (!cur) {
    FOREST_TRY(c.Post("/1.0/images/aliases", {{"name", alias}, {"target", fingerprint}}));
  } else if (cur->value("target", "") != fingerprint) {
    FOREST_TRY(c.Put("/1.0/images/aliases/" + Escape(alias),
                     {{"target", fingerprint}, {"description", ""}}));
  }
  return {};
}

Result<std::optional<std::string>> ResolveImageAlias(Client& c, const std::string& alias) {
  FOREST_ASSIGN_OR_RETURN(auto cur, c.GetIfExists("/1.0/images/aliases/" + Escape(alias)));
  if (!cur) return std::optional<std::string>();
  return std::optional<std::string>(cur->value("target", ""));
}

Status PullImage(Client& c, const std::string& server, const std::string& certificate_pem,
                 const std::string& fingerprint, const std::string& source_project) {
  Json source = {{"type", "image"},           {"mode", "pull"},
                 {"server", server},          {"protocol", "incus"},
                 {"fingerprint", fingerprint}, {"certificate", certificate_pem}};
  if (!source_project.empty()) source["project"] = source_project;
  FOREST_TRY(c.Post("/1.0/images", {{"source", source}, {"public", true}}));
  return {};
}

Status DeleteImage(Client& c, const std::string& fingerprint) {
  FOREST_TRY(c.Delete("/1.0/images/" + Escape(fingerprint)));
  return {};
}

Result<std::vector<std::string>> ListImages(Client& c) {
  FOREST_ASSIGN_OR_RETURN(Json j, c.Get("/1.0/images"));
  return NamesFromUrls(j);
}

// --- instances -------------------------------------------------------------

Result<std::optional<Json>> GetInstance(Client& c, const std::string& name) {
  return c.GetIfExists("/1.0/instances/" + Escape(name));
}

Result<std::vector<std::string>> ListInstances(Client& c) {
  FOREST_ASSIGN_OR_RETURN(Json j, c.Get("/1.0/instances"));
  return NamesFromUrls(j);
}

Status CreateInstance(Client& c, const InstanceSpec& s) {
  Json body = {{"name", s.name},
               {"type", "container"},
               {"profiles", s.profiles},
               {"config", ToJson(s.config)},
               {"devices", ToJson(s.devices)},
               {"description", s.description},
               {"source", {{"type", "image"}, {"fingerprint", s.image_fingerprint}}}};
  auto r = c.Post("/1.0/instances", body);
  if (!r.ok()) return r.error().Wrap("create " + s.name);
  return {};
}

Status PatchInstance(Client& c, const std::string& name, const Json& patch) {
  FOREST_TRY(c.Patch("/1.0/instances/" + Escape(name), patch));
  return {};
}

Result<bool> RemoveInstanceDevice(Client& c, const std::string& name, const std::string& device) {
  std::string path = "/1.0/instances/" + Escape(name);
  FOREST_ASSIGN_OR_RETURN(Json put, c.Get(path));
  if (!put.contains("devices") || !put["devices"].is_object() || !put["devices"].contains(device)) return false;
  put["devices"].erase(device);
  FOREST_TRY(c.Put(path, put));
  return true;
}

Result<Json> InstanceState(Client& c, const std::string& name) {
  return c.Get("/1.0/instances/" + Escape(name) + "/state");
}

Result<std::string> InstanceStatus(Client& c, const std::string& name) {
  FOREST_ASSIGN_OR_RETURN(Json j, InstanceState(c, name));
  return j.value("status", "");
}

Status SetInstanceState(Client& c, const std::string& name, const std::string& action,
                        bool force) {
  auto r = c.Put("/1.0/instances/" + Escape(name) + "/state",
                 {{"action", action}, {"timeout", 60}, {"force", force}});
  if (!r.ok()) return r.error().Wrap(action + " " + name);
  return {};
}

Status DeleteInstance(Client& c, const std::string& name) {
  FOREST_TRY(c.Delete("/1.0/instances/" + Escape(name)));
  return {};
}

namespace {

// One recorded output of an exec, removed once read ("" when it is gone).
std::string TakeLog(Client& c, const std::string& url) {
  auto body = c.GetRaw(url);
  (void)c.Delete(url);
  return body.ok() ? std::move(body).value() : "";
}

}  // namespace

// The command runs under MarkedCommand's wrapper with an end mark. When
// incusd loses its pid (exec_marks.h), the recorded stderr says what
// happened: no start mark, it did not run and starts again (twice at most);
// an end mark, it ran to that exit code and its result stands; a start mark
// alone, it ran and its end is unknown (an error, never a second run).
Result<ExecResult> Exec(Client& c, const std::string& instance, const std::vector<std::string>& argv,
                        const StringMap& env) {
  Json body = {{"command", MarkedCommand(argv, {.end_mark = true})},
               {"environment", ToJson(env)},
               {"wait-for-websocket", false},
               {"interactive", false},
               {"record-output", true}};
  const std::string path = "/1.0/instances/" + Escape(instance) + "/exec";
  for (int attempt = 0;; ++attempt) {
    FOREST_ASSIGN_OR_RETURN(Json start, c.Start("POST", path, body));
    std::string op = start.value("operation", "");
    bool sync = start.value("type", "") == "sync";  // a daemon that answers at once (and the fakes)
    if (op.empty() && !sync) return MakeError("exec in " + instance + ": async response without operation");
    Result<Json> done =
        sync ? Result<Json>(start.contains("metadata") ? start["metadata"] : Json()) : c.Wait(op);
    ExecResult out;
    if (done.ok()) {
      const Json& md = (*done)["metadata"];
      out.exit_code = md.is_object() ? md.value("return", -1) : -1;
      if (md.is_object() && md.contains("output") && md["output"].is_object()) {
        for (auto it = md["output"].begin(); it != md["output"].end(); ++it) {
          if (!it.value().is_string()) continue;
          (it.key() == "1" ? out.out : out.err) = TakeLog(c, it.value().get<std::string>());
        }
      }
      out.err = ReadMarks(out.err).text;
      return out;
    }
    if (!IsLostPid(done.error().message)) return done.error().Wrap("exec in " + instance);
    std::string logs =
        "/1.0/instances/" + Escape(instance) + "/logs/exec-output/exec_" + op.substr(op.rfind('/') + 1);
    out.out = TakeLog(c, logs + ".stdout");
    MarkedStderr err = ReadMarks(TakeLog(c, logs + ".stderr"));
    if (err.exit_code) {
      out.exit_code = *err.exit_code;
      out.err = std::move(err.text);
      return out;
    }
    if (err.started) {
      return MakeError("exec in " + instance + ": incusd lost the command after it started (" +
                       std::string(kLostPid) + "); it ran, its exit status is unknown");
    }
    if (attempt == 2) return done.error().Wrap("exec in " + instance + " (3 tries)");
  }
}

Result<std::string> ExecOk(Client& c, const std::string& instance,
                           const std::vector<std::string>& argv, const StringMap& env) {
  FOREST_ASSIGN_OR_RETURN(ExecResult r, Exec(c, instance, argv, env));
  if (r.exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    std::string err = r.err.empty() ? r.out : r.err;
    if (err.size() > 4000) err = "…" + err.substr(err.size() - 4000);
    return MakeError(instance + ": `" + cmd + "` exited " + std::to_string(r.exit_code) +
                     (err.empty() ? "" : ":\n" + err));
  }
  return std::move(r.out);
}

Status PushFile(Client& c, const std::string& instance, const std::string& path,
                const std::string& content, int mode, int uid, int gid) {
  char m[8];
  std::snprintf(m, sizeof m, "%04o", mode);
  Headers h = {{"Content-Type", "application/octet-stream"},
               {"X-Incus-type", "file"},
               {"X-Incus-mode", m},
               {"X-Incus-uid", std::to_string(uid)},
               {"X-Incus-gid", std::to_string(gid)},
               {"X-Incus-write", "overwrite"}};
  auto r = c.PostRaw("/1.0/instances/" + Escape(instance) + "/files?path=" + Escape(path), content,
                     h);
  if (!r.ok()) return r.error().Wrap("push " + instance + ":" + path);
  return {};
}

Result<std::string> PullFile(Client& c, const std::string& instance, const std::string& path) {
  return c.GetRaw("/1.0/instances/" + Escape(instance) + "/files?path=" + Escape(path));
}

}  // namespace forest::incus
