#include "cli/shell_session.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include <boost/asio.hpp>

#include "base/clock.h"
#include "base/files.h"
#include "base/invoker.h"
#include "base/strings.h"
#include "cli/command.h"
#include "dns/message.h"
#include "incus/api.h"
#include "incus/cli_exec.h"
#include "incus/files.h"
#include "render/embedded.h"
#include "render/materialize.h"
#include "render/writer.h"
#include "shell/netpolicy.h"
#include "trust/caroot.h"
#include "up/converge.h"
#include "up/image_server.h"
#include "up/shell.h"

namespace forest::cli::shell_session {

namespace {

namespace fs = std::filesystem;
using shell::Jail;
using shell::State;

constexpr char kAgentSocket[] = "/opt/forest/shell-agent.sock";
constexpr char kTmuxSession[] = "forest";

void Say(const std::string& s) { std::cerr << s << std::endl; }

std::string TableName(const Session& s) { return PolicyTable(s.config.forest); }

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

Result<shell::NetMode> ParseMode(const std::string& s) {
  if (s == "restricted") return shell::NetMode::kRestricted;
  if (s == "allowlist") return shell::NetMode::kAllowlist;
  if (s == "open") return shell::NetMode::kOpen;
  return MakeError("--network: '" + s + "' is not a network mode; use restricted, allowlist or open");
}

// The incus client keeps its settings in $INCUS_CONF, else
// $HOME/.config/incus, and makes that folder when it is missing: run by root
// with the user's HOME (`sudo -E`) it would leave a root-owned folder in the
// user's home. It gets this process's own user's folder instead.
std::string ClientConfDir() {
  if (const char* c = std::getenv("INCUS_CONF"); c && *c) return c;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &found) != 0 || !found || !found->pw_dir) return "";
  return std::string(found->pw_dir) + "/.config/incus";
}

}  // namespace

std::string PolicyTable(const std::string& forest) { return "forest_shell_" + forest; }

void DropPolicyTable(const std::string& forest) {
  int rc = -1;
  up::Shell("nft delete table inet " + PolicyTable(forest) + " 2>/dev/null", &rc);
}

bool TableLoaded(const std::string& table) {
  int rc = -1;
  up::Shell("nft list table inet " + table, &rc);
  return rc == 0;
}

namespace {

// nft -f FILE with the rendered table.
Status LoadNft(const std::string& text, const std::string& dir, const std::string& table) {
  std::string path = dir + "/netpolicy.nft";
  // Unchanged and still loaded: nothing to do (the warm path of forest shell).
  if (auto have = ReadFile(path); have.ok() && *have == text && TableLoaded(table)) return {};
  FOREST_TRY(WriteFileAtomic(path, text, 0600));
  int rc = -1;
  std::string out = up::Shell("nft -f " + path, &rc);
  if (rc != 0) return MakeError("nft -f " + path + " failed: " + out + "; is nftables installed (`forest doctor`)?");
  return {};
}


// Asks `server` (port 53) for `name`'s records of `type`; empty on no answer.
std::vector<std::string> Lookup(const std::string& server, const std::string& name, uint16_t type) {
  namespace asio = boost::asio;
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(server, ec);
  if (ec) return out;
  asio::io_context io;
  asio::ip::udp::socket sock(io);
  sock.open(addr.is_v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
  if (ec) return out;
  dns::Query q;
  q.id = static_cast<uint16_t>(std::rand());
  q.recursion_desired = true;
  q.question = {name, type, dns::kClassIn};
  std::string wire = dns::SerializeQuery(q);
  asio::ip::udp::endpoint to(addr, 53);
  std::string buf(4096, '\0');
  for (int attempt = 0; attempt < 2 && out.empty(); ++attempt) {
    sock.send_to(asio::buffer(wire), to, 0, ec);
    if (ec) return out;
    size_t got = 0;
    bool done = false;
    asio::ip::udp::endpoint from;
    sock.async_receive_from(asio::buffer(buf), from, [&](boost::system::error_code e, size_t n) {
      if (!e) got = n;
      done = true;
    });
    io.restart();
    io.run_for(std::chrono::seconds(2));
    if (!done) {
      sock.cancel(ec);
      io.restart();
      io.run();
      continue;
    }
    auto resp = dns::ParseResponse(std::string_view(buf.data(), got));
    if (!resp.ok() || resp->id != q.id) continue;
    for (const auto& rr : resp->answers) {
      char text[INET6_ADDRSTRLEN] = {};
      if (rr.type == dns::kA && rr.rdata.size() == 4) {
        inet_ntop(AF_INET, rr.rdata.data(), text, sizeof text);
        out.push_back(text);
      } else if (rr.type == dns::kAaaa && rr.rdata.size() == 16) {
        inet_ntop(AF_INET6, rr.rdata.data(), text, sizeof text);
        out.push_back(text);
      }
    }
    break;
  }
  return out;
}

bool IsLiteral(const std::string& s, int family) {
  std::string a = s.substr(0, s.find('/'));
  unsigned char buf[16];
  return inet_pton(family, a.c_str(), buf) == 1;
}

Result<std::unique_ptr<Loaded>> PlanOf(const Session& s) {
  FOREST_ASSIGN_OR_RETURN(auto slots, render::ReadSlotMemory(s.dir));
  return LoadAndPlan(s.dir + "/topology.yaml", slots);
}

Status WriteTopology(const Session& s, const State& st) {
  FOREST_ASSIGN_OR_RETURN(std::string text, shell::TopologyYaml(s.config, st));
  FOREST_TRY(MakeDirs(s.dir));
  return WriteFileAtomic(s.dir + "/topology.yaml", text);
}

Result<std::string> ExecOut(const Session& s, const Jail& j, const std::vector<std::string>& argv) {
  auto c = s.Client();
  return incus::ExecOk(c, j.name, argv);
}

}  // namespace

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
    if (!mode.empty() && mode != "rw" && mode != "ro") return MakeError("--mount " + m + ": the mode is rw or ro");
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
  s.dir = StateRoot() + "/" + c.forest;
  s.sessions_dir = StateRoot() + "/" + c.forest + "-sessions";
  return s;
}

Result<std::unique_ptr<FileLock>> Lock(const Session& s) {
  FOREST_TRY(MakeDirs(StateRoot()));
  return FileLock::Acquire(StateRoot() + "/." + s.config.forest + "-shell.lock");
}

Result<Opened> OpenState(const Flags& f, bool lock) {
  Opened o;
  FOREST_ASSIGN_OR_RETURN(o.s, Open(f));
  if (lock) {
    FOREST_ASSIGN_OR_RETURN(o.lock, Lock(o.s));
  }
  FOREST_ASSIGN_OR_RETURN(o.st, LoadState(o.s));
  return o;
}

Result<State> LoadState(const Session& s) {
  std::string path = s.dir + "/shell.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) return State{};
  FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return shell::ParseState(text, path);
}

Status SaveState(const Session& s, const State& st) {
  FOREST_TRY(MakeDirs(s.dir));
  return WriteFileAtomic(s.dir + "/shell.json", shell::StateJson(st));
}

Result<Jail> NewJail(const Session& s, const State& st, int slot) {
  Jail j;
  j.workspace = s.workspace;
  j.slot = slot;
  j.name = shell::JailName(s.workspace, slot);
  j.index = shell::FreeIndex(st);
  if (j.index == 0) return MakeError("4095 jails exist; `forest shell clean` or `kill` some");
  j.persistent = s.config.persistent;
  j.tool = s.config.tool;
  j.image = s.config.image;
  j.network = s.config.network;
  j.allow = s.config.allow;
  j.user = s.me;
  // Unset limits get the defaults (shell/jail.h): no jail runs unlimited.
  j.limits = shell::WithDefaults(s.config.limits, shell::DefaultLimits(ReadHostFacts()));
  j.hardened = s.config.hardened;
  j.ssh_agent = s.config.ssh_agent;
  j.mounts = s.config.mounts;
  j.created = UnixNow();
  // readonly_paths: made by its first Converge, like every later start's.
  return j;
}

Status ApplyNetPolicy(const Session& s, const State& st) {
  std::error_code ec;
  if (st.jails.empty()) {
    DropPolicyTable(s.config.forest);
    fs::remove(s.dir + "/netpolicy.nft", ec);
    return {};
  }
  FOREST_ASSIGN_OR_RETURN(auto loaded, PlanOf(s));
  const plan::Plan& plan = loaded->plan;
  shell::Plumbing p;
  p.host_ipv4 = plan.host_ipv4.AddressString();
  p.host_ipv6 = plan.host_bridge.address.ToString();
  // Image pulls go where the host's Incus listens, which another forest may
  // have chosen (up/image_server.h); unset, it will be this bridge.
  auto global = s.Client().WithProject("");
  FOREST_ASSIGN_OR_RETURN(auto server, global.Get("/1.0?project="));
  FOREST_ASSIGN_OR_RETURN(up::ImageServer images,
                          up::ImageServerFor(server["config"].value("core.https_address", ""),
                                             plan.host_bridge.address));
  p.incus_ipv6 = images.address.ToString();
  p.incus_port = images.port;
  p.helper_ipv6 = plan.helper_address.ToString();
  if (!plan.dns64_upstream.empty() && plan.dns64_upstream != p.host_ipv4) {
    p.dns_upstreams.push_back(plan.dns64_upstream);
  }
  std::string resolver = plan.dns64_upstream.empty() ? p.host_ipv4 : plan.dns64_upstream;
  std::vector<shell::JailNet> nets;
  for (const auto& j : st.jails) {
    const plan::NodePlan* n = nullptr;
    for (const auto& x : plan.nodes) {
      if (x.depth == 0 && x.label == j.name) n = &x;
    }
    if (!n) continue;
    shell::JailNet jn;
    jn.name = j.name;
    jn.mode = j.network;
    jn.ipv4 = n->egress_ipv4.AddressString();
    jn.ipv6 = {n->uplink.ToString() + "/128", n->prefix.ToString()};
    if (j.network == shell::NetMode::kAllowlist) {
      for (const auto& a : j.allow) {
        if (IsLiteral(a, AF_INET)) {
          jn.allow4.push_back(a);
        } else if (IsLiteral(a, AF_INET6)) {
          jn.allow6.push_back(a);
        } else {
          auto v4 = Lookup(resolver, a, dns::kA);
          auto v6 = Lookup(resolver, a, dns::kAaaa);
          if (v4.empty() && v6.empty()) Say("warning: allowlist: " + a + " did not resolve (asked " + resolver + ")");
          jn.allow4.insert(jn.allow4.end(), v4.begin(), v4.end());
          jn.allow6.insert(jn.allow6.end(), v6.begin(), v6.end());
        }
      }
    }
    nets.push_back(std::move(jn));
  }
  return LoadNft(shell::RenderTable(TableName(s), p, nets), s.dir, TableName(s));
}

Result<Ready> UserOf(const Session& s, const Jail& jail) {
  if (!jail.home.empty()) return Ready{jail.user.user, jail.home};
  return Prepare(s, jail);
}

Result<Ready> Prepare(const Session& s, const Jail& jail) {
  FOREST_ASSIGN_OR_RETURN(auto text, render::EmbeddedText("shell/prepare.sh"));
  FOREST_ASSIGN_OR_RETURN(std::string out,
                          ExecOut(s, jail,
                                  {"sh", "-c", std::string(text), "prepare", jail.user.user,
                                   std::to_string(jail.user.uid), std::to_string(jail.user.gid)}));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  auto last = out.rfind('\n');
  std::string line = last == std::string::npos ? out : out.substr(last + 1);
  auto sp = line.find(' ');
  if (sp == std::string::npos) return MakeError(jail.name + ": preparing the jail user printed '" + out + "'");
  return Ready{line.substr(0, sp), line.substr(sp + 1)};
}

namespace {

// Replaces the record of `jail` in `st` and saves it.
Status Record(const Session& s, State& st, const Jail& jail) {
  for (auto& x : st.jails) {
    if (x.name == jail.name) x = jail;
  }
  return SaveState(s, st);
}

}  // namespace

Result<std::string> AgentSocket(bool wanted, const char* env) {
  if (!wanted) return std::string();
  static constexpr char kFix[] =
      "run `sudo --preserve-env=SSH_AUTH_SOCK forest shell --ssh-agent ...` (Debian's sudo drops it), "
      "or start an agent (`eval $(ssh-agent)`, `ssh-add`) first; or leave out --ssh-agent";
  if (env == nullptr || *env == '\0') {
    return MakeError(std::string("--ssh-agent: SSH_AUTH_SOCK is not set, so there is no agent to forward; ") + kFix);
  }
  struct stat st {};
  if (stat(env, &st) != 0 || !S_ISSOCK(st.st_mode)) {
    return MakeError(std::string("--ssh-agent: SSH_AUTH_SOCK=") + env + " is not a socket here; " + kFix);
  }
  return std::string(env);
}

Result<Ready> Converge(Session& s, State& st, Jail& jail, bool guard_uplink) {
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
      return MakeError(jail.name + ": its tool '" + jail.tool + "' is in no config layer now (its settings files " +
                       "are protected paths); add it back under `tools:`, or `forest shell kill " + jail.name + "`");
    }
    FOREST_ASSIGN_OR_RETURN(jail.readonly_paths, ProtectWorkspace(jail.workspace, s.config, tool->second));
    jail.home.clear();
    FOREST_TRY(Record(s, st, jail));
  }
  FOREST_TRY(WriteTopology(s, st));
  FOREST_ASSIGN_OR_RETURN(auto loaded, PlanOf(s));
  FOREST_TRY(render::WriteSlotMemory(s.dir, loaded->plan.Slots()));
  // The policy is in place before the jail's first packet.
  FOREST_TRY(ApplyNetPolicy(s, st));
  if (!ready) {
    up::Options o;
    o.topology_text = loaded->text;
    o.slots = loaded->plan.Slots();
    o.self_binary = SelfBinary();
    o.authorized_keys = HostAuthorizedKeys();
    o.guard_uplink = guard_uplink;
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
    nlohmann::json dev = {{"type", "proxy"},        {"bind", "instance"},
                          {"listen", std::string("unix:") + kAgentSocket},
                          {"connect", std::string("unix:") + agent},
                          {"mode", "0600"},         {"uid", std::to_string(jail.user.uid)},
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
  FOREST_TRY(Record(s, st, jail));
  return r;
}

std::vector<std::string> UserEnv(const Session& s, const Jail& jail, const Ready& r) {
  std::vector<std::string> env = {
      "HOME=" + r.home,
      "USER=" + r.user,
      "LOGNAME=" + r.user,
      "SHELL=/bin/bash",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "LANG=C.UTF-8",
      "XDG_RUNTIME_DIR=/run/user/" + std::to_string(jail.user.uid),
      "FOREST_JAIL=" + jail.name,
  };
  if (const char* t = std::getenv("TERM"); t && *t) env.push_back(std::string("TERM=") + t);
  if (jail.ssh_agent) env.push_back(std::string("SSH_AUTH_SOCK=") + kAgentSocket);
  for (const auto& [k, v] : s.config.env) env.push_back(k + "=" + v);
  return env;
}

namespace {
std::vector<std::string> UserCommand(const Session& s, const Jail& jail, const Ready& r,
                                     const std::vector<std::string>& argv, bool tty) {
  std::vector<std::string> user = {"env", "-i"};
  for (const auto& e : UserEnv(s, jail, r)) user.push_back(e);
  user.insert(user.end(), argv.begin(), argv.end());
  std::vector<std::string> cmd = {"incus", "exec", "--project", s.Project(), jail.name,
                                  "--cwd", "/workspace", tty ? "-t" : "-T", "--"};
  for (auto& a : AsUser(jail, user)) cmd.push_back(std::move(a));
  return cmd;
}
}  // namespace

Result<int> RunAsUser(const Session& s, const Jail& jail, const Ready& r,
                      const std::vector<std::string>& argv) {
  bool tty = isatty(0) && isatty(1);
  auto cmd = UserCommand(s, jail, r, argv, tty);
  int rc = tty ? incus::RunClient(cmd, ClientConfDir()) : incus::RunCliExec(cmd, ClientConfDir());
  if (rc < 0) return MakeError("cannot run the incus client (is it installed? `forest doctor`)");
  return rc;
}

Result<int> RunAsRoot(const Session& s, const Jail& jail, const std::vector<std::string>& argv) {
  bool tty = isatty(0) && isatty(1);
  std::vector<std::string> cmd = {"incus", "exec", "--project", s.Project(), jail.name, tty ? "-t" : "-T", "--"};
  cmd.insert(cmd.end(), argv.begin(), argv.end());
  int rc = tty ? incus::RunClient(cmd, ClientConfDir()) : incus::RunCliExec(cmd, ClientConfDir());
  if (rc < 0) return MakeError("cannot run the incus client (is it installed? `forest doctor`)");
  return rc;
}

std::vector<std::string> AsUser(const Jail& jail, const std::vector<std::string>& argv) {
  // The user's own groups from the jail's /etc/group (`incus` among them,
  // for the agent's restricted Incus project); root has none of its own.
  std::vector<std::string> out = {"setpriv", "--reuid", std::to_string(jail.user.uid), "--regid",
                                  std::to_string(jail.user.gid),
                                  jail.user.uid == 0 ? "--clear-groups" : "--init-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

bool TmuxAlive(const Session& s, const Jail& jail, const Ready& r) {
  auto c = s.Client();
  auto res = incus::Exec(c, jail.name,
                         AsUser(jail, {"env", "-i", "HOME=" + r.home, "tmux", "has-session", "-t", kTmuxSession}));
  return res.ok() && res->exit_code == 0;
}

namespace {
// <sessions>/<workspace hash>/<tool>: one directory per saved session.
std::string ToolSessionsDir(const Session& s, const Jail& jail) {
  return s.sessions_dir + "/" + shell::WorkspaceHash(jail.workspace) + "/" + jail.tool;
}
}  // namespace

std::vector<std::string> SavedSessionIds(const std::string& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (e.is_directory(ec) && shell::IsSessionId(name)) ids.push_back(name);
  }
  return ids;
}

Status SaveToolState(const Session& s, const Jail& jail, const Ready& r) {
  const auto it = s.config.tools.find(jail.tool);
  if (it == s.config.tools.end() || it->second.state.empty()) return {};
  auto c = s.Client();
  std::string base = ToolSessionsDir(s, jail);
  std::vector<std::string> have = SavedSessionIds(base);
  std::string id = shell::SessionId(UnixNow(), jail.slot, have);
  std::string final_dir = base + "/" + id;
  std::string tmp = base + "/." + id + ".new";
  FOREST_TRY(RemoveTree(tmp));
  FOREST_TRY(MakeDirs(tmp));
  int copied = 0;
  for (const auto& rel : it->second.state) {
    std::string src = r.home + "/" + rel;
    auto e = incus::GetFileEntry(c, jail.name, src);
    if (!e.ok()) continue;  // not there: nothing to keep
    fs::path dest = fs::path(tmp) / rel;
    FOREST_TRY(MakeDirs(dest.parent_path().string()));
    FOREST_ASSIGN_OR_RETURN(auto rep, incus::PullTree(c, jail.name, src, dest.parent_path().string(), true));
    for (const auto& sk : rep.skipped) Say("resume: left out " + sk);
    ++copied;
  }
  if (copied == 0) {
    // Nothing to keep: the last saved state stays what --resume restores.
    return RemoveTree(tmp);
  }
  FOREST_TRY(WriteFileAtomic(tmp + "/.forest-session.json",
                             nlohmann::json{{"id", id},
                                            {"workspace", jail.workspace},
                                            {"tool", jail.tool},
                                            {"jail", jail.name},
                                            {"saved", UnixNow()}}
                                     .dump() +
                                 "\n"));
  std::error_code ec;
  fs::rename(tmp, final_dir, ec);
  if (ec) return MakeError("saving tool state to " + final_dir + ": " + ec.message());
  have.push_back(id);
  for (const auto& old : shell::SessionsToPrune(have, shell::kKeptSessions)) {
    FOREST_TRY(RemoveTree(base + "/" + old));
  }
  Say("saved " + jail.tool + " session " + id + " (" + std::to_string(copied) +
      " path(s)); `--resume` restores the newest, `--resume " + id + "` this one");
  return {};
}

Status RestoreToolState(const Session& s, const Jail& jail, const Ready& r, const std::string& id) {
  std::string base = ToolSessionsDir(s, jail);
  std::vector<std::string> have = SavedSessionIds(base);
  std::string pick = id.empty() ? shell::LatestSession(have) : id;
  if (!id.empty() && std::find(have.begin(), have.end(), id) == have.end()) {
    std::sort(have.begin(), have.end());
    return MakeError("--resume " + id + ": no saved " + jail.tool + " session by that id for " + jail.workspace +
                     (have.empty() ? std::string(" (there are none yet)") : "; saved: " + JoinComma(have)) +
                     "; `forest shell list --all` shows them");
  }
  if (pick.empty()) {
    Say("resume: no saved " + jail.tool + " state for " + jail.workspace + " yet; starting fresh");
    return {};
  }
  std::string dir = base + "/" + pick;
  std::error_code ec;
  auto c = s.Client();
  const auto& tool = s.config.tools.at(jail.tool);
  for (const auto& rel : tool.state) {
    fs::path src = fs::path(dir) / rel;
    if (!fs::exists(fs::symlink_status(src, ec))) continue;
    // Parents first, as the user; then the saved copy replaces what is there.
    std::string parent = fs::path(r.home + "/" + rel).parent_path().string();
    auto mk = incus::ExecOk(c, jail.name, AsUser(jail, {"mkdir", "-p", parent}));
    if (!mk.ok()) return mk.error();
    auto rm = incus::ExecOk(c, jail.name, {"rm", "-rf", r.home + "/" + rel});
    if (!rm.ok()) return rm.error();
    FOREST_ASSIGN_OR_RETURN(auto rep, incus::PushTree(c, jail.name, src.string(), r.home + "/" + rel, true,
                                                      jail.user.uid, jail.user.gid));
    (void)rep;
  }
  Say("resume: restored " + jail.tool + " session " + pick + " (" + dir + ")");
  return {};
}

Status Remove(Session& s, State& st, const std::string& name) {
  auto c = s.Client();
  std::string profile;
  if (auto loaded = PlanOf(s); loaded.ok()) {
    for (const auto& n : (*loaded)->plan.nodes) {
      if (n.depth == 0 && n.label == name) profile = render::NodeProfileName(n);
    }
  }
  auto inst = incus::GetInstance(c, name);
  if (inst.ok() && *inst) {
    if ((**inst).value("status", "") != "Stopped") {
      FOREST_TRY(incus::SetInstanceState(c, name, "stop", true));
    }
    FOREST_TRY(incus::DeleteInstance(c, name));
  }
  if (!profile.empty()) {
    auto p = incus::GetProfile(c, profile);
    if (p.ok() && *p) (void)incus::DeleteProfile(c, profile);
  }
  std::vector<std::string> protected_paths;
  std::string workspace;
  for (const auto& j : st.jails) {
    if (j.name == name) protected_paths = j.readonly_paths, workspace = j.workspace;
  }
  std::erase_if(st.jails, [&](const Jail& j) { return j.name == name; });
  FOREST_TRY(SaveState(s, st));
  // The placeholders forest made in the repository go with its last jail.
  bool used = std::any_of(st.jails.begin(), st.jails.end(), [&](const Jail& j) { return j.workspace == workspace; });
  if (!workspace.empty() && !used) DropPlaceholders(workspace, protected_paths);
  if (!st.jails.empty()) FOREST_TRY(WriteTopology(s, st));
  FOREST_TRY(ApplyNetPolicy(s, st));
  Say("removed " + name);
  return {};
}

Status RemoveAll(Session& s) {
  FOREST_ASSIGN_OR_RETURN(State st, LoadState(s));
  for (const auto& j : State(st).jails) FOREST_TRY(Remove(s, st, j.name));
  std::error_code ec;
  if (fs::exists(s.dir + "/topology.yaml", ec)) {
    FOREST_ASSIGN_OR_RETURN(auto loaded, LoadAndPlan(s.dir + "/topology.yaml"));
    auto c = s.Client();
    FOREST_TRY(up::DownHost(c, loaded->topology, s.dir, Say));
  }
  DropPolicyTable(s.config.forest);
  FOREST_TRY(RemoveTree(s.dir));
  return {};
}

}  // namespace forest::cli::shell_session
