#include "shell/config.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "shell/config_checks.h"

namespace forest::shell {
namespace {

// Every field of `c`, one per line, so that two configs compare as text.
std::string Show(const Config& c) {
  std::ostringstream o;
  auto list = [&](const char* name, const std::vector<std::string>& v) {
    o << name << ":";
    for (const auto& s : v) o << " [" << s << "]";
    o << "\n";
  };
  o << "forest " << c.forest << "\ntool " << c.tool << "\nnetwork " << NetModeName(c.network) << "\n";
  list("allow", c.allow);
  o << "allow_refresh " << c.allow_refresh << "\nlimits " << c.limits.cpu << "|" << c.limits.memory << "|"
    << c.limits.processes << "|" << c.limits.disk << "\nflags " << c.hardened << c.persistent << c.ssh_agent
    << "\n";
  for (const auto& [k, v] : c.env) o << "env " << k << "=" << v << "\n";
  for (const auto& m : c.mounts) o << "mount " << m.source << " " << m.path << " " << m.readonly << "\n";
  list("protect", c.protect);
  list("writable", c.writable);
  for (const auto& [name, t] : c.tools) {
    o << "tool " << name << "\n";
    list(" command", t.command);
    list(" state", t.state);
    list(" settings", t.settings);
  }
  const HostNet& h = c.host;
  o << "host " << h.bridge << " " << h.ipv6 << " " << h.ipv4 << " " << h.uplink_range << " "
    << h.helper_address << " " << h.prefix_base << " " << h.nat64_prefix << " " << h.dns64_upstream << "\n";
  for (const auto& [name, p] : c.profiles)
    o << "profile " << name << " " << p.file << ":" << p.line << "\n" << p.yaml;
  list("sources", c.sources);
  return o.str();
}

// The config after applying `text` as .forest.yaml over the built-ins.
Config Applied(const std::string& text) {
  Config c = Builtin();
  auto s = ApplyLayer(c, text, ".forest.yaml");
  EXPECT_TRUE(s.ok()) << s.error().message;
  return c;
}

// The error of applying `text` as .forest.yaml (the config must not change), or "ok".
std::string ErrorOf(const std::string& text) {
  Config c = Builtin();
  std::string before = Show(c);
  auto s = ApplyLayer(c, text, ".forest.yaml");
  if (s.ok()) return "ok";
  EXPECT_EQ(Show(c), before) << "a refused layer changed the config: " << text;
  return s.error().message;
}

constexpr char kModes[] = "use restricted, allowlist or open";
constexpr char kAllowForms[] =
    "write a domain name (example.com), an address (192.0.2.10, 2001:db8::1) or a prefix (192.0.2.0/24)";

// ---- defaults -------------------------------------------------------------------

TEST(ConfigBuiltin, Defaults) {
  Config c = Builtin();
  EXPECT_EQ(c.forest, "shell");
  EXPECT_EQ(c.tool, "shell");
  EXPECT_EQ(c.network, NetMode::kRestricted);
  EXPECT_TRUE(c.allow.empty());
  EXPECT_EQ(c.allow_refresh, 300);
  EXPECT_FALSE(c.hardened || c.persistent || c.ssh_agent);
  EXPECT_TRUE(c.env.empty() && c.mounts.empty() && c.protect.empty() && c.writable.empty());
  EXPECT_TRUE(c.profiles.empty() && c.sources.empty());
  EXPECT_EQ(c.host.bridge, "forestsh0");
  EXPECT_EQ(c.host.prefix_base, "fd00:5e00::/32");
  EXPECT_EQ(c.host.dns64_upstream, "");
}

TEST(ConfigBuiltin, Tools) {
  Config c = Builtin();
  ASSERT_EQ(c.tools.size(), 4u);
  EXPECT_EQ(c.tools["shell"].command, (std::vector<std::string>{"bash", "-l"}));
  EXPECT_EQ(c.tools["shell"].state, (std::vector<std::string>{".bash_history", ".local/state"}));
  EXPECT_TRUE(c.tools["shell"].settings.empty());
  EXPECT_EQ(c.tools["claude"].command, (std::vector<std::string>{"claude"}));
  EXPECT_EQ(c.tools["claude"].state, (std::vector<std::string>{".claude", ".claude.json"}));
  EXPECT_EQ(c.tools["claude"].settings,
            (std::vector<std::string>{".claude/settings.json", ".claude/settings.local.json", ".mcp.json"}));
  EXPECT_EQ(c.tools["codex"].settings, (std::vector<std::string>{".codex/config.toml"}));
  EXPECT_EQ(c.tools["aider"].state, (std::vector<std::string>{".aider"}));
  EXPECT_EQ(c.tools["aider"].settings, (std::vector<std::string>{".aider.conf.yml"}));
}

TEST(ConfigBuiltin, NetModeNames) {
  EXPECT_STREQ(NetModeName(NetMode::kRestricted), "restricted");
  EXPECT_STREQ(NetModeName(NetMode::kAllowlist), "allowlist");
  EXPECT_STREQ(NetModeName(NetMode::kOpen), "open");
}

TEST(ConfigLayerFiles, SystemUserWorkspace) {
  unsetenv("FOREST_SYSTEM_CONFIG");
  EXPECT_EQ(LayerFiles("/home/me", "/src/app"),
            (std::vector<std::string>{"/etc/forest/config.yaml", "/home/me/.config/forest/config.yaml",
                                      "/src/app/.forest.yaml"}));
  setenv("FOREST_SYSTEM_CONFIG", "/opt/forest.yaml", 1);
  EXPECT_EQ(LayerFiles("/h", "/w")[0], "/opt/forest.yaml");
  unsetenv("FOREST_SYSTEM_CONFIG");
}

// ---- every key, valid -----------------------------------------------------------

TEST(ConfigLayer, EveryKey) {
  Config c = Applied(R"(forest: work
tool: vim
network: allowlist
allow: [example.com, api.github.com., 192.0.2.10, 198.51.100.0/24, 2001:db8::1, 2001:db8:1::/48]
allow_refresh: 600
limits: {cpu: "0-3,6", memory: 50%, processes: 2000, disk: 20GiB}
hardened: true
persistent: true
ssh_agent: true
env: {EDITOR: vim, EMPTY: "", _X1: "a: b"}
mounts:
  - {source: /srv/data, path: /data}
  - {source: /home/me/notes, path: /notes, readonly: false}
protect: [.env, secrets/]
writable: [.vscode/settings.json]
tools:
  vim: {command: [vim, -n], state: [.viminfo], settings: [.vimrc]}
host:
  bridge: Forest_sh.1
  ipv6: fd00:5e12:0:0::1/64
  ipv4: 10.203.33.1/24
  uplink_range: fd00:5e12:0:1::/64
  helper_address: fd00:5e12::53
  prefix_base: fd00:5f00::/32
  nat64_prefix: fd00:6464::/96
  dns64_upstream: 2001:db8::53
)");
  EXPECT_EQ(c.forest, "work");
  EXPECT_EQ(c.tool, "vim");
  EXPECT_EQ(c.network, NetMode::kAllowlist);
  EXPECT_EQ(c.allow.size(), 6u);
  EXPECT_EQ(c.allow[1], "api.github.com.");
  EXPECT_EQ(c.allow_refresh, 600);
  EXPECT_EQ(c.limits.cpu, "0-3,6");
  EXPECT_EQ(c.limits.memory, "50%");
  EXPECT_EQ(c.limits.processes, "2000");
  EXPECT_EQ(c.limits.disk, "20GiB");
  EXPECT_TRUE(c.hardened && c.persistent && c.ssh_agent);
  EXPECT_EQ(c.env, (std::map<std::string, std::string>{{"EDITOR", "vim"}, {"EMPTY", ""}, {"_X1", "a: b"}}));
  ASSERT_EQ(c.mounts.size(), 2u);
  EXPECT_EQ(c.mounts[0].source, "/srv/data");
  EXPECT_TRUE(c.mounts[0].readonly);
  EXPECT_EQ(c.mounts[1].path, "/notes");
  EXPECT_FALSE(c.mounts[1].readonly);
  EXPECT_EQ(c.protect, (std::vector<std::string>{".env", "secrets/"}));
  EXPECT_EQ(c.writable, (std::vector<std::string>{".vscode/settings.json"}));
  EXPECT_EQ(c.tools.size(), 5u);
  EXPECT_EQ(c.tools["vim"].command, (std::vector<std::string>{"vim", "-n"}));
  EXPECT_EQ(c.tools["vim"].settings, (std::vector<std::string>{".vimrc"}));
  EXPECT_EQ(c.host.bridge, "Forest_sh.1");
  EXPECT_EQ(c.host.ipv6, "fd00:5e12::1/64");  // canonical form
  EXPECT_EQ(c.host.ipv4, "10.203.33.1/24");
  EXPECT_EQ(c.host.uplink_range, "fd00:5e12:0:1::/64");
  EXPECT_EQ(c.host.helper_address, "fd00:5e12::53");
  EXPECT_EQ(c.host.prefix_base, "fd00:5f00::/32");
  EXPECT_EQ(c.host.nat64_prefix, "fd00:6464::/96");
  EXPECT_EQ(c.host.dns64_upstream, "2001:db8::53");
  EXPECT_EQ(c.sources, (std::vector<std::string>{".forest.yaml"}));
}

TEST(ConfigLayer, EmptyFilesAreEmptyLayers) {
  for (const char* text : {"", "\n\n", "# only a comment\n", "---\n", "~\n"}) {
    Config c = Applied(text);
    Config builtin = Builtin();
    builtin.sources.push_back(".forest.yaml");
    EXPECT_EQ(Show(c), Show(builtin)) << text;
  }
}

// ---- every key, invalid (exact messages) -------------------------------------------

TEST(ConfigErrors, UnknownKeySuggests) {
  EXPECT_EQ(
      ErrorOf("network: open\nnetwrk: open\n"),
      ".forest.yaml:2:1: netwrk: unknown key \"netwrk\"; did you mean \"network\"? Valid keys here: forest, "
      "tool, image, network, allow, allow_refresh, limits, hardened, persistent, ssh_agent, env, mounts, protect, "
      "writable, tools, host, profiles");
  EXPECT_EQ(ErrorOf("limits:\n  memroy: 4GiB\n"),
            ".forest.yaml:2:3: limits.memroy: unknown key \"memroy\"; did you mean \"memory\"? Valid keys "
            "here: cpu, "
            "memory, processes, disk");
}

TEST(ConfigErrors, Forest) {
  EXPECT_EQ(
      ErrorOf("forest: Dev\n"),
      ".forest.yaml:1:9: forest: \"Dev\" has the uppercase letter 'D' at position 1; labels are lowercase "
      "(write \"dev\")");
  EXPECT_NE(ErrorOf("forest: -x\n").find(".forest.yaml:1:9: forest: \"-x\" starts with '-'"),
            std::string::npos);
}

TEST(ConfigErrors, Image) {
  EXPECT_EQ(ErrorOf("image: \"\"\n"), ".forest.yaml:1:8: image: the value is empty; give a non-empty value or leave the key out");
  EXPECT_NE(ErrorOf("image: [a]\n").find(".forest.yaml:1:8: image: expected"), std::string::npos);
}

TEST(ConfigLayering, ImageFromAWorkspaceLayer) {
  EXPECT_EQ(Builtin().image, "");
  EXPECT_EQ(Applied("image: mybox\n").image, "mybox");
}

TEST(ConfigErrors, Network) {
  EXPECT_EQ(ErrorOf("hardened: true\nnetwork: closed\n"),
            std::string(".forest.yaml:2:10: network: \"closed\" is not a network mode; ") + kModes);
  EXPECT_EQ(ErrorOf("network: allowlst\n"),
            ".forest.yaml:1:10: network: \"allowlst\" is not a network mode; did you mean \"allowlist\"? Use "
            "restricted, allowlist or open");
  EXPECT_EQ(ErrorOf("network: [open]\n"), ".forest.yaml:1:10: network: expected a string, found a list");
}

TEST(ConfigErrors, Allow) {
  auto at = [](const std::string& entry) {
    return ErrorOf("allow:\n  - ok.example\n  - \"" + entry + "\"\n");
  };
  EXPECT_EQ(at("*.example.com"),
            ".forest.yaml:3:5: allow[1]: \"*.example.com\" is a wildcard; list each host name (e.g. "
            "api.example.com), since the allowlist resolves names to addresses");
  EXPECT_EQ(at("1.2.3"),
            std::string(".forest.yaml:3:5: allow[1]: \"1.2.3\" is not a valid IPv4 address; ") + kAllowForms);
  EXPECT_EQ(
      at("2001:db8::g"),
      std::string(".forest.yaml:3:5: allow[1]: \"2001:db8::g\" is not a valid IPv6 address; ") + kAllowForms);
  EXPECT_EQ(at("10.0.0.1/8"),
            ".forest.yaml:3:5: allow[1]: \"10.0.0.1/8\" has host bits set; did you mean 10.0.0.0/8?");
  EXPECT_EQ(at("2001:db8::1/32"),
            ".forest.yaml:3:5: allow[1]: \"2001:db8::1/32\" has host bits set; did you mean 2001:db8::/32?");
  EXPECT_EQ(at("10.0.0.0/33"),
            ".forest.yaml:3:5: allow[1]: \"10.0.0.0/33\" has an invalid prefix length; use /0 to /32");
  EXPECT_EQ(at("2001:db8::/129"),
            ".forest.yaml:3:5: allow[1]: \"2001:db8::/129\" has an invalid prefix length; use /0 to /128");
  EXPECT_EQ(at("10.0.0.0/"),
            ".forest.yaml:3:5: allow[1]: \"10.0.0.0/\" has an invalid prefix length; use /0 to /32");
  EXPECT_EQ(at("foo..com"),
            std::string(".forest.yaml:3:5: allow[1]: \"foo..com\" is not a domain name (label \"\": "
                        "1..63 letters, digits or '-', not starting or ending with '-'); ") +
                kAllowForms);
  EXPECT_NE(at("-a.com").find("allow[1]: \"-a.com\" is not a domain name (label \"-a\""), std::string::npos);
  EXPECT_NE(at("a_b.com").find("allow[1]: \"a_b.com\" is not a domain name"), std::string::npos);
  EXPECT_NE(at(std::string(64, 'a') + ".com").find("is not a domain name"), std::string::npos);
  EXPECT_EQ(at("foo.123"),
            std::string(".forest.yaml:3:5: allow[1]: \"foo.123\" ends in a numeric label, so it is "
                        "neither a domain name nor an IPv4 address; ") +
                kAllowForms);
  EXPECT_EQ(
      ErrorOf("allow: example.com\n"),
      ".forest.yaml:1:8: allow: expected a list of domain names, addresses or prefixes, found the value "
      "\"example.com\"; write one \"- ...\" item per line, or [a, b]");
  for (const char* ok :
       {"localhost", "Example.COM", "xn--bcher-kva.example", "0.0.0.0/0", "::/0", "::ffff:1.2.3.4"})
    EXPECT_EQ(at(ok), "ok") << ok;
}

TEST(ConfigErrors, AllowRefresh) {
  EXPECT_EQ(ErrorOf("allow_refresh: 5\n"),
            ".forest.yaml:1:16: allow_refresh: 5 is out of range 10..86400; give the seconds between "
            "re-resolutions (300 = 5 minutes)");
  EXPECT_EQ(ErrorOf("allow_refresh: 5m\n"),
            ".forest.yaml:1:16: allow_refresh: expected an integer 10..86400, found the value \"5m\"");
  EXPECT_EQ(Applied("allow_refresh: 86400\n").allow_refresh, 86400);
}

TEST(ConfigErrors, Limits) {
  EXPECT_EQ(ErrorOf("limits: {cpu: x}\n"),
            ".forest.yaml:1:15: limits.cpu: \"x\" is not a CPU count or set; write a count like \"2\" or a "
            "set like "
            "\"0-3,6\"");
  EXPECT_EQ(ErrorOf("limits:\n  memory: 4 GiB\n"),
            ".forest.yaml:2:11: limits.memory: \"4 GiB\" is not a memory size; write a size like 4GiB or "
            "512MiB, or "
            "a share like 50%");
  EXPECT_EQ(ErrorOf("limits:\n  memory: 150%\n").substr(0, 33), ".forest.yaml:2:11: limits.memory:");
  EXPECT_EQ(
      ErrorOf("limits:\n  processes: 2k\n"),
      ".forest.yaml:2:14: limits.processes: \"2k\" is not a positive whole number; write a count like 2000");
  EXPECT_EQ(ErrorOf("limits:\n  disk: 50%\n"),
            ".forest.yaml:2:9: limits.disk: \"50%\" is not a size; write a size like 20GiB or 500MB");
  EXPECT_EQ(
      ErrorOf("limits: 4GiB\n"),
      ".forest.yaml:1:9: limits: expected a map with keys cpu, memory, processes, disk, found the value "
      "\"4GiB\"");
}

TEST(ConfigErrors, Booleans) {
  for (const char* key : {"hardened", "persistent", "ssh_agent"}) {
    std::string col = std::to_string(std::string(key).size() + 3);
    EXPECT_EQ(ErrorOf(std::string(key) + ": yes\n"),
              ".forest.yaml:1:" + col + ": " + key +
                  ": expected true or false, found the value \"yes\"; write the bare word true or false (no "
                  "quotes, not yes/no/on/off)");
    EXPECT_NE(ErrorOf(std::string(key) + ": \"true\"\n"), "ok");
  }
}

TEST(ConfigErrors, Env) {
  EXPECT_EQ(
      ErrorOf("env:\n  1A: x\n"),
      ".forest.yaml:2:3: env: \"1A\" is not an environment variable name; use letters, digits and '_', not "
      "starting with a digit (e.g. EDITOR)");
  EXPECT_EQ(ErrorOf("env:\n  A-B: x\n").substr(0, 27), ".forest.yaml:2:3: env: \"A-B");
  EXPECT_EQ(ErrorOf("env:\n  A: x\n  A: y\n"),
            ".forest.yaml:3:3: env.A: the key \"A\" appears twice in this map (first at line 2); keep one");
  EXPECT_EQ(
      ErrorOf("env:\n  A:\n"),
      ".forest.yaml:2:3: env.A: expected a string, found nothing (null); write A: \"\" for an empty value");
  EXPECT_EQ(ErrorOf("env:\n  A: [x]\n"),
            ".forest.yaml:2:6: env.A: expected a string, found a list; write A: \"\" for an empty value");
  EXPECT_EQ(
      ErrorOf("env: [A=x]\n"),
      ".forest.yaml:1:6: env: expected a map, found a list; write NAME: value pairs, e.g. {EDITOR: vim}");
  EXPECT_NE(
      ErrorOf("env:\n  A: \"\\a\"\n").find(".forest.yaml:2:6: env.A: the value has a control character 0x07"),
      std::string::npos);
}

TEST(ConfigErrors, Mounts) {
  EXPECT_EQ(ErrorOf("mounts:\n  - source: /srv\n    path: /\n"),
            ".forest.yaml:3:11: mounts[0].path: mounting / is refused; name a folder such as /srv/data");
  EXPECT_EQ(ErrorOf("mounts:\n  - source: srv\n    path: /x\n"),
            ".forest.yaml:2:13: mounts[0].source: \"srv\" is a relative path; give an absolute path starting "
            "with '/'");
  EXPECT_EQ(ErrorOf("mounts:\n  - source: /srv/../etc\n    path: /x\n"),
            ".forest.yaml:2:13: mounts[0].source: \"/srv/../etc\" has a \"..\" component; give the plain "
            "absolute path "
            "without \"..\"");
  EXPECT_EQ(
      ErrorOf("mounts:\n  - path: /x\n"),
      ".forest.yaml:2:5: mounts[0].source: required key is missing; add \"source:\" (Host folder to mount.)");
  EXPECT_EQ(ErrorOf("mounts:\n  - {source: /a, path: /b, readonly: no}\n").substr(0, 47),
            ".forest.yaml:2:38: mounts[0].readonly: expected");
  EXPECT_EQ(ErrorOf("mounts:\n  - {source: //, path: /b}\n"),
            ".forest.yaml:2:14: mounts[0].source: mounting / is refused; name a folder such as /srv/data");
}

TEST(ConfigErrors, RelativePaths) {
  EXPECT_EQ(
      ErrorOf("protect: [/etc]\n"),
      ".forest.yaml:1:11: protect[0]: \"/etc\" is an absolute path; give a path relative to the workspace "
      "(e.g. .env)");
  EXPECT_EQ(ErrorOf("writable:\n  - a/../b\n"),
            ".forest.yaml:2:5: writable[0]: \"a/../b\" has a \"..\" component; give a path relative to the "
            "workspace (e.g. .env)");
  EXPECT_EQ(ErrorOf("protect: [\"\"]\n"),
            ".forest.yaml:1:11: protect[0]: the value is empty; give a non-empty value or leave the key out");
  EXPECT_EQ(ErrorOf("tools:\n  t:\n    command: [t]\n    state: [../x]\n"),
            ".forest.yaml:4:13: tools.t.state[0]: \"../x\" has a \"..\" component; give a path relative to "
            "the home "
            "folder (e.g. .config/tool)");
}

TEST(ConfigErrors, Tools) {
  EXPECT_EQ(
      ErrorOf("tools:\n  vim: {command: []}\n"),
      ".forest.yaml:2:18: tools.vim.command: the list is empty; give the command and its arguments, e.g. "
      "[vim, -n]");
  EXPECT_EQ(
      ErrorOf("tools:\n  vim: {state: [.viminfo]}\n"),
      ".forest.yaml:2:8: tools.vim.command: required key is missing; add \"command:\" (The command and its "
      "arguments, e.g. [vim, -n].)");
  EXPECT_EQ(
      ErrorOf("tools:\n  Vim: {command: [vim]}\n"),
      ".forest.yaml:2:3: tools: \"Vim\" has the uppercase letter 'V' at position 1; labels are lowercase "
      "(write \"vim\")");
  EXPECT_EQ(
      ErrorOf("tools:\n  vim: {command: [vim], setings: []}\n"),
      ".forest.yaml:2:25: tools.vim.setings: unknown key \"setings\"; did you mean \"settings\"? Valid keys "
      "here: command, state, settings");
}

TEST(ConfigErrors, Host) {
  EXPECT_EQ(
      ErrorOf("host:\n  bridge: averyveryverylongname\n"),
      ".forest.yaml:2:11: host.bridge: \"averyveryverylongname\" is not an interface name; an interface name "
      "is 1..15 characters of [A-Za-z0-9_.-] (kernel limit)");
  EXPECT_EQ(
      ErrorOf("host:\n  ipv6: fd00::1/48\n"),
      ".forest.yaml:2:9: host.ipv6: \"fd00::1/48\" is a /48; this must be a /64 (e.g. fd00:5e11::1/64)");
  EXPECT_EQ(
      ErrorOf("host:\n  ipv4: 10.0.0.1\n"),
      ".forest.yaml:2:9: host.ipv4: \"10.0.0.1\" is not an IPv4 interface address ('10.0.0.1' has no prefix "
      "length; expected an IPv4 interface address such as 10.203.0.1/24); write one like 10.203.32.1/24");
  EXPECT_EQ(ErrorOf("host:\n  uplink_range: fd00:5e11::/56\n"),
            ".forest.yaml:2:17: host.uplink_range: \"fd00:5e11::/56\" is a /56; this must be a /64 (e.g. "
            "fd00:5e11:0:1::/64)");
  EXPECT_EQ(ErrorOf("host:\n  helper_address: 10.0.0.1\n"),
            ".forest.yaml:2:19: host.helper_address: \"10.0.0.1\" is not an IPv6 address ('10.0.0.1' is not "
            "an IPv6 "
            "address); write one like fd00:5e11::53");
  EXPECT_EQ(ErrorOf("host:\n  prefix_base: fd00:5e00::/48\n"),
            ".forest.yaml:2:16: host.prefix_base: \"fd00:5e00::/48\" is a /48; this must be a /32 (e.g. "
            "fd00:5e00::/32)");
  EXPECT_EQ(ErrorOf("host:\n  nat64_prefix: \"fd00:6464::1/96\"\n"),
            ".forest.yaml:2:17: host.nat64_prefix: \"fd00:6464::1/96\" is not an IPv6 prefix "
            "('fd00:6464::1/96' has "
            "host bits set; did you mean fd00:6464::/96?); write one like fd00:6464::/96");
  EXPECT_EQ(ErrorOf("host:\n  dns64_upstream: nope\n"),
            ".forest.yaml:2:19: host.dns64_upstream: \"nope\" is not an IPv4 or IPv6 address; write one like "
            "198.51.100.53");
}

TEST(ConfigErrors, ToolMustExistAfterTheLayer) {
  EXPECT_EQ(ErrorOf("network: open\ntool: vim\n"),
            ".forest.yaml:2:7: tool: \"vim\" is not a tool; use one of aider, claude, codex, shell or define "
            "it under "
            "tools:");
  EXPECT_EQ(
      ErrorOf("tool: claud\n"),
      ".forest.yaml:1:7: tool: \"claud\" is not a tool; did you mean \"claude\"? Use one of aider, claude, "
      "codex, shell or define it under tools:");
  // The tool may be defined after it is named, in the same layer or an earlier one.
  EXPECT_EQ(Applied("tool: vim\ntools: {vim: {command: [vim]}}\n").tool, "vim");
  Config c = Applied("tools: {vim: {command: [vim]}}\n");
  EXPECT_TRUE(ApplyLayer(c, "tool: vim\n", "b.yaml").ok());
}

// ---- the document as a whole ------------------------------------------------------

TEST(ConfigErrors, Document) {
  EXPECT_EQ(
      ErrorOf("- network: open\n"),
      ".forest.yaml:1:1: top level: expected a map with keys forest, tool, image, network, allow, allow_refresh, "
      "limits, hardened, persistent, ssh_agent, env, mounts, protect, writable, tools, host, profiles, found "
      "a "
      "list; remove the \"- \" in front of the keys");
  EXPECT_EQ(
      ErrorOf("network: open\nnetwork: allowlist\n"),
      ".forest.yaml:2:1: network: the key \"network\" appears twice in this map (first at line 1); keep one");
  EXPECT_EQ(ErrorOf("network: open\n---\nnetwork: open\n"),
            ".forest.yaml:2:1: top level: a second YAML document starts here; a config layer is one document "
            "(remove the \"---\" line or fix the indentation above)");
  EXPECT_EQ(
      ErrorOf("allow: [a.com\n"),
      ".forest.yaml:2:1: YAML syntax: end of sequence flow not found; check the indentation, quotes and "
      "brackets here");
  EXPECT_EQ(
      ErrorOf("network: open\nforest: a\x07\n"),
      ".forest.yaml:2:10: encoding: control character 0x07; a config file is UTF-8 text without control "
      "characters (tabs and line breaks are fine)");
  EXPECT_EQ(ErrorOf("forest: \xff\n").substr(0, 45), ".forest.yaml:1:9: encoding: invalid UTF-8; a ");
}

TEST(ConfigLimits, SizeNodesAndDepth) {
  EXPECT_EQ(ErrorOf("# " + std::string(1 << 20, 'x') + "\n"),
            ".forest.yaml: the file is 1048579 bytes; a config layer is at most 1048576 bytes (1 MiB)");
  std::string many = "protect:\n";
  for (int i = 0; i < 10001; ++i) many += "  - a\n";
  // The 10001st node: the map, "protect", the list and 9998 items.
  EXPECT_EQ(ErrorOf(many).substr(0, 70),
            ".forest.yaml:9999:5: top level: the file has more than 10000 YAML node");
  // Aliases count each time they are used: 10 levels of 10 uses is 10^10 nodes.
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) laughs += ", " + prev;
    laughs += "]\n";
  }
  EXPECT_NE(
      ErrorOf("env:\n" + laughs).find("top level: the file has more than 10000 YAML nodes (aliases count"),
      std::string::npos);
  std::string deep(5000, '[');
  EXPECT_NE(ErrorOf("allow: " + deep + "\n").find(": nesting: the YAML nests deeper than"),
            std::string::npos);
}

// ---- layering ---------------------------------------------------------------------

TEST(ConfigLayering, LaterWinsMapsMergeListsReplace) {
  Config c = Builtin();
  ASSERT_TRUE(ApplyLayer(c, R"(network: open
allow: [a.example]
env: {A: system, B: system}
limits: {cpu: "2", memory: 2GiB}
host: {bridge: sysbr0}
mounts: [{source: /srv/a, path: /a}]
tools: {shell: {command: [zsh]}, vim: {command: [vim]}}
)",
                         "/etc/forest/config.yaml")
                  .ok());
  ASSERT_TRUE(ApplyLayer(c, R"(allow: [b.example, c.example]
env: {B: user, C: user}
limits: {memory: 4GiB}
tools: {vim: {command: [nvim], state: [.local/share/nvim]}}
)",
                         "/home/me/.config/forest/config.yaml")
                  .ok());
  ASSERT_TRUE(ApplyLayer(c, "network: allowlist\nmounts: []\nenv: {C: workspace}\n", "/w/.forest.yaml").ok());

  EXPECT_EQ(c.network, NetMode::kAllowlist);                                 // later wins
  EXPECT_EQ(c.allow, (std::vector<std::string>{"b.example", "c.example"}));  // lists replace
  EXPECT_TRUE(c.mounts.empty());                                             // even with an empty list
  EXPECT_EQ(c.env, (std::map<std::string, std::string>{{"A", "system"}, {"B", "user"}, {"C", "workspace"}}));
  EXPECT_EQ(c.limits.cpu, "2");  // maps merge key by key
  EXPECT_EQ(c.limits.memory, "4GiB");
  EXPECT_EQ(c.host.bridge, "sysbr0");
  EXPECT_EQ(c.host.ipv4, "10.203.32.1/24");
  EXPECT_EQ(c.tools["shell"].command, (std::vector<std::string>{"zsh"}));
  EXPECT_TRUE(c.tools["shell"].state.empty());  // a tool entry replaces the tool wholesale
  EXPECT_EQ(c.tools["vim"].command, (std::vector<std::string>{"nvim"}));
  EXPECT_EQ(c.tools["claude"].command, (std::vector<std::string>{"claude"}));  // untouched built-in
  EXPECT_EQ(c.sources, (std::vector<std::string>{"/etc/forest/config.yaml",
                                                 "/home/me/.config/forest/config.yaml", "/w/.forest.yaml"}));
}

TEST(ConfigLayering, FailedLayerLeavesConfigUnchanged) {
  Config c = Applied("network: open\nenv: {A: \"1\"}\nprofiles: {p: {hardened: true}}\n");
  std::string before = Show(c);
  // Everything before the bad value is read (and would have changed the copy).
  auto s =
      ApplyLayer(c,
                 "forest: other\nnetwork: allowlist\nallow: [x.example]\nenv: {B: \"2\"}\n"
                 "tools: {vim: {command: [vim]}}\nprofiles: {q: {persistent: true}}\nhost: {ipv4: nope}\n",
                 "bad.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.substr(0, 26), "bad.yaml:7:14: host.ipv4: ");
  EXPECT_EQ(Show(c), before);
  // The same for a layer that fails only at the end, on the tool check.
  ASSERT_FALSE(ApplyLayer(c, "network: allowlist\ntool: nope\n", "bad.yaml").ok());
  EXPECT_EQ(Show(c), before);
}

// ---- profiles -----------------------------------------------------------------------

constexpr char kProfiles[] = R"(network: restricted
profiles:
  offline:
    # nothing leaves the jail but forest plumbing
    network: allowlist

    allow: []
  review:
    tool: reviewer
    tools:
      reviewer: {command: [claude, --permission-mode, plan]}
  broken:
    network: open
    # the tool is defined nowhere

    tool: editor
  quick: {network: open, tool: nano}
)";

TEST(ConfigProfiles, StoredWithTheirOrigin) {
  Config c = Applied(kProfiles);
  ASSERT_EQ(c.profiles.size(), 4u);
  const auto& offline = c.profiles["offline"];
  EXPECT_EQ(offline.file, ".forest.yaml");
  EXPECT_EQ(offline.line, 4 + 1);
  EXPECT_EQ(offline.yaml, "    network: allowlist\n\n    allow: []\n");
  EXPECT_EQ(c.profiles["quick"].line, 17);
  EXPECT_EQ(c.profiles["quick"].yaml, "         {network: open, tool: nano}\n");
  EXPECT_EQ(c.network, NetMode::kRestricted);  // defining a profile applies nothing
}

TEST(ConfigProfiles, Apply) {
  Config c = Applied(kProfiles);
  ASSERT_TRUE(ApplyProfile(c, "offline").ok());
  EXPECT_EQ(c.network, NetMode::kAllowlist);
  EXPECT_TRUE(c.allow.empty());
  ASSERT_TRUE(ApplyProfile(c, "review").ok());
  EXPECT_EQ(c.tool, "reviewer");
  EXPECT_EQ(c.tools["reviewer"].command, (std::vector<std::string>{"claude", "--permission-mode", "plan"}));
  EXPECT_EQ(c.sources, (std::vector<std::string>{".forest.yaml"}));
}

TEST(ConfigProfiles, ErrorsPointIntoTheOriginalFile) {
  Config c = Applied(kProfiles);
  std::string before = Show(c);
  auto s = ApplyProfile(c, "broken");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(
      s.error().message,
      ".forest.yaml:16:11: profiles.broken.tool: \"editor\" is not a tool; use one of aider, claude, codex, "
      "shell or define it under tools:");
  EXPECT_EQ(Show(c), before);
  s = ApplyProfile(c, "quick");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message.substr(0, 47), ".forest.yaml:17:32: profiles.quick.tool: \"nano\"");
}

TEST(ConfigProfiles, ToolFromALaterLayer) {
  Config c = Builtin();
  ASSERT_TRUE(ApplyLayer(c, "profiles:\n  edit: {tool: vim}\n", "/etc/forest/config.yaml").ok());
  ASSERT_TRUE(ApplyLayer(c, "tools: {vim: {command: [vim]}}\n", "/w/.forest.yaml").ok());
  ASSERT_TRUE(ApplyProfile(c, "edit").ok());
  EXPECT_EQ(c.tool, "vim");
}

TEST(ConfigProfiles, LaterLayerReplacesAProfile) {
  Config c = Applied("profiles:\n  p: {network: open, hardened: true}\n");
  ASSERT_TRUE(ApplyLayer(c, "profiles:\n  p: {persistent: true}\n", "b.yaml").ok());
  ASSERT_TRUE(ApplyProfile(c, "p").ok());
  EXPECT_EQ(c.network, NetMode::kRestricted);
  EXPECT_FALSE(c.hardened);
  EXPECT_TRUE(c.persistent);
}

TEST(ConfigProfiles, Unknown) {
  Config c = Builtin();
  EXPECT_EQ(ApplyProfile(c, "dev").error().message,
            "profile \"dev\": no profiles are defined; define one under profiles: in a config file (e.g. "
            ".forest.yaml)");
  c = Applied(kProfiles);
  EXPECT_EQ(ApplyProfile(c, "reveiw").error().message,
            "profile \"reveiw\": no such profile; did you mean \"review\"? The profiles defined are broken, "
            "offline, "
            "quick, review");
  EXPECT_EQ(ApplyProfile(c, "zzz").error().message,
            "profile \"zzz\": no such profile; the profiles defined are broken, offline, quick, review");
}

TEST(ConfigProfiles, KeysCheckedWhenTheLayerIsRead) {
  EXPECT_EQ(
      ErrorOf("profiles:\n  dev:\n    network: shut\n"),
      std::string(".forest.yaml:3:14: profiles.dev.network: \"shut\" is not a network mode; ") + kModes);
  EXPECT_EQ(
      ErrorOf("profiles:\n  dev:\n    profiles: {}\n"),
      ".forest.yaml:3:5: profiles.dev.profiles: profiles cannot be nested; define every profile under the "
      "top-level profiles:");
  EXPECT_EQ(
      ErrorOf("profiles:\n  Dev: {}\n"),
      ".forest.yaml:2:3: profiles: \"Dev\" has the uppercase letter 'D' at position 1; labels are lowercase "
      "(write \"dev\")");
  EXPECT_EQ(ErrorOf("profiles:\n  dev:\n").substr(0, 56),
            ".forest.yaml:2:3: profiles.dev: expected a map with keys");
  EXPECT_EQ(ErrorOf("profiles:\n  dev: {netwrk: open}\n").substr(0, 69),
            ".forest.yaml:2:9: profiles.dev.netwrk: unknown key \"netwrk\"; did you ");
}

TEST(ConfigProfiles, EmptyAndAliased) {
  Config c =
      Applied("env: &e {A: \"1\"}\nprofiles:\n  none: {}\n  same: {env: *e, protect: [\"~\", \"null\"]}\n");
  ASSERT_TRUE(ApplyProfile(c, "none").ok());
  ASSERT_TRUE(ApplyProfile(c, "same").ok());
  EXPECT_EQ(c.protect, (std::vector<std::string>{"~", "null"}));  // quoted strings stay strings
}

// ---- the checks on their own (for values from the command line) ----------------------

TEST(ShellConfigChecks, Values) {
  EXPECT_EQ(*ParseNetMode("open"), NetMode::kOpen);
  EXPECT_EQ(ParseNetMode("Open").error().message,
            "\"Open\" is not a network mode; did you mean \"open\"? Use restricted, allowlist or open");
  EXPECT_TRUE(CheckAllowEntry("pypi.org").ok());
  EXPECT_TRUE(CheckAllowEntry("fd00::/8").ok());
  EXPECT_FALSE(CheckAllowEntry("").ok());
  EXPECT_FALSE(CheckAllowEntry(".").ok());
  EXPECT_FALSE(CheckAllowEntry("/8").ok());
  EXPECT_FALSE(CheckAllowEntry("fe80::1%eth0").ok());
  EXPECT_FALSE(CheckAllowEntry(std::string(250, 'a') + ".com").ok());
  EXPECT_TRUE(CheckEnvName("_").ok());
  EXPECT_FALSE(CheckEnvName("").ok());
  EXPECT_EQ(CheckWorkspacePath("").error().message,
            "the path is empty; give a path relative to the workspace (e.g. .env)");
  EXPECT_TRUE(CheckWorkspacePath("./a/..b").ok());
  EXPECT_TRUE(CheckHomePath(".cache").ok());
  EXPECT_FALSE(CheckMountPath("/a/./b").ok());
  EXPECT_FALSE(CheckBridge("").ok());
  EXPECT_FALSE(CheckBridge("..").ok());
  EXPECT_TRUE(CheckIpLiteral("::1").ok());
  EXPECT_FALSE(CheckIpLiteral("10.0.0.0/8").ok());
}

// ---- the fuzz corpus --------------------------------------------------------------------

TEST(ShellConfigCorpus, Replays) {
  std::filesystem::path dir = std::filesystem::path(FOREST_SOURCE_DIR) / "fuzz/corpus/shell_config";
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Config c = Builtin();
    auto s = ApplyLayer(c, text, e.path().filename().string());
    ++files;
    if (e.path().filename() == "errors.yaml") {
      EXPECT_FALSE(s.ok());
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.error().message;
    for (const auto& [name, p] : c.profiles) {
      Config copy = c;
      EXPECT_TRUE(ApplyProfile(copy, name).ok()) << e.path() << " profile " << name;
    }
  }
  EXPECT_GE(files, 4);
}

}  // namespace
}  // namespace forest::shell
