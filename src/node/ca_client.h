// A node's side of the trust plane: the helper's CA endpoint, fetching the
// root (GET /v1/root-ca) and asking for a signature (POST /v1/sign-csr). Used
// by the mkcert shim and by certificate deployment.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "api/forestd_client.h"
#include "base/result.h"
#include "trust/ca_endpoint.h"

namespace forest::node {

using trust::CaEndpoint;

// The settings file (trust/ca_endpoint.h) from $FOREST_MKCERT_CONFIG or
// trust::kMkcertConfig.
Result<CaEndpoint> LoadCaEndpoint();

// Each call below goes to E's helper through HELPER (api/forestd_client.h);
// the form without it uses the real client on E's port.

// The root's PEM, checked to be a CA certificate.
Result<std::string> FetchRoot(api::ForestdClient& helper, const CaEndpoint& e);
Result<std::string> FetchRoot(const CaEndpoint& e);

// What the helper signed: certificate, root, serial, names, withheld, not_after.
struct Signed {
  std::string certificate;
  std::string root;
  std::string serial;
  std::vector<std::string> names;
  std::vector<std::string> withheld;
  int64_t not_before = 0;
  int64_t not_after = 0;
};

// Signs `csr_pem` for the label paths of `names` (trust::LabelPathForName).
// A refusal is an error with the helper's reason.
Result<Signed> RequestSignature(api::ForestdClient& helper, const CaEndpoint& e, const std::string& csr_pem,
                                const std::vector<std::string>& names, bool client);
Result<Signed> RequestSignature(const CaEndpoint& e, const std::string& csr_pem,
                                const std::vector<std::string>& names, bool client);

// The serials the helper's CRL (GET /v1/crl) lists, its signature checked
// against the root (GET /v1/root-ca).
Result<std::set<std::string>> FetchRevokedSerials(api::ForestdClient& helper, const CaEndpoint& e);
Result<std::set<std::string>> FetchRevokedSerials(const CaEndpoint& e);

}  // namespace forest::node
