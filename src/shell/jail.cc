#include "shell/jail.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "net/ip.h"

namespace forest::shell {

namespace {

using Json = nlohmann::json;

NetMode ModeFromName(const std::string& s) {
  if (s == "open") return NetMode::kOpen;
  if (s == "allowlist") return NetMode::kAllowlist;
  return NetMode::kRestricted;
}

Json LimitsJson(const topology::Limits& l) {
  return {{"cpu", l.cpu}, {"memory", l.memory}, {"processes", l.processes}, {"disk", l.disk}};
}

void EmitLimits(YAML::Emitter& y, const topology::Limits& l) {
  if (l.cpu.empty() && l.memory.empty() && l.processes.empty() && l.disk.empty()) return;
  y << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  if (!l.cpu.empty()) y << YAML::Key << "cpu" << YAML::Value << YAML::DoubleQuoted << l.cpu;
  if (!l.memory.empty()) y << YAML::Key << "memory" << YAML::Value << l.memory;
  // The topology reads processes as bare digits.
  if (!l.processes.empty()) y << YAML::Key << "processes" << YAML::Value << l.processes;
  if (!l.disk.empty()) y << YAML::Key << "disk" << YAML::Value << l.disk;
  y << YAML::EndMap;
}

void EmitShare(YAML::Emitter& y, const std::string& source, const std::string& path, bool readonly) {
  y << YAML::Flow << YAML::BeginMap << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted
    << source << YAML::Key << "path" << YAML::Value << YAML::DoubleQuoted << path << YAML::Key
    << "readonly" << YAML::Value << readonly;
  y << YAML::EndMap;
}

}  // namespace

const Jail* State::Find(const std::string& name) const {
  for (const auto& j : jails) {
    if (j.name == name) return &j;
  }
  return nullptr;
}

const Jail* State::Find(const std::string& workspace, int slot) const {
  for (const auto& j : jails) {
    if (j.workspace == workspace && j.slot == slot) return &j;
  }
  return nullptr;
}

namespace {
// An integer field in [lo, hi]; a float, a string or an out-of-range number
// throws like a missing field (nlohmann's own conversion of a float too big
// for the type is undefined behaviour, found by fuzz_shell_state).
int64_t IntField(const Json& j, const char* key, int64_t lo, int64_t hi, std::optional<int64_t> fallback = {}) {
  if (!j.contains(key) && fallback) return *fallback;
  const Json& v = j.at(key);
  if (!v.is_number_integer()) throw std::invalid_argument(std::string(key) + " is not an integer");
  // Unsigned values above int64's range are out of every range used here.
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi)) {
    throw std::invalid_argument(std::string(key) + " is out of range");
  }
  int64_t n = v.is_number_unsigned() ? static_cast<int64_t>(v.get<uint64_t>()) : v.get<int64_t>();
  if (n < lo || n > hi) throw std::invalid_argument(std::string(key) + " is out of range");
  return n;
}
}  // namespace

Result<State> ParseState(const std::string& text, const std::string& file) {
  Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("jails") || !doc["jails"].is_array()) {
    return MakeError(file + ": not a forest shell state file (expected {\"jails\": [...]}); move it "
                            "away and run `forest shell clean` to rebuild it from Incus");
  }
  State s;
  try {
    for (const auto& j : doc["jails"]) {
      Jail x;
      x.name = j.at("name").get<std::string>();
      x.workspace = j.at("workspace").get<std::string>();
      x.slot = static_cast<int>(IntField(j, "slot", 1, 99));
      x.index = static_cast<int>(IntField(j, "index", 1, 4095));
      x.persistent = j.value("persistent", false);
      x.tool = j.value("tool", std::string("shell"));
      x.image = j.value("image", std::string());
      x.network = ModeFromName(j.value("network", std::string("restricted")));
      x.allow = j.value("allow", std::vector<std::string>{});
      x.user.uid = static_cast<unsigned>(IntField(j, "uid", 0, 4294967294));
      x.user.gid = static_cast<unsigned>(IntField(j, "gid", 0, 4294967294));
      x.user.user = j.at("user").get<std::string>();
      const Json l = j.value("limits", Json::object());
      x.limits.cpu = l.value("cpu", "");
      x.limits.memory = l.value("memory", "");
      x.limits.processes = l.value("processes", "");
      x.limits.disk = l.value("disk", "");
      x.hardened = j.value("hardened", false);
      x.ssh_agent = j.value("ssh_agent", false);
      for (const auto& m : j.value("mounts", Json::array())) {
        x.mounts.push_back({m.at("source").get<std::string>(), m.at("path").get<std::string>(),
                            m.value("readonly", true)});
      }
      x.readonly_paths = j.value("readonly_paths", std::vector<std::string>{});
      x.home = j.value("home", std::string());
      x.created = IntField(j, "created", 0, int64_t{1} << 40, 0);
      s.jails.push_back(std::move(x));
    }
  } catch (const std::exception& e) {  // nlohmann's exceptions and IntField's
    return MakeError(file + ": malformed jail entry (" + e.what() +
                     "); move it away and run `forest shell clean`");
  }
  return s;
}

std::string StateJson(const State& s) {
  Json list = Json::array();
  for (const auto& j : s.jails) {
    Json mounts = Json::array();
    for (const auto& m : j.mounts) {
      mounts.push_back({{"source", m.source}, {"path", m.path}, {"readonly", m.readonly}});
    }
    list.push_back({{"name", j.name},
                    {"workspace", j.workspace},
                    {"slot", j.slot},
                    {"index", j.index},
                    {"persistent", j.persistent},
                    {"tool", j.tool},
                    {"image", j.image},
                    {"network", NetModeName(j.network)},
                    {"allow", j.allow},
                    {"uid", j.user.uid},
                    {"gid", j.user.gid},
                    {"user", j.user.user},
                    {"limits", LimitsJson(j.limits)},
                    {"hardened", j.hardened},
                    {"ssh_agent", j.ssh_agent},
                    {"mounts", mounts},
                    {"readonly_paths", j.readonly_paths},
                    {"home", j.home},
                    {"created", j.created}});
  }
  return Json{{"jails", list}}.dump(2) + "\n";
}

std::string WorkspaceHash(const std::string& workspace) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (unsigned char ch : workspace) {
    h ^= ch;
    h *= 16777619u;
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06x", h & 0xffffffu);
  return buf;
}

std::string SessionId(int64_t unix_seconds, int slot, const std::vector<std::string>& taken) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d-%02d%02d%02d-s%d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, slot);
  std::string id = buf;
  auto used = [&](const std::string& x) { return std::find(taken.begin(), taken.end(), x) != taken.end(); };
  for (int n = 2; used(id); ++n) id = std::string(buf) + "-" + std::to_string(n);
  return id;
}

bool IsSessionId(const std::string& name) {
  // YYYYmmdd-HHMMSS-s<slot>[-<n>]
  if (name.size() < 18 || name[8] != '-' || name[15] != '-' || name[16] != 's') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i == 8 || i == 15 || i == 16) continue;
    if (!(std::isdigit(static_cast<unsigned char>(name[i])) || (i > 17 && name[i] == '-'))) return false;
  }
  return std::isdigit(static_cast<unsigned char>(name[17])) && name.back() != '-';
}

namespace {
// Oldest first: by time, then slot, then clash counter (numerically).
bool OlderSession(const std::string& a, const std::string& b) {
  auto key = [](const std::string& id) {
    std::string stamp = id.substr(0, 15);
    std::string rest = id.substr(17);  // "<slot>[-<n>]"
    auto dash = rest.find('-');
    int slot = std::atoi(rest.substr(0, dash).c_str());
    int n = dash == std::string::npos ? 1 : std::atoi(rest.substr(dash + 1).c_str());
    return std::tuple(stamp, n, slot);
  };
  return key(a) < key(b);
}
}  // namespace

std::string LatestSession(std::vector<std::string> ids) {
  std::erase_if(ids, [](const std::string& x) { return !IsSessionId(x); });
  if (ids.empty()) return "";
  return *std::max_element(ids.begin(), ids.end(), OlderSession);
}

std::vector<std::string> SessionsToPrune(std::vector<std::string> ids, size_t keep) {
  std::erase_if(ids, [](const std::string& x) { return !IsSessionId(x); });
  std::sort(ids.begin(), ids.end(), OlderSession);
  if (ids.size() <= keep) return {};
  ids.resize(ids.size() - keep);
  return ids;
}

std::string JailName(const std::string& workspace, int slot) {
  std::string last = workspace;
  while (last.size() > 1 && last.back() == '/') last.pop_back();
  last = last.substr(last.find_last_of('/') + 1);
  std::string base;
  for (char ch : last) {
    char c = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok) {
      base += c;
    } else if (!base.empty() && base.back() != '-') {
      base += '-';
    }
    if (base.size() >= 20) break;
  }
  while (!base.empty() && base.back() == '-') base.pop_back();
  if (base.empty()) base = "ws";
  return base + "-" + WorkspaceHash(workspace) + "-" + std::to_string(slot);
}

int FreeIndex(const State& s) {
  std::set<int> used;
  for (const auto& j : s.jails) used.insert(j.index);
  for (int i = 1; i <= 4095; ++i) {
    if (!used.count(i)) return i;
  }
  return 0;
}

Result<std::string> JailPrefix(const std::string& prefix_base, int index) {
  FOREST_ASSIGN_OR_RETURN(auto base, net::Ipv6Prefix::Parse(prefix_base));
  if (base.length != 32) return MakeError("host.prefix_base: " + prefix_base + " is not a /32");
  FOREST_ASSIGN_OR_RETURN(auto p, base.Subnet(48, static_cast<uint64_t>(index)));
  return p.ToString();
}

topology::Limits DefaultLimits(const HostFacts& h) {
  topology::Limits l;
  l.cpu = std::to_string(h.cpus > 1 ? h.cpus - 1 : 1);
  l.memory = "50%";
  l.processes = std::to_string(std::clamp<long>(h.pid_max / 8, 1000, 10000));
  return l;
}

topology::Limits WithDefaults(topology::Limits set, const topology::Limits& defaults) {
  if (set.cpu.empty()) set.cpu = defaults.cpu;
  if (set.memory.empty()) set.memory = defaults.memory;
  if (set.processes.empty()) set.processes = defaults.processes;
  if (set.disk.empty()) set.disk = defaults.disk;
  return set;
}

Result<std::string> TopologyYaml(const Config& c, const State& s) {
  YAML::Emitter y;
  y << YAML::BeginMap;
  y << YAML::Key << "version" << YAML::Value << 1;
  y << YAML::Key << "name" << YAML::Value << c.forest;
  y << YAML::Key << "nat64_prefix" << YAML::Value << c.host.nat64_prefix;
  if (!c.host.dns64_upstream.empty()) {
    y << YAML::Key << "dns64_upstream" << YAML::Value << YAML::DoubleQuoted << c.host.dns64_upstream;
  }
  y << YAML::Key << "host" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "bridge" << YAML::Value << c.host.bridge;
  y << YAML::Key << "ipv6" << YAML::Value << YAML::DoubleQuoted << c.host.ipv6;
  y << YAML::Key << "ipv4" << YAML::Value << c.host.ipv4;
  y << YAML::Key << "uplink_range" << YAML::Value << YAML::DoubleQuoted << c.host.uplink_range;
  y << YAML::EndMap;
  y << YAML::Key << "helper" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "address" << YAML::Value << YAML::DoubleQuoted << c.host.helper_address;
  y << YAML::EndMap;
  if (s.jails.empty()) {
    return MakeError("the shell forest has no jails to converge");
  }
  y << YAML::Key << "roots" << YAML::Value << YAML::BeginSeq;
  std::vector<const Jail*> order;
  for (const auto& j : s.jails) order.push_back(&j);
  std::sort(order.begin(), order.end(), [](const Jail* a, const Jail* b) { return a->index < b->index; });
  for (const Jail* j : order) {
    FOREST_ASSIGN_OR_RETURN(std::string prefix, JailPrefix(c.host.prefix_base, j->index));
    y << YAML::BeginMap;
    y << YAML::Key << "name" << YAML::Value << j->name;
    y << YAML::Key << "slot" << YAML::Value << j->index;
    y << YAML::Key << "prefix" << YAML::Value << YAML::DoubleQuoted << prefix;
    if (!j->image.empty()) y << YAML::Key << "image" << YAML::Value << j->image;
    EmitLimits(y, j->limits);
    if (j->hardened) y << YAML::Key << "hardened" << YAML::Value << true;
    y << YAML::Key << "shares" << YAML::Value << YAML::BeginSeq;
    EmitShare(y, j->workspace, "/workspace", false);
    // .git is a mount point of its own (writable: commits work), so it
    // cannot be renamed away and replaced by a .git with hooks.
    bool git = std::any_of(j->readonly_paths.begin(), j->readonly_paths.end(),
                           [](const std::string& p) { return p.rfind(".git/", 0) == 0; });
    if (git) EmitShare(y, j->workspace + "/.git", "/workspace/.git", false);
    // Protected paths: read-only mounts over the writable workspace. The
    // jail user cannot lift them (in a user namespace of its own the mounts
    // are locked); the jail's root could, which is why the tool never runs
    // as root. Idmapped like the workspace, so Incus mounts them after it.
    for (const auto& p : j->readonly_paths) {
      EmitShare(y, j->workspace + "/" + p, "/workspace/" + p, true);
    }
    for (const auto& m : j->mounts) EmitShare(y, m.source, m.path, m.readonly);
    y << YAML::EndSeq;
    y << YAML::EndMap;
  }
  y << YAML::EndSeq;
  y << YAML::EndMap;
  return std::string("# forest shell: generated from shell.json; edits are overwritten\n") + y.c_str() + "\n";
}

}  // namespace forest::shell
