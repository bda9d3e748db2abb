// forestd's HTTP API, the helper's and each node's: the port and every
// endpoint path, for the servers' route tables and for their clients.
#pragma once

#include <cstdint>

namespace forest::api {

inline constexpr uint16_t kPort = 8053;         // every forestd's HTTP API
inline constexpr uint16_t kNodeDnsPort = 5353;  // a node's forestd DNS (dnsmasq forwards .incus here)

// Every forestd.
inline constexpr char kHealthz[] = "/healthz";
inline constexpr char kMetrics[] = "/metrics";

// The helper (docs/forestd.md).
inline constexpr char kPublishRoot[] = "/v1/publish-root-registration";  // POST, a root's export
inline constexpr char kSignCsr[] = "/v1/sign-csr";                       // POST, SignRequest
inline constexpr char kForest[] = "/v1/forest";                          // GET, the merged view
inline constexpr char kCrl[] = "/v1/crl";                                // GET, ?format=der
inline constexpr char kCrlRoot[] = "/v1/crl-root";                       // GET, the CRL-signing twin
inline constexpr char kRootCa[] = "/v1/root-ca";                         // GET, the staged root

// A node (for itself, its parent and its children).
inline constexpr char kPoke[] = "/v1/poke";      // POST, Poke
inline constexpr char kExport[] = "/v1/export";  // GET, the node's export
inline constexpr char kNode[] = "/v1/node";      // GET, NodeStatus

}  // namespace forest::api
