// Certificates a node deploys into its plain workloads (DESIGN.md, Trust):
// the key is made on the node, the helper's CA broker signs the workload's
// names (its base name and its services), and cert, key and root are pushed
// into the workload that terminates TLS. forestd renews each deployment
// before it expires, and deploys again when the workload lost the files.
// Deployments are kept in <state>/certs.json (atomic writes).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "incus/client.h"
#include "node/ca_client.h"

namespace forest::node {

inline constexpr char kCertsFile[] = "certs.json";

struct CertDeployment {
  std::string workload;
  std::vector<std::string> services;    // "auth" → auth.<workload>.<node>
  std::string dir = "/etc/forest/tls";  // in the workload: cert.pem, key.pem (0600), root.pem
  std::string reload;                   // run in the workload (sh -c) after new files; "" = none
  int renew_before_days = 30;
  // The certificate in place.
  std::string serial;
  int64_t not_before = 0;  // 0 in records older than short-lived leaves
  int64_t not_after = 0;
  std::vector<std::string> names;
};

// When forestd renews `d`: renew_before_days before it expires, but at the
// latest when a third of the leaf's life is left (a 7-day leaf with short
// aliases is renewed after about 4.7 days, whatever renew_before_days says).
int64_t RenewAt(const CertDeployment& d);

// The names asked for: <workload>.<node> and <service>.<workload>.<node>.
std::vector<std::string> DeploymentNames(const CertDeployment& d, const std::string& node_canonical);

Result<std::vector<CertDeployment>> ReadDeployments(const std::string& state_dir);
Status SaveDeployments(const std::string& state_dir, const std::vector<CertDeployment>& all);
// certs.json's text: {"deployments": [...]}. Errors name `file` and the entry.
Result<std::vector<CertDeployment>> ParseDeployments(std::string_view text, const std::string& file);
std::string DeploymentsJson(const std::vector<CertDeployment>& all);

// Makes a key, has it signed, pushes the files, runs the reload command, and
// returns `d` with the new certificate's serial, expiry and names.
Result<CertDeployment> Deploy(incus::Client& local, const CaEndpoint& ca, CertDeployment d);

// Adds or replaces (same workload and dir) a deployment, deploying it now.
Result<CertDeployment> DeployAndRecord(incus::Client& local, const CaEndpoint& ca, const std::string& state_dir,
                                       CertDeployment d);

// Deploys each of `declared` (the topology's `tls: true` workloads) that has
// no record yet; returns what it did or why it could not (a workload that is
// not running yet is tried again next pass).
std::vector<std::string> EnsureDeclared(incus::Client& local, const CaEndpoint& ca, const std::string& state_dir,
                                        const std::vector<CertDeployment>& declared);

// One renewal pass: every deployment that is due (RenewAt), whose
// certificate the helper's CRL lists as revoked, or whose workload no longer
// has our certificate, is deployed again. Returns what it did, one line each
// (for the journal).
std::vector<std::string> RenewDue(incus::Client& local, const CaEndpoint& ca, const std::string& state_dir,
                                  int64_t now);

}  // namespace forest::node
