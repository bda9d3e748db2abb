// Serves a dns::Zone over UDP and TCP (Boost.Asio coroutines), forwarding what is not ours
// to an upstream server when there is one. The zone is swapped atomically
// when the names change: answers come straight from memory.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "base/result.h"
#include "dns/zone.h"
#include "serve/conn_gate.h"

namespace forest::dns {

struct ServerStats {
  std::atomic<uint64_t> udp_queries{0};
  std::atomic<uint64_t> tcp_queries{0};
  std::atomic<uint64_t> answered{0};     // from our zone
  std::atomic<uint64_t> nxdomain{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> formerr{0};
  std::atomic<uint64_t> dropped{0};      // not even a header
  std::atomic<uint64_t> truncated{0};
  std::atomic<uint64_t> forwarded{0};
  std::atomic<uint64_t> forward_failures{0};
};

// DNS over TCP (RFC 7766): connections are limited like the HTTP API's and
// closed when idle or too slow.
struct TcpOptions {
  serve::ConnectionLimits limits{.per_source = 16, .per_network = 64, .global = 512, .reserve = 64};
  serve::Privileged privileged;                   // who may use the reserve
  std::chrono::milliseconds idle{10000};          // waiting for the next query's length
  std::chrono::milliseconds query{5000};          // for the query once its length came
};

class Server {
 public:
  // Binds UDP and TCP on `address` (IPv6 or IPv4 literal) and `port`.
  static Result<std::unique_ptr<Server>> Listen(boost::asio::io_context& io,
                                                const std::string& address, uint16_t port,
                                                std::shared_ptr<const Zone> zone, TcpOptions tcp = {});

  // Queries outside the zone go here (a node's parent, the root's helper).
  void SetUpstream(const boost::asio::ip::udp::endpoint& upstream) { upstream_ = upstream; }
  // Names outside `.incus` go here instead when set (the edge's DNS64).
  void SetOutsideUpstream(const boost::asio::ip::udp::endpoint& upstream) { outside_ = upstream; }
  void SetZone(std::shared_ptr<const Zone> zone);
  std::shared_ptr<const Zone> zone() const;

  // Starts serving on the io_context (returns at once). The server must
  // outlive the io_context's run. SetZone, zone() and the stats may be used
  // from other threads.
  void Start();
  void Stop();

  const ServerStats& stats() const { return stats_; }
  const serve::ConnectionStats& tcp_stats() const { return gate_->stats(); }
  const serve::ConnectionLimits& tcp_limits() const { return gate_->limits(); }
  uint16_t port() const { return udp_.local_endpoint().port(); }

 private:
  Server(boost::asio::io_context& io, boost::asio::ip::udp::socket udp,
         boost::asio::ip::tcp::acceptor tcp, std::shared_ptr<const Zone> zone, TcpOptions o);

  boost::asio::io_context& io_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::acceptor tcp_;
  mutable std::mutex mu_;
  std::shared_ptr<const Zone> zone_;
  std::optional<boost::asio::ip::udp::endpoint> upstream_;
  std::optional<boost::asio::ip::udp::endpoint> outside_;
  ServerStats stats_;
  TcpOptions tcp_options_;
  std::shared_ptr<serve::ConnectionGate> gate_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  friend class ServerLoops;
};

}  // namespace forest::dns
