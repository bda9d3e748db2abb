#include "dns/message.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

namespace forest::dns {

namespace {

constexpr size_t kHeaderSize = 12;
constexpr size_t kMaxNameWire = 255;

uint16_t Get16(std::string_view w, size_t p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(w[p]) << 8) | static_cast<uint8_t>(w[p + 1]));
}
uint32_t Get32(std::string_view w, size_t p) {
  return (uint32_t(Get16(w, p)) << 16) | Get16(w, p + 2);
}
void Put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xffff));
}

Error At(size_t pos, const std::string& what) {
  return MakeError("byte " + std::to_string(pos) + ": " + what);
}

// One label in presentation form: letters (lowered unless KEEP_CASE), digits
// and '-' stay; anything else becomes \DDD (RFC 4343), so such names can
// never equal ours.
void AppendLabel(std::string& name, std::string_view label, bool keep_case) {
  if (!name.empty()) name.push_back('.');
  for (char ch : label) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z' && !keep_case) c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
      name.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03u", c);
      name += buf;
    }
  }
}

// Reads a possibly compressed name at `pos`; advances `pos` past it in the
// message (not past the pointer target). Lower case unless KEEP_CASE.
Result<std::string> ReadName(std::string_view w, size_t& pos, bool keep_case = false) {
  std::string name;
  size_t p = pos;
  size_t wire_len = 1;
  bool jumped = false;
  size_t lowest = pos;  // pointers must go strictly backwards from here
  for (int hops = 0;; ) {
    if (p >= w.size()) return At(p, "name runs past the end of the message");
    uint8_t len = static_cast<uint8_t>(w[p]);
    if ((len & 0xc0) == 0xc0) {
      if (p + 1 >= w.size()) return At(p, "truncated compression pointer");
      size_t target = Get16(w, p) & 0x3fff;
      if (target >= lowest) return At(p, "compression pointer does not point backwards");
      if (++hops > 64) return At(p, "too many compression pointers");
      if (!jumped) pos = p + 2;
      jumped = true;
      lowest = target;
      p = target;
      continue;
    }
    if ((len & 0xc0) != 0) return At(p, "unsupported label type");
    if (len == 0) {
      if (!jumped) pos = p + 1;
      return name;
    }
    if (p + 1 + len > w.size()) return At(p, "label runs past the end of the message");
    wire_len += 1 + len;
    if (wire_len > kMaxNameWire) return At(p, "name longer than 255 octets");
    AppendLabel(name, w.substr(p + 1, len), keep_case);
    p += 1 + len;
  }
}

// Presentation name → labels (handles \DDD and \X escapes).
std::vector<std::string> Labels(std::string_view name) {
  std::vector<std::string> out;
  if (name.empty() || name == ".") return out;
  std::string cur;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '\\' && i + 3 < name.size() && std::isdigit(static_cast<unsigned char>(name[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(name[i + 2])) &&
        std::isdigit(static_cast<unsigned char>(name[i + 3]))) {
      int v = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
      cur.push_back(static_cast<char>(v & 0xff));
      i += 3;
    } else if (c == '\\' && i + 1 < name.size()) {
      cur.push_back(name[++i]);
    } else if (c == '.') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Writes names with compression against earlier names in the message.
class NameWriter {
 public:
  void Write(std::string& out, std::string_view name) {
    auto labels = Labels(name);
    for (size_t i = 0; i < labels.size(); ++i) {
      std::string suffix;
      for (size_t j = i; j < labels.size(); ++j) suffix += Lower(labels[j]) + ".";
      if (auto it = offsets_.find(suffix); it != offsets_.end()) {
        Put16(out, static_cast<uint16_t>(0xc000 | it->second));
        return;
      }
      if (out.size() < 0x4000) offsets_.emplace(suffix, static_cast<uint16_t>(out.size()));
      std::string_view l = labels[i];
      if (l.size() > 63) l = l.substr(0, 63);
      out.push_back(static_cast<char>(l.size()));
      out.append(l);
    }
    out.push_back('\0');
  }

 private:
  std::map<std::string, uint16_t> offsets_;
};

void WriteRecord(std::string& out, NameWriter& names, const ResourceRecord& rr) {
  names.Write(out, rr.name);
  Put16(out, rr.type);
  Put16(out, rr.klass);
  Put32(out, rr.ttl);
  Put16(out, static_cast<uint16_t>(rr.rdata.size()));
  out += rr.rdata;
}

ResourceRecord OptRecord(const Edns& e, Rcode rcode) {
  ResourceRecord rr;
  rr.type = kOpt;
  rr.klass = e.udp_size;
  rr.ttl = (uint32_t(rcode >> 4) << 24) | (uint32_t(e.version) << 16) | (e.dnssec_ok ? 0x8000u : 0u);
  return rr;
}

Result<ResourceRecord> ReadRecord(std::string_view w, size_t& pos) {
  ResourceRecord rr;
  FOREST_ASSIGN_OR_RETURN(rr.name, ReadName(w, pos));
  if (pos + 10 > w.size()) return At(pos, "record header runs past the end of the message");
  rr.type = Get16(w, pos);
  rr.klass = Get16(w, pos + 2);
  rr.ttl = Get32(w, pos + 4);
  size_t len = Get16(w, pos + 8);
  pos += 10;
  if (pos + len > w.size()) return At(pos, "record data runs past the end of the message");
  if (rr.type == kNs || rr.type == kPtr || rr.type == kCname) {
    size_t p = pos;
    FOREST_ASSIGN_OR_RETURN(std::string target, ReadName(w, p));
    if (p != pos + len) return At(pos, "name record data has the wrong length");
    rr.rdata = NameData(target);
  } else {
    rr.rdata = std::string(w.substr(pos, len));
  }
  pos += len;
  return rr;
}

}  // namespace

std::optional<Header> PeekHeader(std::string_view wire) {
  if (wire.size() < kHeaderSize) return std::nullopt;
  return Header{Get16(wire, 0), Get16(wire, 2)};
}

Result<Query> ParseQuery(std::string_view w) {
  if (w.size() < kHeaderSize) return At(0, "shorter than a DNS header");
  Query q;
  q.id = Get16(w, 0);
  uint16_t flags = Get16(w, 2);
  if (flags & 0x8000) return At(2, "a response, not a query");
  q.opcode = static_cast<uint8_t>((flags >> 11) & 0xf);
  q.recursion_desired = flags & 0x0100;
  q.checking_disabled = flags & 0x0010;
  uint16_t qd = Get16(w, 4), an = Get16(w, 6), ns = Get16(w, 8), ar = Get16(w, 10);
  if (qd != 1) return At(4, "expected exactly one question, got " + std::to_string(qd));
  size_t pos = kHeaderSize;
  size_t name_at = pos;
  FOREST_ASSIGN_OR_RETURN(q.question.asked, ReadName(w, name_at, true));
  FOREST_ASSIGN_OR_RETURN(q.question.name, ReadName(w, pos));
  if (pos + 4 > w.size()) return At(pos, "question runs past the end of the message");
  q.question.type = Get16(w, pos);
  q.question.klass = Get16(w, pos + 2);
  pos += 4;
  for (int i = 0; i < an + ns; ++i) {
    FOREST_ASSIGN_OR_RETURN(auto rr, ReadRecord(w, pos));
    (void)rr;
  }
  for (int i = 0; i < ar; ++i) {
    size_t start = pos;
    FOREST_ASSIGN_OR_RETURN(auto rr, ReadRecord(w, pos));
    if (rr.type != kOpt) continue;
    if (q.edns) return At(start, "more than one OPT record");
    if (!rr.name.empty()) return At(start, "OPT record with a non-root owner name");
    Edns e;
    e.udp_size = std::max<uint16_t>(rr.klass, 512);
    e.version = static_cast<uint8_t>((rr.ttl >> 16) & 0xff);
    e.dnssec_ok = rr.ttl & 0x8000;
    q.edns = e;
  }
  return q;
}

std::string AaaaData(const std::array<uint8_t, 16>& a) { return std::string(a.begin(), a.end()); }
std::string AData(const std::array<uint8_t, 4>& a) { return std::string(a.begin(), a.end()); }

std::string NameData(std::string_view name) {
  std::string out;
  for (const auto& l : Labels(name)) {
    std::string_view v = l;
    if (v.size() > 63) v = v.substr(0, 63);
    out.push_back(static_cast<char>(v.size()));
    out.append(v);
  }
  out.push_back('\0');
  return out;
}

std::string SoaData(std::string_view mname, std::string_view rname, uint32_t serial,
                    uint32_t refresh, uint32_t retry, uint32_t expire, uint32_t minimum) {
  std::string out = NameData(mname) + NameData(rname);
  for (uint32_t v : {serial, refresh, retry, expire, minimum}) Put32(out, v);
  return out;
}

std::string Serialize(const Response& r, size_t max_size) {
  auto build = [&](bool with_records, bool with_additional) {
    std::string out;
    uint16_t flags = 0x8000 | (uint16_t(r.opcode & 0xf) << 11) | (r.authoritative ? 0x0400 : 0) |
                     (r.recursion_desired ? 0x0100 : 0) | (r.recursion_available ? 0x0080 : 0) |
                     (r.checking_disabled ? 0x0010 : 0) | (r.rcode & 0xf);
    bool tc = r.truncated || !with_records;
    if (tc) flags |= 0x0200;
    Put16(out, r.id);
    Put16(out, flags);
    Put16(out, r.question ? 1 : 0);
    Put16(out, static_cast<uint16_t>(with_records ? r.answers.size() : 0));
    Put16(out, static_cast<uint16_t>(with_records ? r.authority.size() : 0));
    size_t extra = (with_records && with_additional ? r.additional.size() : 0) + (r.edns ? 1 : 0);
    Put16(out, static_cast<uint16_t>(extra));
    NameWriter names;
    if (r.question) {
      names.Write(out, r.question->asked.empty() ? r.question->name : r.question->asked);
      Put16(out, r.question->type);
      Put16(out, r.question->klass);
    }
    if (with_records) {
      for (const auto& rr : r.answers) WriteRecord(out, names, rr);
      for (const auto& rr : r.authority) WriteRecord(out, names, rr);
      if (with_additional) {
        for (const auto& rr : r.additional) WriteRecord(out, names, rr);
      }
    }
    if (r.edns) WriteRecord(out, names, OptRecord(*r.edns, r.rcode));
    return out;
  };
  std::string full = build(true, true);
  if (full.size() <= max_size) return full;
  if (!r.additional.empty()) {
    std::string lean = build(true, false);
    if (lean.size() <= max_size) return lean;
  }
  return build(false, false);
}

Result<Response> ParseResponse(std::string_view w) {
  if (w.size() < kHeaderSize) return At(0, "shorter than a DNS header");
  Response r;
  r.id = Get16(w, 0);
  uint16_t flags = Get16(w, 2);
  if (!(flags & 0x8000)) return At(2, "a query, not a response");
  r.opcode = static_cast<uint8_t>((flags >> 11) & 0xf);
  r.authoritative = flags & 0x0400;
  r.truncated = flags & 0x0200;
  r.recursion_desired = flags & 0x0100;
  r.recursion_available = flags & 0x0080;
  r.checking_disabled = flags & 0x0010;
  r.rcode = static_cast<Rcode>(flags & 0xf);
  uint16_t qd = Get16(w, 4), an = Get16(w, 6), ns = Get16(w, 8), ar = Get16(w, 10);
  if (qd > 1) return At(4, "more than one question");
  size_t pos = kHeaderSize;
  if (qd == 1) {
    Question q;
    size_t name_at = pos;
    FOREST_ASSIGN_OR_RETURN(q.asked, ReadName(w, name_at, true));
    FOREST_ASSIGN_OR_RETURN(q.name, ReadName(w, pos));
    if (pos + 4 > w.size()) return At(pos, "question runs past the end of the message");
    q.type = Get16(w, pos);
    q.klass = Get16(w, pos + 2);
    pos += 4;
    r.question = q;
  }
  for (int i = 0; i < an + ns + ar; ++i) {
    FOREST_ASSIGN_OR_RETURN(auto rr, ReadRecord(w, pos));
    if (i >= an + ns && rr.type == kOpt) {
      Edns e;
      e.udp_size = rr.klass;
      e.version = static_cast<uint8_t>((rr.ttl >> 16) & 0xff);
      e.dnssec_ok = rr.ttl & 0x8000;
      r.edns = e;
      r.rcode = static_cast<Rcode>(r.rcode | ((rr.ttl >> 24) << 4));
      continue;
    }
    (i < an ? r.answers : i < an + ns ? r.authority : r.additional).push_back(std::move(rr));
  }
  return r;
}

std::string ReverseName(const std::array<uint8_t, 16>& a) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 15; i >= 0; --i) {
    out.push_back(hex[a[i] & 0xf]);
    out.push_back('.');
    out.push_back(hex[a[i] >> 4]);
    out.push_back('.');
  }
  return out + "ip6.arpa";
}

std::optional<std::array<uint8_t, 16>> FromReverseName(std::string_view name) {
  constexpr std::string_view suffix = "ip6.arpa";
  if (name.size() != 64 + suffix.size() || name.substr(64) != suffix) return std::nullopt;
  std::array<uint8_t, 16> a{};
  for (int n = 0; n < 32; ++n) {
    char c = name[2 * n];
    if (name[2 * n + 1] != '.') return std::nullopt;
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    int byte = 15 - n / 2;
    a[byte] |= static_cast<uint8_t>(n % 2 == 0 ? v : v << 4);
  }
  return a;
}

std::string SerializeQuery(const Query& q) {
  Response r;
  r.id = q.id;
  r.opcode = q.opcode;
  r.recursion_desired = q.recursion_desired;
  r.checking_disabled = q.checking_disabled;
  r.question = q.question;
  r.edns = q.edns;
  std::string wire = Serialize(r);
  wire[2] = static_cast<char>(static_cast<uint8_t>(wire[2]) & 0x7f);  // QR clear: a query
  return wire;
}

}  // namespace forest::dns
