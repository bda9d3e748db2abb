// Fuzz target for the certificates a node deployed, <state>/certs.json
// (node::ParseDeployments). What parses serialises and parses back to the same
// text, and every record is renewed (node::RenewAt) before it expires.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "node/cert_deploy.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace node = forest::node;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = fuzz_round_trip::Parsed(
      "fuzz_cert_deploy", "deployments do not round-trip", text,
      [](std::string_view t) { return node::ParseDeployments(std::string(t), "certs.json"); },
      [](const auto& d) { return node::DeploymentsJson(d); });
  if (!r.ok()) return 0;
  // UBSan checks RenewAt's arithmetic; renewal never comes after expiry.
  for (const auto& d : *r) {
    if (node::RenewAt(d) > d.not_after) fuzz_round_trip::Fail("fuzz_cert_deploy", "renewal after expiry");
  }
  return 0;
}
