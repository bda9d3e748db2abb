// The host's side of `forest cert issue` and `forest cert revoke` (DESIGN.md,
// Trust): a node is asked to deploy a workload's certificate (it runs
// `forest cert deploy`, one hop per level), and the helper to revoke
// certificates (it runs `forest helper-revoke` on its CA state), after which
// the helper's CRL must list them. Incus through an incus::Client, the
// helper's HTTP API through an api::ForestdClient.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/forestd_client.h"
#include "base/result.h"
#include "incus/client.h"
#include "incus/exec_stream.h"

namespace forest::up {

// What `forest cert deploy` is asked for (its flags, which `forest cert
// issue` passes on to the node).
struct CertRequest {
  std::string workload;
  std::vector<std::string> services;  // "auth" → auth.<workload>.<node>
  std::string dir = "/etc/forest/tls";
  std::string reload;  // "" = none
  int renew_before_days = 30;
};

// {"forest", "cert", "deploy", WORKLOAD, "--dir", ..., "--renew-before-days", N,
// "--service", S..., "--reload", R (when set)}.
std::vector<std::string> CertDeployArgv(const CertRequest& r);

// Runs `forest cert deploy` in the node at `path` (labels from the root
// down), its output streamed to `sink`; returns its exit code.
Result<int> IssueCert(incus::Client& c, const std::vector<std::string>& path, const CertRequest& r,
                      const incus::OutputSink& sink);

// What `forest cert revoke` names (helper::RevokeSelector, as flags of
// `forest helper-revoke`).
struct RevokeRequest {
  std::vector<std::string> serials;
  std::string node;
  std::string name;
  std::string reason;
  bool dry_run = false;
};

// {kBinaryPath, "helper-revoke", "--json", "--serial", S..., "--node", N,
// "--name", M, "--reason", R, "--dry-run"} (each only when set).
std::vector<std::string> HelperRevokeArgv(const RevokeRequest& r);

// Runs helper-revoke in the helper instance `helper_name` and returns its
// JSON ({"revoked": [{"serial", "caller", "names", "reason", ...}],
// "dry_run"}). Unless it is a dry run, the helper at `helper_address`
// (forestd's port) must then serve a CRL, signed by its root, that lists
// every serial revoked; the JSON gains "crl" (its URL) and "crl_entries".
// helper-revoke's own error (its stderr without "forest: error: ") is the
// error when it fails.
Result<nlohmann::json> RevokeInHelper(incus::Client& c, api::ForestdClient& forestd,
                                      const std::string& helper_name, const std::string& helper_address,
                                      const RevokeRequest& r);

}  // namespace forest::up
