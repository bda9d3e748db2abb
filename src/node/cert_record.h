// A certificate deployment as <state>/certs.json records it (node/cert_deploy.h
// does the deploying): when it is renewed, the names it asks for, and the
// file's text. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

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
  bool operator==(const CertDeployment&) const = default;
};

// When forestd renews `d`: renew_before_days before it expires, but at the
// latest when a third of the leaf's life is left (a 7-day leaf with short
// aliases is renewed after about 4.7 days, whatever renew_before_days says).
int64_t RenewAt(const CertDeployment& d);

// The names asked for: <workload>.<node> and <service>.<workload>.<node>.
std::vector<std::string> DeploymentNames(const CertDeployment& d, const std::string& node_canonical);

// certs.json's text: {"deployments": [...]}. Errors name `file` and the entry.
Result<std::vector<CertDeployment>> ParseDeployments(std::string_view text, const std::string& file);
std::string DeploymentsJson(const std::vector<CertDeployment>& all);

}  // namespace forest::node
