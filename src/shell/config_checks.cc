// Checks of single forest shell config values; see config_checks.h.
#include "shell/config_checks.h"

#include <arpa/inet.h>

#include <algorithm>

#include "net/ip.h"
#include "topology/checks.h"
#include "topology/keys.h"
#include "topology/reader.h"

namespace forest::shell {
namespace {

using topology::internal::Quote;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool AllDigits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit); }

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// A path inside the workspace or the jail user's home.
Status CheckRelativePath(std::string_view path, std::string_view base, std::string_view example) {
  std::string fix =
      "; give a path relative to the " + std::string(base) + " (e.g. " + std::string(example) + ")";
  if (path.empty()) return MakeError("the path is empty" + fix);
  if (path.size() > 4095)
    return MakeError("the path is " + std::to_string(path.size()) + " bytes long" + fix);
  if (path.front() == '/') return MakeError(Quote(path) + " is an absolute path" + fix);
  for (std::string_view part : Split(path, '/')) {
    if (part == "..") return MakeError(Quote(path) + " has a \"..\" component" + fix);
  }
  return {};
}

constexpr std::string_view kAllowForms =
    "write a domain name (example.com), an address (192.0.2.10, 2001:db8::1) or a prefix (192.0.2.0/24)";

// An IPv4/IPv6 address, or a prefix "address/length" without host bits.
Status CheckIpOrPrefix(std::string_view s, bool v6) {
  size_t slash = s.find('/');
  std::string address(s.substr(0, std::min<size_t>(slash, 64)));
  unsigned char buf[16];
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), buf) != 1) {
    return MakeError(Quote(s) + " is not a valid " + (v6 ? "IPv6" : "IPv4") + " address; " +
                     std::string(kAllowForms));
  }
  if (slash == std::string_view::npos) return {};
  std::string_view len = s.substr(slash + 1);
  int max = v6 ? 128 : 32;
  if (!AllDigits(len) || len.size() > 3 || std::stoi(std::string(len)) > max) {
    return MakeError(Quote(s) + " has an invalid prefix length; use /0 to /" + std::to_string(max));
  }
  // Address and length are valid, so these parse; only host bits can be wrong.
  std::string network;
  if (v6) {
    auto p = net::Ipv6Interface::Parse(s);
    if (p.ok() && p->Network().ToString() != p->ToString()) network = p->Network().ToString();
  } else {
    auto p = net::Ipv4Interface::Parse(s);
    if (p.ok() && p->NetworkString() != p->ToString()) network = p->NetworkString();
  }
  if (!network.empty()) return MakeError(Quote(s) + " has host bits set; did you mean " + network + "?");
  return {};
}

}  // namespace

std::string DidYouMean(std::string_view word, const std::vector<std::string>& valid, std::string fix) {
  std::string hint = topology::internal::SuggestKey(word, valid);
  if (hint.empty()) return fix;
  if (!fix.empty() && fix[0] >= 'a' && fix[0] <= 'z') fix[0] = static_cast<char>(fix[0] - 'a' + 'A');
  return "did you mean \"" + hint + "\"? " + fix;
}

Status CheckEnvName(std::string_view name) {
  bool ok =
      !name.empty() && name.size() <= 255 && !IsDigit(name[0]) &&
      std::all_of(name.begin(), name.end(), [](char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; });
  if (ok) return {};
  return MakeError(Quote(name) +
                   " is not an environment variable name; use letters, digits and '_', not starting with a "
                   "digit (e.g. EDITOR)");
}

Status CheckWorkspacePath(std::string_view p) { return CheckRelativePath(p, "workspace", ".env"); }
Status CheckHomePath(std::string_view p) { return CheckRelativePath(p, "home folder", ".config/tool"); }

Status CheckMountPath(std::string_view path) {
  FOREST_TRY(topology::internal::CheckAbsolutePath(path));
  if (path.find_first_not_of('/') == std::string_view::npos) {
    return MakeError("mounting / is refused; name a folder such as /srv/data");
  }
  return {};
}

Status CheckBridge(std::string_view name) {
  constexpr std::string_view kRule = "an interface name is 1..15 characters of [A-Za-z0-9_.-] (kernel limit)";
  bool ok = !name.empty() && name.size() <= 15 && name != "." && name != ".." &&
            std::all_of(name.begin(), name.end(),
                        [](char c) { return IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '-'; });
  return ok ? Status{} : MakeError(Quote(name) + " is not an interface name; " + std::string(kRule));
}

Status CheckIpLiteral(std::string_view s) {
  unsigned char buf[16];
  std::string a(s.substr(0, 64));
  if (s.size() <= 45 &&
      (::inet_pton(AF_INET, a.c_str(), buf) == 1 || ::inet_pton(AF_INET6, a.c_str(), buf) == 1)) {
    return {};
  }
  return MakeError(Quote(s) + " is not an IPv4 or IPv6 address; write one like 198.51.100.53");
}

Status CheckAllowEntry(std::string_view s) {
  std::string_view address = s.substr(0, s.find('/'));
  bool v6 = address.find(':') != std::string_view::npos;
  bool v4 = !address.empty() &&
            std::all_of(address.begin(), address.end(), [](char c) { return IsDigit(c) || c == '.'; });
  if (v6 || v4 || s.find('/') != std::string_view::npos) return CheckIpOrPrefix(s, v6);
  if (s.starts_with("*.")) {
    return MakeError(Quote(s) +
                     " is a wildcard; list each host name (e.g. api.example.com), since the "
                     "allowlist resolves names to addresses");
  }
  std::string_view name = s.ends_with('.') ? s.substr(0, s.size() - 1) : s;
  if (name.size() > 253) {
    return MakeError("the name is " + std::to_string(name.size()) +
                     " characters long; a domain name is at most 253");
  }
  auto labels = Split(name, '.');
  for (std::string_view label : labels) {
    bool ok =
        !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
        std::all_of(label.begin(), label.end(), [](char c) { return IsAlpha(c) || IsDigit(c) || c == '-'; });
    if (!ok) {
      return MakeError(Quote(s) + " is not a domain name (label " + Quote(label) +
                       ": 1..63 letters, digits or '-', not starting or ending with '-'); " +
                       std::string(kAllowForms));
    }
  }
  if (AllDigits(labels.back())) {
    return MakeError(Quote(s) +
                     " ends in a numeric label, so it is neither a domain name nor an IPv4 address; " +
                     std::string(kAllowForms));
  }
  return {};
}

Result<NetMode> ParseNetMode(std::string_view s) {
  for (NetMode m : {NetMode::kRestricted, NetMode::kAllowlist, NetMode::kOpen})
    if (s == NetModeName(m)) return m;
  return MakeError(Quote(s) + " is not a network mode; " +
                   DidYouMean(s, {"restricted", "allowlist", "open"}, "use restricted, allowlist or open"));
}

}  // namespace forest::shell
