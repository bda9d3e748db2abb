// The helper's HTTP API as a route table (serve/http_route.h): who may call
// what is decided on the request head, before any body is read; bodies are
// capped per route. Paths from api/paths.h; docs/forestd.md lists them.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "helper/ca_service.h"
#include "helper/publication.h"
#include "serve/http_route.h"

namespace forest::helper {

// A root's export: 100,000 records are about 8 MiB of JSON.
inline constexpr size_t kMaxPublishBody = 16u << 20;
// A CSR (RSA 4096 is under 2 KiB of PEM) and a few label paths.
inline constexpr size_t kMaxSignBody = 64u << 10;

// `server_metrics` adds the servers' own counters (DNS, connections, fds)
// to /metrics.
http::Router HelperRoutes(Publication& roots, CaService& ca,
                          std::function<void(serve::MetricsText&)> server_metrics);

}  // namespace forest::helper
