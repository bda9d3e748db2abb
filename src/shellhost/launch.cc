#include "shellhost/launch.h"

#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "incus/api.h"
#include "render/embedded.h"
#include "render/writer.h"
#include "shellhost/policy.h"
#include "shellhost/protect.h"
#include "shellhost/state.h"
#include "trust/caroot.h"
#include "up/converge.h"

namespace forest::shellhost {

using shell::Jail;
using shell::State;

namespace {
void Say(const std::string& s) { std::cerr << s << std::endl; }
}  // namespace

Result<Ready> UserOf(const Session& s, const Jail& jail) {
  if (!jail.home.empty()) return Ready{jail.user.user, jail.home};
  return Prepare(s, jail);
}

Result<Ready> Prepare(const Session& s, const Jail& jail) {
  FOREST_ASSIGN_OR_RETURN(auto text, render::EmbeddedText("shell/prepare.sh"));
  auto c = s.Client();
  FOREST_ASSIGN_OR_RETURN(std::string out,
                          incus::ExecOk(c, jail.name,
                                        {"sh", "-c", std::string(text), "prepare", jail.user.user,
                                         std::to_string(jail.user.uid), std::to_string(jail.user.gid)}));
  return ParsePrepared(jail.name, std::move(out));
}

Result<Ready> ParsePrepared(const std::string& jail, std::string out) {
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  auto last = out.rfind('\n');
  std::string line = last == std::string::npos ? out : out.substr(last + 1);
  auto sp = line.find(' ');
  if (sp == std::string::npos) return MakeError(jail + ": preparing the jail user printed '" + out + "'");
  return Ready{line.substr(0, sp), line.substr(sp + 1)};
}

Result<std::string> AgentSocket(bool wanted, const char* env) {
  if (!wanted) return std::string();
  static constexpr char kFix[] =
      "run `sudo --preserve-env=SSH_AUTH_SOCK forest shell --ssh-agent ...` (Debian's sudo drops it), "
      "or start an agent (`eval $(ssh-agent)`, `ssh-add`) first; or leave out --ssh-agent";
  if (env == nullptr || *env == '\0') {
    return MakeError(std::string("--ssh-agent: SSH_AUTH_SOCK is not set, so there is no agent to forward; ") +
                     kFix);
  }
  struct stat st {};
  if (stat(env, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    return MakeError(std::string("--ssh-agent: SSH_AUTH_SOCK=") + env + " is not a socket here; " + kFix);
  }
  return std::string(env);
}

Result<Ready> Converge(Session& s, State& st, Jail& jail, const LaunchOptions& lo) {
  // Checked before anything changes: a jail that cannot get the agent it
  // was asked for does not start without it.
  FOREST_ASSIGN_OR_RETURN(std::string agent, AgentSocket(jail.ssh_agent, std::getenv("SSH_AUTH_SOCK")));
  auto client = s.Client();
  auto inst = incus::GetInstance(client, jail.name);
  bool running = inst.ok() && *inst && (**inst).value("status", "") == "Running";
  // Ready means running with its user prepared. Anything else (stopped, or
  // left by a start that failed half-way) is converged whole, and is not
  // recorded as ready until that succeeds.
  bool ready = running && !jail.home.empty();
  if (!ready) {
    auto tool = s.config.tools.find(jail.tool);
    if (tool == s.config.tools.end()) {
      return MakeError(
          jail.name + ": its tool '" + jail.tool + "' is in no config layer now (its settings files " +
          "are protected paths); add it back under `tools:`, or `forest shell kill " + jail.name + "`");
    }
    FOREST_ASSIGN_OR_RETURN(jail.readonly_paths, ProtectWorkspace(jail.workspace, s.config, tool->second));
    jail.home.clear();
    FOREST_TRY(RecordJail(s, st, jail));
  }
  FOREST_TRY(WriteTopology(s, st));
  FOREST_ASSIGN_OR_RETURN(auto loaded, LoadForest(s));
  FOREST_TRY(render::WriteSlotMemory(s.dir, loaded->plan.Slots()));
  // The policy is in place before the jail's first packet.
  FOREST_TRY(ApplyNetPolicy(s, st));
  if (!ready) {
    up::Options o;
    o.topology_text = loaded->text;
    o.slots = loaded->plan.Slots();
    o.self_binary = lo.self_binary;
    o.authorized_keys = lo.authorized_keys ? lo.authorized_keys() : std::string();
    o.guard_uplink = lo.guard_uplink;
    // The helper signs with the host's mkcert root, as for `forest up`:
    // `mkcert` in a jail chains to the root the host's browsers trust.
    o.caroot = trust::DefaultCaroot();
    o.progress = Say;
    o.state_dir = s.dir;
    o.only_roots = {jail.name};
    if (inst.ok() && *inst) {
      Say(jail.name + (running ? ": converging (its last start did not finish)" : ": starting"));
      if (!running) FOREST_TRY(incus::SetInstanceState(client, jail.name, "start", false));
    }
    FOREST_TRY(up::UpHost(client, loaded->topology, loaded->plan, o));
  }
  // ssh-agent: a socket only the jail user can use, connected to the
  // invoking user's agent; no key ever enters the jail.
  FOREST_ASSIGN_OR_RETURN(auto now, incus::GetInstance(client, jail.name));
  bool has = now && (*now)["devices"].contains("forest-shell-agent");
  if (jail.ssh_agent) {
    nlohmann::json dev = {{"type", "proxy"},
                          {"bind", "instance"},
                          {"listen", std::string("unix:") + kAgentSocket},
                          {"connect", std::string("unix:") + agent},
                          {"mode", "0600"},
                          {"uid", std::to_string(jail.user.uid)},
                          {"gid", std::to_string(jail.user.gid)}};
    if (!has || (*now)["devices"]["forest-shell-agent"].value("connect", "") != dev["connect"]) {
      FOREST_TRY(incus::PatchInstance(client, jail.name, {{"devices", {{"forest-shell-agent", dev}}}}));
    }
  } else if (has) {
    FOREST_TRY(incus::RemoveInstanceDevice(client, jail.name, "forest-shell-agent"));
  }
  if (ready) return Ready{jail.user.user, jail.home};
  // The user and its runtime directory: made at every (re)start (/run is
  // empty after a boot); only then is the jail recorded as ready.
  FOREST_ASSIGN_OR_RETURN(Ready r, Prepare(s, jail));
  jail.home = r.home;
  jail.user.user = r.user;
  FOREST_TRY(RecordJail(s, st, jail));
  return r;
}

}  // namespace forest::shellhost
