// The helper's CA broker (DESIGN.md, Trust): POST /v1/sign-csr. The caller is
// the node whose uplink or node address is the connection's source address in
// the merged view (nothing in the request names it); the SAN family comes
// from trust::DecideSans; the leaf is signed with the staged mkcert root the
// way mkcert signs. A public key is bound to the first node it was certified
// for, so a CSR replayed from elsewhere is refused. Pure: the time, the view
// and the root come in as values; forestd does the files and the log.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "registration/registration.h"
#include "trust/x509.h"

namespace forest::helper {

// Body of POST /v1/sign-csr.
struct SignRequest {
  std::string csr_pem;
  std::vector<std::string> label_paths;  // "" is the node itself
  bool client = false;                   // mkcert -client: add clientAuth
};
inline constexpr size_t kMaxSignRequestBytes = 128 * 1024;
Result<SignRequest> ParseSignRequest(std::string_view body);
std::string SerializeSignRequest(const SignRequest& r);

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
};

// mkcert's leaf lifetime: 2 years and 3 months from `now`.
int64_t LeafNotAfter(int64_t now);

class CaBroker {
 public:
  struct Reply {
    int status = 200;
    nlohmann::json body;
    std::string log;                 // one line for the journal
    std::optional<Issuance> issued;  // set on success
  };

  void SetRoot(std::optional<trust::CaRoot> root) { root_ = std::move(root); }
  const std::optional<trust::CaRoot>& root() const { return root_; }
  // Replays the issuance log: key → node bindings.
  void Remember(const Issuance& i) { key_owner_.emplace(i.key_sha256, i.caller); }

  Reply Sign(const registration::ForestView& view, std::string_view source, std::string_view body, int64_t now);

 private:
  std::optional<trust::CaRoot> root_;
  std::map<std::string, std::string> key_owner_;  // public key SHA-256 → caller
};

}  // namespace forest::helper
