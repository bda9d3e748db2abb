// forest shell's configuration: built-in defaults, then YAML layers in order
// (/etc/forest/config.yaml < ~/.config/forest/config.yaml < ./.forest.yaml),
// then an optional named profile, then command-line flags (the CLI sets
// fields directly). Pure: text in, values or `file:line:col:` errors out.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "topology/topology.h"

namespace forest::shell {

enum class NetMode { kRestricted, kAllowlist, kOpen };
const char* NetModeName(NetMode m);

// An extra host folder mounted into the jail (`--mount SRC:DST[:rw]`).
struct Mount {
  std::string source;  // absolute host path
  std::string path;    // absolute path inside the jail
  bool readonly = true;
};

// A tool the jail opens: its command, the state it keeps in the user's home
// (saved per workspace after each session, restored by --resume), and the
// settings files in the workspace it must not rewrite (mounted read-only).
struct Tool {
  std::vector<std::string> command;  // argv; the first word is looked up on PATH
  std::vector<std::string> state;    // paths relative to the jail user's home
  std::vector<std::string> settings; // paths relative to the workspace
};

// The shell forest's host side: its own bridge and addresses, so it lives
// beside forests brought up from topology files.
struct HostNet {
  std::string bridge = "forestsh0";
  std::string ipv6 = "fd00:5e11::1/64";
  std::string ipv4 = "10.203.32.1/24";
  std::string uplink_range = "fd00:5e11:0:1::/64";
  std::string helper_address = "fd00:5e11::53";
  // Jail k gets <prefix_base's first 32 bits>:<k>::/48 (k = its slot, 1..4095).
  std::string prefix_base = "fd00:5e00::/32";
  std::string nat64_prefix = "fd00:6464::/96";
  std::string dns64_upstream;  // "" = the bridge's IPv4 (Incus's dnsmasq)
};

struct Config {
  std::string forest = "shell";  // Incus project forest-<forest>
  std::string tool = "shell";    // a key of `tools`
  std::string image;             // alias in the shell forest's project; "" = forest's node image
  NetMode network = NetMode::kRestricted;
  std::vector<std::string> allow;  // allowlist mode: domain names and IP literals
  int allow_refresh = 300;         // seconds between allowlist re-resolutions
  topology::Limits limits;         // cpu, memory, processes, disk
  bool hardened = false;           // also deny io_uring, bpf, userfaultfd, keyctl
  bool persistent = false;
  bool ssh_agent = false;
  std::map<std::string, std::string> env;  // only these reach the jail's environment
  std::vector<Mount> mounts;
  std::vector<std::string> protect;   // more workspace paths mounted read-only
  std::vector<std::string> writable;  // protected paths made writable (explicit opt-out)
  std::map<std::string, Tool> tools;  // built-ins: shell, claude, codex, aider
  HostNet host;
  // Named profiles: each is a layer (same keys except `profiles`), applied by
  // ApplyProfile. Kept as text with its origin so errors point into the file.
  struct ProfileLayer {
    std::string file;
    std::string yaml;  // the profile's mapping, re-emitted
    int line = 0;      // where it starts in `file`
  };
  std::map<std::string, ProfileLayer> profiles;
  std::vector<std::string> sources;  // the layer files applied, in order
};

// Built-in defaults (including the built-in tools).
Config Builtin();

// Applies one YAML layer onto `c`. Keys it sets replace the earlier value;
// maps (env, tools, profiles) merge by key; lists replace. Unknown keys,
// wrong types and bad values fail with
// "<file>:<line>:<col>: <key.path>: <what is wrong>; <what to do>" and leave
// `c` unchanged. An empty file is a valid empty layer.
Status ApplyLayer(Config& c, const std::string& text, const std::string& file);

// Applies profile `name` (defined in any layer). Unknown names fail and list
// the profiles there are.
Status ApplyProfile(Config& c, const std::string& name);

// The layer files in precedence order for a user with `home` working in
// `workspace` ($FOREST_SYSTEM_CONFIG overrides /etc/forest/config.yaml).
std::vector<std::string> LayerFiles(const std::string& home, const std::string& workspace);

}  // namespace forest::shell
