// The helper's CA broker (DESIGN.md, Trust): POST /v1/sign-csr. The caller is
// the node whose uplink or node address is the connection's source address in
// the merged view (nothing in the request names it; the body is
// api::SignRequest); the SAN family comes
// from trust::DecideSans; the leaf is signed with the staged mkcert root the
// way mkcert signs. A public key is bound to the first node it was certified
// for, so a CSR replayed from elsewhere is refused. Pure: the time, the view
// and the root come in as values; forestd does the files and the log.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/helper_api.h"
#include "registration/registration.h"
#include "trust/x509.h"

namespace forest::helper {

// One issuance, as logged (who, which names, serial) and kept for key binding.
struct Issuance {
  std::string caller;
  std::string source;
  std::vector<std::string> sans;
  std::vector<std::string> withheld;
  std::string serial_hex;
  std::string key_sha256;
  int64_t not_after = 0;
  int64_t issued_at = 0;
  nlohmann::json ToJson() const;
  // One line of issued.jsonl; an error names the missing field.
  static Result<Issuance> FromJson(const nlohmann::json& j);
};

// Leaf lifetimes (docs/trust.md, Lifetimes). A leaf holding any short alias
// (an alias candidate, not a canonical name) lives 7 days: an alias can move
// to another object when the forest changes, and whoever held it must not
// keep a valid certificate for long; forestd renews deployed leaves when a
// third of their life is left. A leaf of canonical names only lives 90 days:
// those names cannot move (only their node publishes under them).
inline constexpr int64_t kAliasLeafSeconds = 7 * 86400;
inline constexpr int64_t kCanonicalLeafSeconds = 90 * 86400;
int64_t LeafNotAfter(int64_t now, bool has_alias);

class CaBroker {
 public:
  struct Reply {
    int status = 200;
    nlohmann::json body;
    std::string log;                 // one line for the journal
    std::optional<Issuance> issued;  // set on success
  };

  void SetRoot(std::optional<trust::CaRoot> root) { root_ = std::move(root); }
  // Written into every leaf as its cRLDistributionPoints URI ("" = none).
  void SetCrlUrl(std::string url) { crl_url_ = std::move(url); }
  const std::optional<trust::CaRoot>& root() const { return root_; }
  // Replays the issuance log: key → node bindings.
  void Remember(const Issuance& i) { key_owner_.emplace(i.key_sha256, i.caller); }

  Reply Sign(const registration::ForestView& view, std::string_view source, std::string_view body, int64_t now);

 private:
  std::optional<trust::CaRoot> root_;
  std::string crl_url_;
  std::map<std::string, std::string> key_owner_;  // public key SHA-256 → caller
};

}  // namespace forest::helper
