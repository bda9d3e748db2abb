// Fuzz target for the certificates a node deployed, <state>/certs.json
// (node::ParseDeployments). What parses serialises and parses back to the same
// text, and every record is renewed (node::RenewAt) before it expires.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "node/cert_deploy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto r = forest::node::ParseDeployments(text, "certs.json");
  if (!r.ok()) {
    if (r.error().message.empty()) std::abort();
    return 0;
  }
  std::string once = forest::node::DeploymentsJson(*r);
  auto again = forest::node::ParseDeployments(once, "certs.json");
  if (!again.ok() || forest::node::DeploymentsJson(*again) != once) {
    std::fprintf(stderr, "fuzz_cert_deploy: deployments do not round-trip\n");
    std::abort();
  }
  // UBSan checks RenewAt's arithmetic; renewal never comes after expiry.
  for (const auto& d : *r) {
    if (forest::node::RenewAt(d) > d.not_after) {
      std::fprintf(stderr, "fuzz_cert_deploy: renewal after expiry\n");
      std::abort();
    }
  }
  return 0;
}
