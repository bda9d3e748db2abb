// DNS wire format (RFC 1035, EDNS0 from RFC 6891): what forestd needs to
// answer and forward queries. Pure: bytes in, bytes out, errors as values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace forest::dns {

enum Type : uint16_t {
  kA = 1,
  kNs = 2,
  kCname = 5,
  kSoa = 6,
  kPtr = 12,
  kTxt = 16,
  kAaaa = 28,
  kOpt = 41,
  kAny = 255,
};
inline constexpr uint16_t kClassIn = 1;

enum Rcode : uint8_t {
  kNoError = 0,
  kFormErr = 1,
  kServFail = 2,
  kNxDomain = 3,
  kNotImp = 4,
  kRefused = 5,
  kBadVers = 16,  // extended (EDNS0): the upper bits travel in the OPT record
};

struct Question {
  std::string name;  // lower case, no trailing dot; "" is the root
  uint16_t type = 0;
  uint16_t klass = kClassIn;
  // The name with the case it was asked in (DNS 0x20: resolvers randomise the
  // case and check that the reply echoes it); "" means `name`. Parsed queries
  // and responses set it; a response writes its question with it.
  std::string asked;
};

struct Edns {
  uint16_t udp_size = 512;  // the requester's payload size (at least 512)
  bool dnssec_ok = false;
  uint8_t version = 0;
};

struct Query {
  uint16_t id = 0;
  uint8_t opcode = 0;
  bool recursion_desired = false;
  bool checking_disabled = false;
  Question question;
  std::optional<Edns> edns;
};

// The header id and flags of a message that failed to parse, when at least
// the 12-byte header was there: enough to send FORMERR back.
struct Header {
  uint16_t id = 0;
  uint16_t flags = 0;
};
std::optional<Header> PeekHeader(std::string_view wire);

// Parses a query: exactly one question, QR clear, names within RFC limits,
// compression pointers only backwards, an optional OPT record. The error says
// what was wrong and at which byte.
Result<Query> ParseQuery(std::string_view wire);

struct ResourceRecord {
  std::string name;  // as Question::name
  uint16_t type = 0;
  uint16_t klass = kClassIn;
  uint32_t ttl = 0;
  std::string rdata;  // wire form, names inside uncompressed (see the helpers below)
};

// RDATA builders.
std::string AaaaData(const std::array<uint8_t, 16>& address);
std::string AData(const std::array<uint8_t, 4>& address);
std::string NameData(std::string_view name);  // NS, PTR, CNAME
std::string SoaData(std::string_view mname, std::string_view rname, uint32_t serial,
                    uint32_t refresh, uint32_t retry, uint32_t expire, uint32_t minimum);

struct Response {
  uint16_t id = 0;
  uint8_t opcode = 0;
  bool authoritative = false;
  bool truncated = false;
  bool recursion_desired = false;
  bool recursion_available = false;
  bool checking_disabled = false;
  Rcode rcode = kNoError;
  std::optional<Question> question;
  std::vector<ResourceRecord> answers;
  std::vector<ResourceRecord> authority;
  std::vector<ResourceRecord> additional;
  std::optional<Edns> edns;  // echoed when the query had one
};

// Wire form. When the message would exceed `max_size`, records are dropped
// from the end (additional, then authority, then answers) and TC is set, so
// the client retries over TCP (RFC 2181 5.1: never a partial RRset).
std::string Serialize(const Response& r, size_t max_size = 65535);

// A query's wire form (one question, RD as given): for clients of
// upstream resolvers.
std::string SerializeQuery(const Query& q);

// Parses a response (for forwarders and tests): header, question, records.
Result<Response> ParseResponse(std::string_view wire);

// "fd00:1110::1" as a name under ip6.arpa, and back. nullopt when `name` is
// not a full 32-nibble ip6.arpa name.
std::string ReverseName(const std::array<uint8_t, 16>& address);
std::optional<std::array<uint8_t, 16>> FromReverseName(std::string_view name);

}  // namespace forest::dns
