// Certificates a node deploys into its plain workloads (DESIGN.md, Trust):
// the key is made on the node, the helper's CA broker signs the workload's
// names (its base name and its services), and cert, key and root are pushed
// into the workload that terminates TLS. forestd renews each deployment
// before it expires, and deploys again when the workload lost the files.
// Deployments are kept in <state>/certs.json (atomic writes; node/cert_record.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "incus/client.h"
#include "node/ca_client.h"
#include "node/cert_record.h"

namespace forest::node {

Result<std::vector<CertDeployment>> ReadDeployments(const std::string& state_dir);
Status SaveDeployments(const std::string& state_dir, const std::vector<CertDeployment>& all);

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
