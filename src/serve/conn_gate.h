// The accept side of forestd's TCP listeners: a ConnectionLimiter behind an
// accept loop. Each accepted connection carries a Ticket that gives its slot
// back when the connection ends; a connection over a limit is told so (best
// effort) and closed at once, and running out of file descriptors pauses
// accepting briefly instead of spinning.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "net/ip.h"
#include "serve/conn_limits.h"

namespace forest::serve {

// Whether a source is one of the forest's own (host, roots, nodes): it may
// use the reserve. Called on the listener's thread; keep it immutable.
using Privileged = std::function<bool(const boost::asio::ip::address&)>;

// Loopback (the daemon's own machine) and exactly these addresses.
Privileged AnyOf(std::vector<net::Ipv6Address> addresses);
// The same test on a source address in text ("fd00:1110::1", "127.0.0.1").
bool IsAnyOf(const std::vector<net::Ipv6Address>& sorted, std::string_view source);

// IPv4-mapped IPv6 addresses as IPv4; the rest as they are.
boost::asio::ip::address Unmapped(const boost::asio::ip::address& a);
// The network a source is counted in: its /64 for IPv6, itself for IPv4.
std::string NetworkKey(const boost::asio::ip::address& a);

class ConnectionGate {
 public:
  ConnectionGate(ConnectionLimits limits, Privileged privileged)
      : limiter_(limits), privileged_(std::move(privileged)) {}

  class Ticket {
   public:
    Ticket(std::shared_ptr<ConnectionGate> gate, std::string source, std::string network)
        : gate_(std::move(gate)), source_(std::move(source)), network_(std::move(network)) {}
    Ticket(Ticket&& o) noexcept = default;
    Ticket& operator=(Ticket&&) = delete;
    Ticket(const Ticket&) = delete;
    ~Ticket();

   private:
    std::shared_ptr<ConnectionGate> gate_;
    std::string source_, network_;
  };

  // A ticket for a connection from `source`, or the limit that refuses it
  // (counted in stats()).
  static std::optional<Ticket> Admit(const std::shared_ptr<ConnectionGate>& gate,
                                     const boost::asio::ip::address& source, Refusal* why);

  ConnectionStats& stats() { return stats_; }
  const ConnectionStats& stats() const { return stats_; }
  const ConnectionLimits& limits() const { return limiter_.limits(); }

 private:
  ConnectionLimiter limiter_;
  Privileged privileged_;
  ConnectionStats stats_;
};

using Serve = std::function<void(boost::asio::ip::tcp::socket, ConnectionGate::Ticket, boost::asio::ip::address)>;
// What a refused connection is sent before it is closed ("" for nothing).
using RefusalText = std::function<std::string(Refusal, const boost::asio::ip::address&)>;

// Accepts on `acceptor` while *alive; hands every admitted connection to `serve`.
boost::asio::awaitable<void> AcceptLoop(boost::asio::ip::tcp::acceptor& acceptor,
                                        std::shared_ptr<ConnectionGate> gate, std::shared_ptr<bool> alive,
                                        Serve serve, RefusalText refusal);

}  // namespace forest::serve
