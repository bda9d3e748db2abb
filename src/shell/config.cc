// forest shell's configuration layers. The key tables below declare every key
// once (name, type, doc, reader); the reading itself (maps with strict keys,
// did-you-mean, duplicate keys, positions, the node budget) is the topology
// reader's. yaml-cpp throws; ApplyLayer catches everything it throws.
#include "shell/config.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <exception>
#include <set>
#include <span>
#include <sstream>
#include <type_traits>

#include "base/strings.h"
#include "net/ip.h"
#include "shell/config_checks.h"
#include "topology/checks.h"
#include "topology/keys.h"
#include "topology/reader.h"

// Designated initializers leave most Key fields at their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace forest::shell {
namespace {

using topology::internal::Describe;
using topology::internal::Field;
using topology::internal::Quote;
using topology::internal::ReadBool;
using topology::internal::Reader;
using topology::internal::ReadInt;
using topology::internal::ReadLabel;
using topology::internal::ReadList;
using topology::internal::ReadMap;
using topology::internal::ReadString;
template <typename T>
using Key = topology::internal::Key<T>;

constexpr size_t kMaxLayerBytes = topology::kMaxInputBytes;  // 1 MiB
constexpr int kMaxLayerNodes = topology::kMaxYamlNodes;      // 10000

// ---- typed readers ------------------------------------------------------------

Status Check(Reader& r, const Field& f, const Status& s) { return s.ok() ? s : r.Fail(f, s.error().message); }

Result<std::string> ReadChecked(Reader& r, const Field& f, Status (*check)(std::string_view)) {
  FOREST_ASSIGN_OR_RETURN(std::string s, ReadString(r, f));
  FOREST_TRY(Check(r, f, check(s)));
  return s;
}

// A list of non-empty strings, each passing `check` (when given); replaces `out`.
Status ReadStrings(Reader& r, const Field& f, std::string_view what, Status (*check)(std::string_view),
                   std::vector<std::string>& out) {
  std::vector<std::string> items;
  FOREST_TRY(ReadList(r, f, what, [&](const Field& e) -> Status {
    FOREST_ASSIGN_OR_RETURN(std::string s, check ? ReadChecked(r, e, check) : ReadString(r, e));
    items.push_back(std::move(s));
    return {};
  }));
  out = std::move(items);
  return {};
}

// An address or prefix parsed by net::V, stored in its canonical text form.
template <typename V>
Status ReadAddress(Reader& r, const Field& f, std::string_view kind, std::string_view example,
                   std::string& out, int length = -1) {
  FOREST_ASSIGN_OR_RETURN(std::string s, ReadString(r, f));
  auto v = V::Parse(s);
  if (!v.ok()) {
    return r.Fail(f, Quote(s) + " is not " + std::string(kind) + " (" + v.error().message +
                         "); write one like " + std::string(example));
  }
  if constexpr (!std::is_same_v<V, net::Ipv6Address>) {
    if (length >= 0 && v->length != length) {
      return r.Fail(f, Quote(s) + " is a /" + std::to_string(v->length) + "; this must be a /" +
                           std::to_string(length) + " (e.g. " + std::string(example) + ")");
    }
  }
  out = v->ToString();
  return {};
}

// Reads the map `f` whose keys are names chosen by the user (env, tools,
// profiles): refuses a non-map, non-scalar and duplicate keys, checks each
// name with `check_name`, then calls `entry(name, value_field)`.
template <typename F>
Status ReadEntries(Reader& r, const Field& f, std::string_view example,
                   Status (*check_name)(std::string_view), F&& entry) {
  if (!f.node.IsMap())
    return r.Fail(f, "expected a map, found " + Describe(f.node) + "; write " + std::string(example));
  std::set<std::string, std::less<>> seen;
  for (const auto& pair : f.node) {
    const YAML::Node& key = pair.first;
    Field key_field{key, f.path, key.Mark()};
    FOREST_TRY(r.Visit(key_field, 2));
    if (!key.IsScalar()) return r.Fail(key_field, "a key must be a name, found " + Describe(key));
    const std::string& name = key.Scalar();
    FOREST_TRY(Check(r, key_field, check_name(name)));
    std::string path = f.path + "." + name;
    if (!seen.insert(name).second) {
      return r.Fail(Field{key, path, key.Mark()},
                    "the key " + Quote(name) + " appears twice in this map (first at line " +
                        std::to_string(r.MarkOf(path).line + 1) + "); keep one");
    }
    Field value{pair.second, path, pair.second.IsNull() ? key.Mark() : pair.second.Mark()};
    r.Remember(value);
    FOREST_TRY(entry(name, value));
  }
  return {};
}

template <std::string topology::Limits::*member, Status (*check)(std::string_view)>
Status ReadLimit(Reader& r, const Field& f, topology::Limits& l) {
  FOREST_ASSIGN_OR_RETURN(l.*member, ReadChecked(r, f, check));
  return {};
}

// ---- key tables -----------------------------------------------------------------

const std::array<Key<topology::Limits>, 4> kLimitKeys = {{
    {.name = "cpu",
     .type = "string",
     .doc = "CPU count (\"2\") or set (\"0-3,6\").",
     .read = ReadLimit<&topology::Limits::cpu, topology::internal::CheckCpu>},
    {.name = "memory",
     .type = "size or percentage",
     .doc = "Memory limit, e.g. 4GiB or 50%.",
     .read = ReadLimit<&topology::Limits::memory, topology::internal::CheckMemory>},
    {.name = "processes",
     .type = "integer",
     .doc = "Process limit, e.g. 2000.",
     .read = ReadLimit<&topology::Limits::processes, topology::internal::CheckCount>},
    {.name = "disk",
     .type = "size",
     .doc = "Root disk size, e.g. 20GiB.",
     .read = ReadLimit<&topology::Limits::disk, topology::internal::CheckSize>},
}};

const std::array<Key<Mount>, 3> kMountKeys = {{
    {.name = "source",
     .type = "absolute path",
     .doc = "Host folder to mount.",
     .read = [](Reader& r, const Field& f, Mount& m) -> Status {
       FOREST_ASSIGN_OR_RETURN(m.source, ReadChecked(r, f, CheckMountPath));
       return {};
     },
     .required = true},
    {.name = "path",
     .type = "absolute path",
     .doc = "Where it appears inside the jail.",
     .read = [](Reader& r, const Field& f, Mount& m) -> Status {
       FOREST_ASSIGN_OR_RETURN(m.path, ReadChecked(r, f, CheckMountPath));
       return {};
     },
     .required = true},
    {.name = "readonly",
     .type = "boolean",
     .doc = "Mount read-only; false lets the jail write.",
     .read = [](Reader& r, const Field& f, Mount& m) -> Status {
       FOREST_ASSIGN_OR_RETURN(m.readonly, ReadBool(r, f));
       return {};
     }},
}};

const std::array<Key<Tool>, 3> kToolKeys = {{
    {.name = "command",
     .type = "list of strings",
     .doc = "The command and its arguments, e.g. [vim, -n].",
     .read = [](Reader& r, const Field& f, Tool& t) -> Status {
       if (f.node.IsSequence() && f.node.size() == 0) {
         return r.Fail(f, "the list is empty; give the command and its arguments, e.g. [vim, -n]");
       }
       return ReadStrings(r, f, "a list of words (the command and its arguments)", nullptr, t.command);
     },
     .required = true},
    {.name = "state",
     .type = "list of home-relative paths",
     .doc = "What the tool keeps in the home folder, saved per workspace.",
     .read =
         [](Reader& r, const Field& f, Tool& t) {
           return ReadStrings(r, f, "a list of paths relative to the home folder", CheckHomePath, t.state);
         }},
    {.name = "settings",
     .type = "list of workspace-relative paths",
     .doc = "Workspace files the tool must not rewrite (mounted read-only).",
     .read =
         [](Reader& r, const Field& f, Tool& t) {
           return ReadStrings(r, f, "a list of paths relative to the workspace", CheckWorkspacePath,
                              t.settings);
         }},
}};

const std::array<Key<HostNet>, 8> kHostKeys = {{
    {.name = "bridge",
     .type = "interface name",
     .doc = "The shell forest's own bridge.",
     .read = [](Reader& r, const Field& f, HostNet& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.bridge, ReadChecked(r, f, CheckBridge));
       return {};
     }},
    {.name = "ipv6",
     .type = "IPv6 address/64",
     .doc = "The host's address on the bridge.",
     .read =
         [](Reader& r, const Field& f, HostNet& h) {
           return ReadAddress<net::Ipv6Interface>(r, f, "an IPv6 interface address", "fd00:5e11::1/64",
                                                  h.ipv6, 64);
         }},
    {.name = "ipv4",
     .type = "IPv4 address/length",
     .doc = "The host's IPv4 on the bridge.",
     .read =
         [](Reader& r, const Field& f, HostNet& h) {
           return ReadAddress<net::Ipv4Interface>(r, f, "an IPv4 interface address", "10.203.32.1/24",
                                                  h.ipv4);
         }},
    {.name = "uplink_range",
     .type = "IPv6 prefix, /64",
     .doc = "Where the jails' routed /128 uplinks come from.",
     .read =
         [](Reader& r, const Field& f, HostNet& h) {
           return ReadAddress<net::Ipv6Prefix>(r, f, "an IPv6 prefix", "fd00:5e11:0:1::/64", h.uplink_range,
                                               64);
         }},
    {.name = "helper_address",
     .type = "IPv6 address",
     .doc = "The shell forest's helper (DNS).",
     .read =
         [](Reader& r, const Field& f, HostNet& h) {
           return ReadAddress<net::Ipv6Address>(r, f, "an IPv6 address", "fd00:5e11::53", h.helper_address);
         }},
    {.name = "prefix_base",
     .type = "IPv6 prefix, /32",
     .doc = "Jail k gets <first 32 bits>:<k>::/48.",
     .read =
         [](Reader& r, const Field& f, HostNet& h) {
           return ReadAddress<net::Ipv6Prefix>(r, f, "an IPv6 prefix", "fd00:5e00::/32", h.prefix_base, 32);
         }},
    {.name = "nat64_prefix",
     .type = "IPv6 prefix, /96",
     .doc = "DNS64/NAT64 prefix.",
     .read =
         [](Reader& r, const Field& f, HostNet& h) {
           return ReadAddress<net::Ipv6Prefix>(r, f, "an IPv6 prefix", "fd00:6464::/96", h.nat64_prefix, 96);
         }},
    {.name = "dns64_upstream",
     .type = "IP address",
     .doc = "Where DNS64 sends queries (default: the bridge's IPv4).",
     .read = [](Reader& r, const Field& f, HostNet& h) -> Status {
       FOREST_ASSIGN_OR_RETURN(h.dns64_upstream, ReadChecked(r, f, CheckIpLiteral));
       return {};
     }},
}};

Status ReadProfiles(Reader& r, const Field& f, Config& c);

template <bool Config::*member>
Status ReadFlag(Reader& r, const Field& f, Config& c) {
  FOREST_ASSIGN_OR_RETURN(c.*member, ReadBool(r, f));
  return {};
}

template <std::vector<std::string> Config::*member>
Status ReadWorkspacePaths(Reader& r, const Field& f, Config& c) {
  return ReadStrings(r, f, "a list of paths relative to the workspace", CheckWorkspacePath, c.*member);
}

// `profiles` comes last: a profile takes every key but that one.
const std::array<Key<Config>, 17> kLayerKeys = {{
    {.name = "forest",
     .type = "label",
     .doc = "The shell forest's name; its Incus project is forest-<forest>.",
     .read = [](Reader& r, const Field& f, Config& c) -> Status {
       FOREST_ASSIGN_OR_RETURN(c.forest, ReadLabel(r, f));
       return {};
     }},
    {.name = "tool",
     .type = "tool name",
     .doc = "The tool the jail opens (a key of `tools`).",
     .read = [](Reader& r, const Field& f, Config& c) -> Status {
       FOREST_ASSIGN_OR_RETURN(c.tool, ReadString(r, f));
       return {};  // checked against `tools` once the whole layer is read
     }},
    {.name = "image",
     .type = "image alias",
     .doc = "Image for new jails: an alias made by `forest shell image publish` (default: forest's node image).",
     .read = [](Reader& r, const Field& f, Config& c) -> Status {
       FOREST_ASSIGN_OR_RETURN(c.image, ReadString(r, f));
       return {};
     }},
    {.name = "network",
     .type = "restricted, allowlist or open",
     .doc = "What the jail may reach.",
     .read = [](Reader& r, const Field& f, Config& c) -> Status {
       FOREST_ASSIGN_OR_RETURN(std::string s, ReadString(r, f));
       auto mode = ParseNetMode(s);
       if (!mode.ok()) return r.Fail(f, mode.error().message);
       c.network = *mode;
       return {};
     }},
    {.name = "allow",
     .type = "list of names, addresses, prefixes",
     .doc = "What allowlist mode lets through.",
     .read =
         [](Reader& r, const Field& f, Config& c) {
           return ReadStrings(r, f, "a list of domain names, addresses or prefixes", CheckAllowEntry,
                              c.allow);
         }},
    {.name = "allow_refresh",
     .type = "integer seconds",
     .doc = "How often allowlist names are resolved again.",
     .read = [](Reader& r, const Field& f, Config& c) -> Status {
       FOREST_ASSIGN_OR_RETURN(
           c.allow_refresh,
           ReadInt(r, f, 10, 86400, "give the seconds between re-resolutions (300 = 5 minutes)"));
       return {};
     }},
    {.name = "limits",
     .type = "map",
     .doc = "cpu, memory, processes and disk of the jail.",
     .read = [](Reader& r, const Field& f,
                Config& c) { return ReadMap<topology::Limits>(r, f, kLimitKeys, c.limits); }},
    {.name = "hardened",
     .type = "boolean",
     .doc = "Also deny io_uring, bpf, userfaultfd, keyctl.",
     .read = ReadFlag<&Config::hardened>},
    {.name = "persistent",
     .type = "boolean",
     .doc = "Keep the jail after the session.",
     .read = ReadFlag<&Config::persistent>},
    {.name = "ssh_agent",
     .type = "boolean",
     .doc = "Relay the host's ssh-agent.",
     .read = ReadFlag<&Config::ssh_agent>},
    {.name = "env",
     .type = "map of strings",
     .doc = "The only variables that reach the jail's environment.",
     .read =
         [](Reader& r, const Field& f, Config& c) {
           return ReadEntries(r, f, "NAME: value pairs, e.g. {EDITOR: vim}", CheckEnvName,
                              [&](const std::string& name, const Field& v) -> Status {
                                if (!v.node.IsScalar()) {
                                  return r.Fail(v, "expected a string, found " + Describe(v.node) +
                                                       "; write " + name + ": \"\" for an empty value");
                                }
                                FOREST_TRY(Check(r, v, topology::internal::CheckText(v.node.Scalar())));
                                c.env[name] = v.node.Scalar();
                                return {};
                              });
         }},
    {.name = "mounts",
     .type = "list of maps",
     .doc = "Extra host folders: {source, path, readonly}.",
     .read = [](Reader& r, const Field& f, Config& c) -> Status {
       std::vector<Mount> mounts;
       FOREST_TRY(ReadList(r, f, "a list of {source, path, readonly} maps", [&](const Field& e) -> Status {
         FOREST_TRY(ReadMap<Mount>(r, e, kMountKeys, mounts.emplace_back()));
         return {};
       }));
       c.mounts = std::move(mounts);
       return {};
     }},
    {.name = "protect",
     .type = "list of workspace paths",
     .doc = "More workspace paths mounted read-only.",
     .read = ReadWorkspacePaths<&Config::protect>},
    {.name = "writable",
     .type = "list of workspace paths",
     .doc = "Protected paths made writable.",
     .read = ReadWorkspacePaths<&Config::writable>},
    {.name = "tools",
     .type = "map of tools",
     .doc = "Tools by name; an entry replaces a tool of the same name.",
     .read =
         [](Reader& r, const Field& f, Config& c) {
           return ReadEntries(r, f, "name: {command: [...], state: [...], settings: [...]}",
                              topology::internal::CheckLabel,
                              [&](const std::string& name, const Field& v) -> Status {
                                Tool tool;
                                FOREST_TRY(ReadMap<Tool>(r, v, kToolKeys, tool));
                                c.tools[name] = std::move(tool);
                                return {};
                              });
         }},
    {.name = "host",
     .type = "map",
     .doc = "The shell forest's bridge and addresses.",
     .read = [](Reader& r, const Field& f, Config& c) { return ReadMap<HostNet>(r, f, kHostKeys, c.host); }},
    {.name = "profiles",
     .type = "map of layers",
     .doc = "Named layers applied with --profile.",
     .read = ReadProfiles},
}};

std::span<const Key<Config>> ProfileKeys() { return std::span(kLayerKeys).first(kLayerKeys.size() - 1); }

// Re-emits a profile's mapping, indented to the column it starts at. A block
// mapping goes one top-level key at a time, each on the line it had in the
// file (blank lines stand in for comments); a flow mapping stays one flow
// line. Re-read below ProfileLayer::line - 1 blank lines, the profile's keys
// keep their lines (and block keys their columns), so errors found when the
// profile is applied point into the original file.
std::string EmitProfile(const YAML::Node& map, const YAML::Mark& start) {
  const int indent = start.column <= 64 ? start.column : 0;
  if (map.Style() == YAML::EmitterStyle::Flow) return std::string(indent, ' ') + YAML::Dump(map) + "\n";
  std::string out;
  int lines = 0;
  for (const auto& pair : map) {
    for (int want = pair.first.Mark().line - start.line; lines < want; ++lines) out += '\n';
    // Emitted directly: a new YAML::Node holding `pair.second` would copy the
    // whole document's node set (quadratic over many profiles).
    YAML::Emitter one;
    one << YAML::BeginMap << YAML::Key << pair.first.Scalar() << YAML::Value << pair.second << YAML::EndMap;
    std::istringstream chunk(one.c_str());
    for (std::string line; std::getline(chunk, line); ++lines) out += std::string(indent, ' ') + line + '\n';
  }
  return out.empty() ? std::string(indent, ' ') + "{}\n" : out;
}

Status ReadProfiles(Reader& r, const Field& f, Config& c) {
  return ReadEntries(
      r, f, "name: {key: value, ...}", topology::internal::CheckLabel,
      [&](const std::string& name, const Field& v) -> Status {
        if (v.node.IsMap()) {
          for (const auto& pair : v.node) {
            if (pair.first.IsScalar() && pair.first.Scalar() == "profiles") {
              return r.Fail(Field{pair.first, v.path + ".profiles", pair.first.Mark()},
                            "profiles cannot be nested; define every profile under the top-level profiles:");
            }
          }
        }
        // Every key is checked now, on a scratch config (reading a key never
        // depends on earlier values); `tool` is checked when the profile is applied.
        Config scratch;
        FOREST_TRY(ReadMap<Config>(r, v, ProfileKeys(), scratch));
        bool block = v.node.Style() != YAML::EmitterStyle::Flow && v.node.size() > 0;
        YAML::Mark start = block ? v.node.begin()->first.Mark() : v.node.Mark();
        c.profiles[name] = Config::ProfileLayer{r.file(), EmitProfile(v.node, start), start.line + 1};
        return {};
      });
}

// ---- loading ------------------------------------------------------------------


std::string TooManyNodesMessage() {
  return "the file has more than " + std::to_string(kMaxLayerNodes) +
         " YAML nodes (aliases count each time they are used); a config layer needs far fewer, so look for a "
         "runaway list or alias";
}

// Nodes of the tree with aliases expanded, counting up to `limit` + 1 (so
// cyclic or exponential alias graphs stop early).
int CountNodes(const YAML::Node& root, int limit) {
  std::vector<YAML::Node> stack{root};
  int n = 1;
  auto push = [&](const YAML::Node& child) {
    if (++n <= limit) stack.push_back(child);
  };
  while (!stack.empty() && n <= limit) {
    YAML::Node node = stack.back();
    stack.pop_back();
    if (node.IsMap()) {
      for (const auto& pair : node) {
        push(pair.first);
        push(pair.second);
      }
    } else if (node.IsSequence()) {
      for (const auto& item : node) push(item);
    }
  }
  return n;
}

// The single document of `text` (a null node when there is none). A bounded
// event pass first: it caps the work and refuses a second document, which
// YAML::Load would drop silently (and LoadAll can loop on a stray ',').
Result<YAML::Node> LoadDocument(const std::string& text, const Reader& r) {
  try {
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    topology::internal::Prescan scan(kMaxLayerNodes);
    if (!parser.HandleNextDocument(scan)) return YAML::Node();
    if (parser.HandleNextDocument(scan)) {
      return r.FailAt(
          scan.document_starts.back(), "top level",
          "a second YAML document starts here; a config layer is one document (remove the \"---\" line "
          "or fix the indentation above)");
    }
    YAML::Node doc = YAML::Load(text);
    if (CountNodes(doc, kMaxLayerNodes) > kMaxLayerNodes)
      return r.FailAt(doc.Mark(), "top level", TooManyNodesMessage());
    return doc;
  } catch (const topology::internal::TooManyNodes& e) {
    return r.FailAt(e.mark, "top level", TooManyNodesMessage());
  } catch (const YAML::DeepRecursion& e) {
    return r.FailAt(e.mark, "nesting",
                    "the YAML nests deeper than " + std::to_string(e.depth()) +
                        " levels; a config layer needs only a few");
  } catch (const YAML::Exception& e) {
    return r.FailAt(e.mark, "YAML syntax", e.msg + "; check the indentation, quotes and brackets here");
  }
}


// The configured tool must be one of `tools` (checked once a layer is read).
Status CheckTool(const Reader& r, const Config& c, const std::string& root) {
  if (c.tools.count(c.tool) > 0) return {};
  std::vector<std::string> names;
  for (const auto& [name, tool] : c.tools) names.push_back(name);
  return r.FailPath(
      root.empty() ? "tool" : root + ".tool",
      Quote(c.tool) + " is not a tool; " +
          DidYouMean(c.tool, names, "use one of " + JoinComma(names) + " or define it under tools:"));
}

// Reads the layer `text` (keys `keys`, key paths under `root`) onto a copy of
// `c`, and assigns the copy only when everything was read.
Status ReadLayer(Config& c, const std::string& text, const std::string& file, const std::string& root,
                 std::span<const Key<Config>> keys) {
  if (auto bad = topology::internal::FindBadByte(text, true)) {
    return MakeError(
        file + ":" + topology::internal::LineColumn(text, bad->offset) + ": encoding: " + bad->reason +
        "; a config file is UTF-8 text without control characters (tabs and line breaks are fine)");
  }
  Reader r(file);
  FOREST_ASSIGN_OR_RETURN(YAML::Node doc, LoadDocument(text, r));
  if (doc.IsNull()) return {};  // an empty layer
  Config next = c;
  FOREST_TRY(ReadMap<Config>(r, Field{doc, root, doc.Mark()}, keys, next));
  FOREST_TRY(CheckTool(r, next, root));
  c = std::move(next);
  return {};
}

// ReadLayer with every exception turned into an error.
Status ReadLayerCaught(Config& c, const std::string& text, const std::string& file, const std::string& root,
                       std::span<const Key<Config>> keys) {
  try {
    return ReadLayer(c, text, file, root, keys);
  } catch (const YAML::Exception& e) {
    return MakeError(file + ": YAML: " + e.what());
  } catch (const std::exception& e) {
    return MakeError(file + ": " + e.what());
  }
}

}  // namespace

const char* NetModeName(NetMode m) {
  switch (m) {
    case NetMode::kRestricted:
      return "restricted";
    case NetMode::kAllowlist:
      return "allowlist";
    case NetMode::kOpen:
      return "open";
  }
  return "restricted";
}

Config Builtin() {
  Config c;
  c.tools["shell"] = Tool{{"bash", "-l"}, {".bash_history", ".local/state"}, {}};
  c.tools["claude"] = Tool{{"claude"},
                           {".claude", ".claude.json"},
                           {".claude/settings.json", ".claude/settings.local.json", ".mcp.json"}};
  c.tools["codex"] = Tool{{"codex"}, {".codex"}, {".codex/config.toml"}};
  c.tools["aider"] = Tool{{"aider"}, {".aider"}, {".aider.conf.yml"}};
  return c;
}

Status ApplyLayer(Config& c, const std::string& text, const std::string& file) {
  if (text.size() > kMaxLayerBytes) {
    return MakeError(file + ": the file is " + std::to_string(text.size()) +
                     " bytes; a config layer is at most " + std::to_string(kMaxLayerBytes) +
                     " bytes (1 MiB)");
  }
  FOREST_TRY(ReadLayerCaught(c, text, file, "", kLayerKeys));
  c.sources.push_back(file);
  return {};
}

Status ApplyProfile(Config& c, const std::string& name) {
  auto it = c.profiles.find(name);
  if (it == c.profiles.end()) {
    std::vector<std::string> names;
    for (const auto& [n, p] : c.profiles) names.push_back(n);
    if (names.empty()) {
      return MakeError(
          "profile " + Quote(name) +
          ": no profiles are defined; define one under profiles: in a config file (e.g. .forest.yaml)");
    }
    return MakeError("profile " + Quote(name) + ": no such profile; " +
                     DidYouMean(name, names, "the profiles defined are " + JoinComma(names)));
  }
  const Config::ProfileLayer p = it->second;  // `c` is replaced on success
  std::string text(static_cast<size_t>(std::clamp(p.line - 1, 0, 1 << 21)), '\n');
  text += p.yaml;
  return ReadLayerCaught(c, text, p.file, "profiles." + name, ProfileKeys());
}

std::vector<std::string> LayerFiles(const std::string& home, const std::string& workspace) {
  const char* system = std::getenv("FOREST_SYSTEM_CONFIG");
  return {system != nullptr && *system != '\0' ? system : "/etc/forest/config.yaml",
          home + "/.config/forest/config.yaml", workspace + "/.forest.yaml"};
}

}  // namespace forest::shell
