#include "shell/netpolicy.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "naming/names.h"
#include "net/ip.h"

namespace forest::shell {
namespace {

using net::Ipv4Interface;  // an IPv4 address (/32) or prefix
using net::Ipv6Prefix;     // an IPv6 address (/128) or prefix

// What restricted mode rejects (netpolicy.h).
constexpr const char* kRestricted4[] = {"0.0.0.0/8",      "10.0.0.0/8",    "100.64.0.0/10", "127.0.0.0/8",
                                        "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",  "192.168.0.0/16",
                                        "198.18.0.0/15",  "224.0.0.0/4",   "240.0.0.0/4"};
constexpr const char* kRestricted6[] = {"::/128",   "::1/128",   "::ffff:0:0/96",
                                        "fc00::/7", "fe80::/10", "ff00::/8"};


// Input text quoted in messages: bounded (it ends up in one nft line).
std::string Quote(const std::string& text) { return "'" + text.substr(0, 64) + "'"; }

// "10.0.0.1" or "10.0.0.0/8" (no host bits below the length).
Result<Ipv4Interface> ParseV4(const std::string& text) {
  bool bare = text.find('/') == std::string::npos;
  auto p = Ipv4Interface::Parse(bare ? text + "/32" : text);
  if (!p.ok()) return MakeError(Quote(text) + " is not an IPv4 address or prefix");
  if (p->NetworkString() != p->ToString()) {
    return MakeError(Quote(text) + " has host bits set; did you mean " + p->NetworkString() + "?");
  }
  return p;
}

// "fd00::1" or "fd00:5e00:1::/48" (no host bits below the length).
Result<Ipv6Prefix> ParseV6(const std::string& text) {
  if (text.find('/') != std::string::npos) return Ipv6Prefix::Parse(text);
  FOREST_ASSIGN_OR_RETURN(net::Ipv6Address a, net::Ipv6Address::Parse(text));
  return Ipv6Prefix{a, 128};
}

bool Contains(const Ipv4Interface& outer, const Ipv4Interface& inner) {
  return inner.length >= outer.length &&
         Ipv4Interface{inner.address, outer.length}.NetworkString() == outer.NetworkString();
}
bool Contains(const Ipv6Prefix& outer, const Ipv6Prefix& inner) { return outer.Contains(inner); }

std::string Element(const Ipv4Interface& p) { return p.length == 32 ? p.AddressString() : p.NetworkString(); }
std::string Element(const Ipv6Prefix& p) { return p.length == 128 ? p.address.ToString() : p.ToString(); }

// Sorted, without duplicates and without prefixes inside another one listed
// (nft refuses overlapping intervals in one set). After sorting by (address,
// length) a prefix always comes before the ones it contains.
template <typename P>
std::vector<P> Normalize(std::vector<P> v) {
  std::sort(v.begin(), v.end());
  std::vector<P> out;
  for (const P& p : v) {
    if (out.empty() || !Contains(out.back(), p)) out.push_back(p);
  }
  return out;
}

template <typename P>
Result<std::vector<P>> ParseAll(const std::vector<std::string>& texts, Result<P> (*parse)(const std::string&),
                                const std::string& what) {
  std::vector<P> out;
  for (size_t i = 0; i < texts.size(); ++i) {
    auto r = parse(texts[i]);
    if (!r.ok()) return r.error().Wrap(what + "[" + std::to_string(i) + "]");
    out.push_back(*r);
  }
  return Normalize(std::move(out));
}

// One address (not a prefix) of the family `parse` reads, or nullopt.
template <typename P>
std::optional<P> OneAddress(const std::string& text, Result<P> (*parse)(const std::string&), int full) {
  auto r = parse(text);
  if (!r.ok() || r->length != full) return std::nullopt;
  return *r;
}

// A plumbing address: "" (absent) or one address.
template <typename P>
Result<std::optional<P>> Optional(const std::string& text, Result<P> (*parse)(const std::string&), int full,
                                  const std::string& what) {
  if (text.empty()) return std::optional<P>();
  std::optional<P> a = OneAddress(text, parse, full);
  if (!a)
    return MakeError(what + ": " + Quote(text) + " is not one " + (full == 32 ? "IPv4" : "IPv6") +
                     " address");
  return a;
}

// The inputs, checked and in canonical form.
struct CheckedJail {
  std::string name;
  std::string id;  // the name as an nft identifier part: '-' → '_' (labels have no '_')
  NetMode mode = NetMode::kRestricted;
  std::optional<Ipv4Interface> ipv4;
  std::vector<Ipv6Prefix> ipv6, allow6;
  std::vector<Ipv4Interface> allow4;
};
struct Checked {
  std::vector<CheckedJail> jails;  // sorted by name
  std::vector<Ipv4Interface> jails4, dns4, echo4;
  std::vector<Ipv6Prefix> jails6, dns6, echo6;
  std::optional<Ipv6Prefix> host6, helper6, incus6;
  int incus_port = 8443;
};

Result<CheckedJail> CheckJail(const JailNet& j) {
  CheckedJail c;
  if (auto s = naming::ValidateLabel(j.name); !s.ok()) return s.error().Wrap("jail name");
  std::string ctx = "jail " + j.name;
  c.name = j.name;
  c.id = j.name;
  std::replace(c.id.begin(), c.id.end(), '-', '_');
  c.mode = j.mode;
  FOREST_ASSIGN_OR_RETURN(c.ipv4, Optional<Ipv4Interface>(j.ipv4, ParseV4, 32, ctx + ": ipv4"));
  FOREST_ASSIGN_OR_RETURN(c.ipv6, ParseAll<Ipv6Prefix>(j.ipv6, ParseV6, ctx + ": ipv6"));
  if (!c.ipv4 && c.ipv6.empty()) return MakeError(ctx + ": has no source address (ipv4, ipv6)");
  if (j.mode == NetMode::kAllowlist) {
    FOREST_ASSIGN_OR_RETURN(c.allow4, ParseAll<Ipv4Interface>(j.allow4, ParseV4, ctx + ": allow4"));
    FOREST_ASSIGN_OR_RETURN(c.allow6, ParseAll<Ipv6Prefix>(j.allow6, ParseV6, ctx + ": allow6"));
  }
  return c;
}

Result<Checked> Check(const std::string& table, const Plumbing& p, const std::vector<JailNet>& jails) {
  bool table_ok = !table.empty() && table.size() <= 64 && std::isalpha(static_cast<unsigned char>(table[0]));
  for (char ch : table)
    table_ok = table_ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_');
  if (!table_ok) return MakeError("table name " + Quote(table) + " is not [A-Za-z][A-Za-z0-9_-]*");

  Checked c;
  FOREST_ASSIGN_OR_RETURN(std::optional<Ipv4Interface> host4,
                          Optional<Ipv4Interface>(p.host_ipv4, ParseV4, 32, "host_ipv4"));
  FOREST_ASSIGN_OR_RETURN(c.host6, Optional<Ipv6Prefix>(p.host_ipv6, ParseV6, 128, "host_ipv6"));
  FOREST_ASSIGN_OR_RETURN(c.helper6, Optional<Ipv6Prefix>(p.helper_ipv6, ParseV6, 128, "helper_ipv6"));
  FOREST_ASSIGN_OR_RETURN(c.incus6, Optional<Ipv6Prefix>(p.incus_ipv6.empty() ? p.host_ipv6 : p.incus_ipv6, ParseV6,
                                                          128, "incus_ipv6"));
  if (p.incus_port < 1 || p.incus_port > 65535) {
    return MakeError("incus_port: " + std::to_string(p.incus_port) + " is out of range 1..65535");
  }
  c.incus_port = p.incus_port;
  if (host4) c.dns4.push_back(*host4);
  if (c.helper6) c.dns6.push_back(*c.helper6);
  for (const auto& u : p.dns_upstreams) {
    if (auto a = OneAddress<Ipv4Interface>(u, ParseV4, 32)) {
      c.dns4.push_back(*a);
    } else if (auto b = OneAddress<Ipv6Prefix>(u, ParseV6, 128)) {
      c.dns6.push_back(*b);
    } else {
      return MakeError("dns_upstreams: " + Quote(u) + " is not one IPv4 or IPv6 address");
    }
  }
  c.echo4 = Normalize(c.dns4);
  c.echo6 = c.dns6;
  if (c.host6) c.echo6.push_back(*c.host6);
  c.echo6 = Normalize(c.echo6);
  c.dns4 = Normalize(c.dns4);
  c.dns6 = Normalize(c.dns6);

  for (const auto& j : jails) {
    FOREST_ASSIGN_OR_RETURN(CheckedJail cj, CheckJail(j));
    c.jails.push_back(std::move(cj));
  }
  std::sort(c.jails.begin(), c.jails.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  // Sources must tell jails apart: no shared name, IPv4 or overlapping IPv6.
  for (size_t i = 0; i < c.jails.size(); ++i) {
    const CheckedJail& a = c.jails[i];
    for (size_t k = i + 1; k < c.jails.size(); ++k) {
      const CheckedJail& b = c.jails[k];
      if (a.name == b.name) return MakeError("jail " + a.name + " is listed twice");
      if (a.ipv4 && b.ipv4 && *a.ipv4 == *b.ipv4) {
        return MakeError("jails " + a.name + " and " + b.name + " share ipv4 " + Element(*a.ipv4));
      }
      for (const auto& x : a.ipv6) {
        for (const auto& y : b.ipv6) {
          if (x.Overlaps(y)) {
            return MakeError("jails " + a.name + " and " + b.name + " overlap in ipv6 (" + Element(x) + ", " +
                             Element(y) + ")");
          }
        }
      }
    }
    if (a.ipv4) c.jails4.push_back(*a.ipv4);
    c.jails6.insert(c.jails6.end(), a.ipv6.begin(), a.ipv6.end());
  }
  c.jails4 = Normalize(c.jails4);
  c.jails6 = Normalize(c.jails6);
  return c;
}

template <typename P>
void Set(std::string& out, const std::string& name, const char* type, const std::vector<P>& elements) {
  out += "\tset " + name + " {\n\t\ttype " + type + "\n\t\tflags interval\n";
  if (!elements.empty()) {
    out += "\t\telements = {\n";
    for (size_t i = 0; i < elements.size(); ++i) {
      out += "\t\t\t" + Element(elements[i]) + (i + 1 < elements.size() ? ",\n" : "\n");
    }
    out += "\t\t}\n";
  }
  out += "\t}\n";
}

// A built-in list of ranges (valid by construction).
template <typename P, size_t N>
std::vector<P> Ranges(const char* const (&list)[N], Result<P> (*parse)(const std::string&)) {
  std::vector<P> v;
  for (const char* r : list) v.push_back(*parse(r));
  return v;
}

// Text that `nft -f` refuses as a whole (a syntax error on the line that
// says why), so a bad input never replaces the table loaded before.
std::string Refusal(const std::string& why) {
  std::string safe;
  for (char ch : why) safe += (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') ? ch : '?';
  return "# forest shell network policy: refused, the input is invalid; nft -f fails on the next line\n"
         "forest-invalid-input \"" +
         safe + "\"\n";
}

std::string Render(const std::string& table, const Checked& c) {
  std::string t = "table inet " + table;
  std::string out =
      "# forest shell network policy (generated; load with nft -f). Judges traffic whose source is a\n"
      "# jail; everything else passes these chains.\n" +
      t + " {}\ndelete " + t + "\n" + t + " {\n";
  Set(out, "jails4", "ipv4_addr", c.jails4);
  Set(out, "jails6", "ipv6_addr", c.jails6);
  Set(out, "restricted4", "ipv4_addr", Ranges(kRestricted4, ParseV4));
  Set(out, "restricted6", "ipv6_addr", Ranges(kRestricted6, ParseV6));
  Set(out, "plumbing_dns4", "ipv4_addr", c.dns4);
  Set(out, "plumbing_dns6", "ipv6_addr", c.dns6);
  Set(out, "plumbing_echo4", "ipv4_addr", c.echo4);
  Set(out, "plumbing_echo6", "ipv6_addr", c.echo6);
  for (const auto& j : c.jails) {
    Set(out, "jail_" + j.id + "_src6", "ipv6_addr", j.ipv6);
    if (j.mode == NetMode::kAllowlist) {
      Set(out, "jail_" + j.id + "_allow4", "ipv4_addr", j.allow4);
      Set(out, "jail_" + j.id + "_allow6", "ipv6_addr", j.allow6);
    }
  }

  out +=
      "\n\tchain forward {\n"
      "\t\ttype filter hook forward priority filter; policy accept;\n"
      "\t\tct state established,related accept\n";
  for (const auto& j : c.jails) {
    if (j.ipv4) out += "\t\tip saddr " + Element(*j.ipv4) + " goto jail_" + j.id + "\n";
    if (!j.ipv6.empty()) out += "\t\tip6 saddr @jail_" + j.id + "_src6 goto jail_" + j.id + "\n";
  }
  out +=
      "\t}\n"
      "\n\tchain input {\n"
      "\t\ttype filter hook input priority filter; policy accept;\n"
      "\t\tct state established,related accept\n"
      "\t\tip saddr @jails4 goto jail_to_host\n"
      "\t\tip6 saddr @jails6 goto jail_to_host\n"
      "\t}\n";

  // What every jail may do or must not do, whatever its mode.
  out +=
      "\n\tchain jail_common {\n"
      "\t\tip daddr @jails4 goto deny\n"
      "\t\tip6 daddr @jails6 goto deny\n"
      "\t\ticmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n"
      "\t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, "
      "nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } accept\n"
      "\t\tip daddr @plumbing_dns4 meta l4proto { tcp, udp } th dport 53 accept\n"
      "\t\tip6 daddr @plumbing_dns6 meta l4proto { tcp, udp } th dport 53 accept\n";
  if (c.helper6) out += "\t\tip6 daddr " + Element(*c.helper6) + " tcp dport 8053 accept\n";
  if (c.incus6) {
    out += "\t\tip6 daddr " + Element(*c.incus6) + " tcp dport " + std::to_string(c.incus_port) + " accept\n";
  }
  out +=
      "\t\tip daddr @plumbing_echo4 icmp type echo-request accept\n"
      "\t\tip6 daddr @plumbing_echo6 icmpv6 type echo-request accept\n"
      "\t}\n";

  // To the host itself: plumbing, ping, and DHCPv4 renewals to the bridge's
  // dnsmasq (a jail whose renewals fail loses its address at lease expiry).
  out +=
      "\n\tchain jail_to_host {\n"
      "\t\tjump jail_common\n"
      "\t\ticmp type echo-request accept\n"
      "\t\ticmpv6 type echo-request accept\n"
      "\t\tudp sport 68 udp dport 67 accept\n"
      "\t\tgoto deny\n"
      "\t}\n";

  for (const auto& j : c.jails) {
    out += "\n\t# jail " + j.name + ": " + NetModeName(j.mode) + "\n";
    out += "\tchain jail_" + j.id + " {\n\t\tjump jail_common\n";
    switch (j.mode) {
      case NetMode::kRestricted:
        out +=
            "\t\tip daddr @restricted4 goto deny\n"
            "\t\tip6 daddr @restricted6 goto deny\n"
            "\t\taccept\n";
        break;
      case NetMode::kAllowlist:
        out += "\t\tip daddr @jail_" + j.id + "_allow4 accept\n" + "\t\tip6 daddr @jail_" + j.id +
               "_allow6 accept\n" + "\t\tgoto deny\n";
        break;
      case NetMode::kOpen:
        out += "\t\taccept\n";
        break;
    }
    out += "\t}\n";
  }

  out +=
      "\n\tchain deny {\n"
      "\t\tmeta l4proto tcp reject with tcp reset\n"
      "\t\treject with icmpx admin-prohibited\n"
      "\t}\n"
      "}\n";
  return out;
}

}  // namespace

std::string RenderTable(const std::string& table, const Plumbing& p, const std::vector<JailNet>& jails) {
  auto c = Check(table, p, jails);
  if (!c.ok()) return Refusal(c.error().message);
  return Render(table, *c);
}

}  // namespace forest::shell
