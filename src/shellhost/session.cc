#include "shellhost/session.h"

#include <cstdlib>
#include <filesystem>

#include "base/files.h"
#include "base/invoker.h"

namespace forest::shellhost {

namespace {

namespace fs = std::filesystem;

// The invoking user and their home: the one sudo ran us for (ids from
// SUDO_UID/SUDO_GID, name and home from the password database), else
// ourselves. The name is folded to what useradd takes in the jail.
Result<std::pair<shell::Invoker, std::string>> WhoAmI() {
  FOREST_ASSIGN_OR_RETURN(forest::Invoker who, CurrentInvoker());
  shell::Invoker me;
  me.uid = who.uid;
  me.gid = who.gid;
  me.user = who.name;
  // Under sudo the passwd home, whatever HOME says; otherwise HOME (this
  // process's own environment), else the passwd home.
  std::string home = who.home;
  if (const char* h = std::getenv("HOME"); !who.sudo && h && *h) home = h;
  if (me.uid == 0) me.user = "root";
  std::string clean;
  for (char c : me.user) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') clean += c;
  }
  if (clean.empty() || !(clean[0] >= 'a' && clean[0] <= 'z')) clean = "agent";
  me.user = clean;
  return std::pair{me, home};
}

}  // namespace

Result<shell::NetMode> ParseMode(const std::string& s) {
  if (s == "restricted") return shell::NetMode::kRestricted;
  if (s == "allowlist") return shell::NetMode::kAllowlist;
  if (s == "open") return shell::NetMode::kOpen;
  return MakeError("--network: '" + s + "' is not a network mode; use restricted, allowlist or open");
}

incus::Client Session::Client() const {
  return transport ? incus::Client(transport, Project()) : incus::Client::Local(Project());
}

Result<Session> Open(const Flags& f) {
  Session s;
  std::error_code ec;
  fs::path ws = f.workspace.empty() ? fs::current_path(ec) : fs::path(f.workspace);
  auto real = fs::canonical(ws, ec);
  if (ec || !fs::is_directory(real)) {
    return MakeError("--workspace " + ws.string() + ": not a directory (" + ec.message() +
                     "); give the project folder to work on");
  }
  s.workspace = real.string();
  if (s.workspace == "/") return MakeError("--workspace: the host's / cannot be a workspace");
  FOREST_ASSIGN_OR_RETURN(auto who, WhoAmI());
  s.me = who.first;
  s.config = shell::Builtin();
  // The user's layer: under sudo from their passwd home, never from HOME
  // (which `sudo` and `sudo -E` set differently).
  const std::string& home = who.second;
  for (const auto& file : shell::LayerFiles(home, s.workspace)) {
    if (!fs::exists(file, ec)) continue;
    FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(file, 1 << 20));
    FOREST_TRY(shell::ApplyLayer(s.config, text, file));
  }
  if (!f.profile.empty()) FOREST_TRY(shell::ApplyProfile(s.config, f.profile));
  auto& c = s.config;
  if (!f.tool.empty()) {
    if (!c.tools.count(f.tool)) {
      std::string names;
      for (const auto& [k, v] : c.tools) names += (names.empty() ? "" : ", ") + k;
      return MakeError("--tool: no tool '" + f.tool + "'; the tools are " + names +
                       " (add one under `tools:` in a config file)");
    }
    c.tool = f.tool;
  }
  if (!f.image.empty()) c.image = f.image;
  if (!f.network.empty()) {
    FOREST_ASSIGN_OR_RETURN(c.network, ParseMode(f.network));
  }
  if (!f.allow.empty()) c.allow = f.allow;
  for (const auto& kv : f.env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return MakeError("--env " + kv + ": expected KEY=VALUE");
    c.env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& m : f.mounts) {
    auto a = m.find(':');
    if (a == std::string::npos) return MakeError("--mount " + m + ": expected SRC:DST[:rw]");
    auto b = m.find(':', a + 1);
    shell::Mount mt;
    mt.source = m.substr(0, a);
    mt.path = m.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
    std::string mode = b == std::string::npos ? "" : m.substr(b + 1);
    if (!mode.empty() && mode != "rw" && mode != "ro")
      return MakeError("--mount " + m + ": the mode is rw or ro");
    mt.readonly = mode != "rw";
    auto src = fs::canonical(mt.source, ec);
    if (ec) return MakeError("--mount " + m + ": " + mt.source + ": " + ec.message());
    mt.source = src.string();
    if (mt.path.empty() || mt.path[0] != '/') return MakeError("--mount " + m + ": DST must be absolute");
    c.mounts.push_back(mt);
  }
  if (f.persistent) c.persistent = true;
  if (f.ssh_agent) c.ssh_agent = true;
  if (f.hardened) c.hardened = true;
  if (!f.limits.cpu.empty()) c.limits.cpu = f.limits.cpu;
  if (!f.limits.memory.empty()) c.limits.memory = f.limits.memory;
  if (!f.limits.processes.empty()) c.limits.processes = f.limits.processes;
  if (!f.limits.disk.empty()) c.limits.disk = f.limits.disk;
  if (f.state_root.empty()) return MakeError("forest shell: no state directory given");
  s.state_root = f.state_root;
  s.dir = f.state_root + "/" + c.forest;
  s.sessions_dir = f.state_root + "/" + c.forest + "-sessions";
  return s;
}

}  // namespace forest::shellhost
