// The helper's request and reply bodies (docs/forestd.md): what a node sends
// to POST /v1/sign-csr and gets back, what a root gets back from POST
// /v1/publish-root-registration, the forest view GET /v1/forest answers, and
// the error body every forestd answers a refusal with. Shared by the servers
// (helper/) and their clients (node/, `forest tree`).
// Pure; every parser reads hostile input and returns an error, never throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "net/ip.h"

namespace forest::api {

// Body of POST /v1/sign-csr.
struct SignRequest {
  std::string csr_pem;
  std::vector<std::string> label_paths;  // "" is the node itself
  bool client = false;                   // mkcert -client: add clientAuth
  bool operator==(const SignRequest&) const = default;
};
inline constexpr size_t kMaxSignRequestBytes = 128 * 1024;
Result<SignRequest> ParseSignRequest(std::string_view body);
std::string SerializeSignRequest(const SignRequest& r);

// The 200 reply of POST /v1/sign-csr.
struct SignReply {
  std::string certificate;  // the leaf, PEM
  std::string root;         // the root that signed it, PEM
  std::string serial;       // hex
  std::string caller;       // the node it was signed for
  std::vector<std::string> names;
  std::vector<std::string> withheld;  // asked for, not signed
  int64_t not_before = 0;             // 0: the reply did not say (older helpers)
  int64_t not_after = 0;
  bool operator==(const SignReply&) const = default;
};
nlohmann::json ToJson(const SignReply& r);
Result<SignReply> ParseSignReply(std::string_view body);

// The 200 reply of POST /v1/publish-root-registration.
struct PublishReply {
  bool accepted = true;
  bool changed = false;  // the export differed from the last good one
  uint32_t serial = 0;   // the zone serial after it
  bool operator==(const PublishReply&) const = default;
};
nlohmann::json ToJson(const PublishReply& r);
Result<PublishReply> ParsePublishReply(std::string_view body);

// GET /v1/forest: the helper's merged view. Every root of the forest,
// published or not; every node with the route to its subtree; every
// canonical name with its addresses and the aliases published for it.
struct ForestRoot {
  std::string name;  // canonical
  net::Ipv6Address uplink;
  net::Ipv6Prefix subtree;
  bool published = false;  // the helper holds an export of it
  bool operator==(const ForestRoot&) const = default;
};
struct ForestNode {
  std::string name;  // canonical
  net::Ipv6Prefix subtree;
  net::Ipv6Address next_hop;
  bool ready = false;
  bool operator==(const ForestNode&) const = default;
};
struct ForestName {
  std::string name;  // canonical
  std::vector<net::Ipv6Address> addresses;
  std::vector<std::string> aliases;
  bool operator==(const ForestName&) const = default;
};
struct ForestReply {
  uint32_t serial = 0;  // the zone serial
  std::vector<ForestRoot> roots;
  std::vector<ForestNode> nodes;  // sorted by name
  std::vector<ForestName> names;  // sorted by name
  bool operator==(const ForestReply&) const = default;
};
inline constexpr size_t kMaxForestReplyBytes = 64u << 20;
nlohmann::json ToJson(const ForestReply& f);
// Errors name the field (`names[2].addresses[0]: ...`); unknown fields are ignored.
Result<ForestReply> ParseForestReply(std::string_view body);

// {"error": "<why>"}: every refusal's body.
nlohmann::json ErrorJson(const std::string& message);
// The reason in an error body; the body itself when it is not one.
std::string ErrorMessage(std::string_view body);

}  // namespace forest::api
