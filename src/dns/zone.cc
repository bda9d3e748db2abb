#include "dns/zone.h"

#include <algorithm>

#include "naming/names.h"

namespace forest::dns {

namespace {

std::string Reversed(const std::string& s) { return std::string(s.rbegin(), s.rend()); }

}  // namespace

Zone::Zone(ZoneData data, bool authoritative_negative)
    : data_(std::move(data)), authoritative_negative_(authoritative_negative) {
  for (auto& [name, e] : data_.names) {
    std::sort(e.v6.begin(), e.v6.end());
    e.v6.erase(std::unique(e.v6.begin(), e.v6.end()), e.v6.end());
    std::sort(e.v4.begin(), e.v4.end());
    e.v4.erase(std::unique(e.v4.begin(), e.v4.end()), e.v4.end());
    if (e.reverse) {
      for (const auto& a : e.v6) reverse_[a].push_back(name);
    }
    reversed_names_.push_back(Reversed(name));
  }
  std::sort(reversed_names_.begin(), reversed_names_.end());
}

bool Zone::InZone(const std::string& name) const { return naming::IsAtOrUnder(name, data_.apex); }

// Some name lies strictly under `name` (an empty non-terminal: NODATA, not
// NXDOMAIN). The reversed names under X all start with rev(X) + ".".
bool Zone::HasNameUnder(const std::string& name) const {
  std::string key = Reversed(name) + ".";
  auto it = std::lower_bound(reversed_names_.begin(), reversed_names_.end(), key);
  return it != reversed_names_.end() && it->compare(0, key.size(), key) == 0;
}

ResourceRecord Zone::Soa() const {
  return {data_.apex, kSoa, kClassIn, data_.negative_ttl,
          SoaData(data_.ns_name, data_.hostmaster, data_.serial, 3600, 600, 86400,
                  data_.negative_ttl)};
}

// The zone's name is its prefix's whole nibbles under ip6.arpa: ReverseName
// lists 32 nibbles, least significant first, two characters each.
std::optional<ResourceRecord> Zone::ReverseSoa(const net::Ipv6Address& addr) const {
  const net::Ipv6Prefix* best = nullptr;
  for (const auto& p : data_.reverse_zones) {
    if (p.Contains(addr) && (!best || p.length > best->length)) best = &p;
  }
  if (!best) return std::nullopt;
  ResourceRecord soa = Soa();
  soa.name = ReverseName(best->address.bytes).substr(static_cast<size_t>(32 - best->length / 4) * 2);
  return soa;
}

size_t UdpLimit(const Query& q) {
  if (!q.edns) return 512;
  return std::min<size_t>(std::max<uint16_t>(q.edns->udp_size, 512), Zone::kUdpPayload);
}

Answer Zone::Respond(const Query& q) const {
  Answer a;
  Response& r = a.response;
  r.id = q.id;
  r.opcode = q.opcode;
  r.recursion_desired = q.recursion_desired;
  r.checking_disabled = q.checking_disabled;
  r.question = q.question;
  if (q.edns) r.edns = Edns{kUdpPayload, false, 0};
  if (q.edns && q.edns->version > 0) {
    r.rcode = kBadVers;
    a.ours = true;
    return a;
  }
  if (q.opcode != 0) {
    r.rcode = kNotImp;
    a.ours = true;
    return a;
  }
  const std::string& name = q.question.name;
  const uint16_t type = q.question.type;
  if (q.question.klass != kClassIn && q.question.klass != kAny) {
    r.rcode = kRefused;
    return a;
  }
  if (type == kOpt) {
    r.rcode = kFormErr;
    a.ours = true;
    return a;
  }

  if (auto address = FromReverseName(name)) {
    net::Ipv6Address addr{*address};
    bool mine = std::any_of(data_.reverse_zones.begin(), data_.reverse_zones.end(),
                            [&](const net::Ipv6Prefix& p) { return p.Contains(addr); });
    auto it = reverse_.find(addr);
    if (it == reverse_.end() && !(mine && authoritative_negative_)) {
      r.rcode = kRefused;
      return a;
    }
    a.ours = true;
    r.authoritative = true;
    if (it == reverse_.end()) {
      r.rcode = kNxDomain;
    } else if (type == kPtr || type == kAny) {
      for (const auto& target : it->second) {
        r.answers.push_back({name, kPtr, kClassIn, data_.ttl, NameData(target)});
      }
    }
    if (r.answers.empty()) {
      if (auto soa = ReverseSoa(addr)) r.authority.push_back(*soa);
    }
    return a;
  }

  if (!InZone(name)) {
    r.rcode = kRefused;
    return a;
  }
  auto it = data_.names.find(name);
  // A node does not speak for the apex: SOA/NS of .incus come from the helper.
  bool apex = name == data_.apex && authoritative_negative_;
  if (it == data_.names.end() && !apex && !authoritative_negative_) {
    r.rcode = kRefused;  // not known here: the node forwards it
    return a;
  }
  a.ours = true;
  r.authoritative = true;
  if (apex) {
    if (type == kSoa || type == kAny) r.answers.push_back(Soa());
    if (type == kNs || type == kAny) {
      r.answers.push_back({name, kNs, kClassIn, data_.ttl, NameData(data_.ns_name)});
      if (auto ns = data_.names.find(data_.ns_name); ns != data_.names.end()) {
        for (const auto& v6 : ns->second.v6) {
          r.additional.push_back({data_.ns_name, kAaaa, kClassIn, data_.ttl, AaaaData(v6.bytes)});
        }
      }
    }
  }
  if (it != data_.names.end()) {
    if (type == kAaaa || type == kAny) {
      for (const auto& v6 : it->second.v6) {
        r.answers.push_back({name, kAaaa, kClassIn, data_.ttl, AaaaData(v6.bytes)});
      }
    }
    if (type == kA || type == kAny) {
      for (const auto& v4 : it->second.v4) {
        r.answers.push_back({name, kA, kClassIn, data_.ttl, AData(v4)});
      }
    }
  }
  if (r.answers.empty()) {
    bool exists = apex || it != data_.names.end() || HasNameUnder(name);
    r.rcode = exists ? kNoError : kNxDomain;
    r.authority.push_back(Soa());
  }
  return a;
}

std::optional<Answer> Zone::RespondWire(std::string_view wire) const {
  auto q = ParseQuery(wire);
  if (q.ok()) return Respond(*q);
  auto h = PeekHeader(wire);
  if (!h || (h->flags & 0x8000)) return std::nullopt;  // no header, or a response: drop
  Answer a;
  a.ours = true;
  a.response.id = h->id;
  a.response.opcode = static_cast<uint8_t>((h->flags >> 11) & 0xf);
  a.response.recursion_desired = h->flags & 0x0100;
  a.response.rcode = kFormErr;
  return a;
}

bool IsForestName(std::string_view name) {
  auto under = [&](std::string_view zone) {  // zone = "incus": the apex or any name below it
    return name == zone || (name.size() > zone.size() && name.substr(name.size() - zone.size()) == zone &&
                            name[name.size() - zone.size() - 1] == '.');
  };
  return under("incus") || under("ip6.arpa");
}

}  // namespace forest::dns
