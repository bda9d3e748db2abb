// Connection accounting for forestd's TCP listeners (HTTP API, DNS over TCP):
// how many connections one source address, one source network and everyone
// together may hold, with a reserve that only privileged sources (the host,
// roots, nodes: addresses the plan names) may use, so a flood from workloads
// never locks them out. Pure: the servers call it on accept and on close.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace forest::serve {

struct ConnectionLimits {
  size_t per_source = 32;    // one source address
  size_t per_network = 128;  // one source /64 (IPv6) or address (IPv4); privileged sources are exempt
  size_t global = 2048;      // everyone together
  size_t reserve = 256;      // beyond `global`, for privileged sources only
};

enum class Refusal { kNone, kPerSource, kPerNetwork, kGlobal };
const char* RefusalName(Refusal r);  // "per_source", "per_network", "global"

class ConnectionLimiter {
 public:
  explicit ConnectionLimiter(ConnectionLimits limits) : limits_(limits) {}

  // Counts a new connection from `source` (in `network`) unless a limit
  // refuses it; a refused connection is not counted.
  Refusal Acquire(const std::string& source, const std::string& network, bool privileged);
  // For every connection Acquire counted, once.
  void Release(const std::string& source, const std::string& network);

  size_t open() const { return open_; }
  size_t sources() const { return per_source_.size(); }
  const ConnectionLimits& limits() const { return limits_; }

 private:
  ConnectionLimits limits_;
  size_t open_ = 0;
  std::map<std::string, size_t> per_source_, per_network_;
};

// The global limits of several listeners shrunk to what `fd_soft_limit`
// file descriptors hold after `fixed` (files, sockets, pipes the daemon
// needs besides connections), in proportion to their global + reserve;
// unchanged when they fit. Per-source and per-network limits never grow
// above the shrunk global.
void FitToFdLimit(uint64_t fd_soft_limit, size_t fixed, const std::vector<ConnectionLimits*>& listeners);

// "32 per source, 128 per /64, 2048 in total + 256 kept for the forest's own"
std::string Describe(const ConnectionLimits& l);

// What a listener reports in /metrics (read from other threads).
struct ConnectionStats {
  std::atomic<uint64_t> open{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> refused_per_source{0};
  std::atomic<uint64_t> refused_per_network{0};
  std::atomic<uint64_t> refused_global{0};
  std::atomic<uint64_t> accept_errors{0};  // e.g. EMFILE: out of file descriptors
  std::atomic<uint64_t> timed_out{0};      // idle or too slow, closed by us
  std::atomic<uint64_t> malformed{0};      // answered 4xx (HTTP) or hung up (DNS) for bad framing
};

}  // namespace forest::serve
