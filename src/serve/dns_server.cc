#include "serve/dns_server.h"

#include <array>
#include <chrono>
#include <random>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "serve/listen.h"

namespace forest::dns {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using asio::ip::udp;
using namespace asio::experimental::awaitable_operators;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

constexpr auto kForwardTimeout = std::chrono::seconds(3);

void Count(ServerStats& s, const Response& r) {
  if (r.rcode == kNxDomain) ++s.nxdomain;
  if (r.rcode == kRefused) ++s.refused;
  if (r.rcode == kFormErr) ++s.formerr;
}

std::string WithId(std::string wire, uint16_t id) {
  if (wire.size() >= 2) {
    wire[0] = static_cast<char>(id >> 8);
    wire[1] = static_cast<char>(id & 0xff);
  }
  return wire;
}

}  // namespace

// The coroutines, kept out of the header.
class ServerLoops {
 public:
  // The reply to one query; `limit` is the transport's size bound.
  static awaitable<std::string> Handle(Server& s, std::string query, bool over_tcp) {
    auto zone = s.zone();
    auto answer = zone->RespondWire(query);
    if (!answer) {
      ++s.stats_.dropped;
      co_return std::string();
    }
    if (!answer->ours && s.upstream_) {
      auto forwarded = co_await Forward(s, query, UpstreamFor(s, query));
      if (!forwarded.empty()) {
        ++s.stats_.forwarded;
        co_return forwarded;
      }
      ++s.stats_.forward_failures;
      answer->response.rcode = kServFail;
    }
    ++s.stats_.answered;
    Count(s.stats_, answer->response);
    size_t limit = 65535;
    if (!over_tcp) {
      auto q = ParseQuery(query);
      limit = q.ok() ? UdpLimit(*q) : 512;
    }
    std::string wire = Serialize(answer->response, limit);
    if (wire.size() >= 3 && (wire[2] & 0x02)) ++s.stats_.truncated;
    co_return wire;
  }

  // `.incus`, reverse IPv6 names (the forest's addresses) and what does not
  // parse go to the upstream; other names to the outside upstream when set.
  static udp::endpoint UpstreamFor(const Server& s, const std::string& query) {
    if (!s.outside_) return *s.upstream_;
    auto q = ParseQuery(query);
    if (!q.ok()) return *s.upstream_;
    return IsForestName(q->question.name) ? *s.upstream_ : *s.outside_;
  }

  // Asks `upstream` over UDP from a fresh socket (random port, random id);
  // "" on timeout or a reply that does not match.
  static awaitable<std::string> Forward(Server& s, const std::string& query, udp::endpoint upstream) {
    if (query.size() < 12) co_return std::string();
    udp::socket sock(s.io_, upstream.protocol());
    uint16_t client_id = static_cast<uint16_t>((uint8_t(query[0]) << 8) | uint8_t(query[1]));
    uint16_t id = static_cast<uint16_t>(std::random_device{}());
    auto [sec, sn] = co_await sock.async_send_to(asio::buffer(WithId(query, id)), upstream, kTuple);
    if (sec) co_return std::string();
    asio::steady_timer timer(s.io_);
    timer.expires_after(kForwardTimeout);
    std::array<char, 65536> buf;
    for (;;) {
      udp::endpoint from;
      auto result = co_await (sock.async_receive_from(asio::buffer(buf), from, kTuple) ||
                              timer.async_wait(kTuple));
      if (result.index() == 1) co_return std::string();  // timed out
      auto [ec, n] = std::get<0>(result);
      if (ec) co_return std::string();
      if (from != upstream || n < 12) continue;
      uint16_t got = static_cast<uint16_t>((uint8_t(buf[0]) << 8) | uint8_t(buf[1]));
      if (got != id) continue;
      co_return WithId(std::string(buf.data(), n), client_id);
    }
  }

  static awaitable<void> Udp(Server& s, std::shared_ptr<bool> alive) {
    std::array<char, 65536> buf;
    while (*alive) {
      udp::endpoint from;
      auto [ec, n] = co_await s.udp_.async_receive_from(asio::buffer(buf), from, kTuple);
      if (!*alive || ec == asio::error::operation_aborted) co_return;
      if (ec) continue;
      ++s.stats_.udp_queries;
      asio::co_spawn(s.io_, UdpOne(s, std::string(buf.data(), n), from, alive), asio::detached);
    }
  }

  static awaitable<void> UdpOne(Server& s, std::string query, udp::endpoint from,
                                std::shared_ptr<bool> alive) {
    std::string reply = co_await Handle(s, std::move(query), false);
    if (!*alive || reply.empty()) co_return;
    co_await s.udp_.async_send_to(asio::buffer(reply), from, kTuple);
  }

  // RFC 7766: several length-prefixed queries per connection; closed when
  // idle between queries or slow within one.
  static awaitable<void> Connection(Server& s, tcp::socket sock, serve::ConnectionGate::Ticket ticket,
                                    std::shared_ptr<bool> alive) {
    asio::steady_timer timer(s.io_);
    serve::ConnectionStats& stats = s.gate_->stats();
    for (;;) {
      std::array<unsigned char, 2> len;
      timer.expires_after(s.tcp_options_.idle);
      auto got = co_await (asio::async_read(sock, asio::buffer(len), kTuple) || timer.async_wait(kTuple));
      if (!*alive) co_return;
      if (got.index() == 1) ++stats.timed_out;
      if (got.index() == 1 || std::get<0>(std::get<0>(got))) co_return;
      std::string query(size_t(len[0]) << 8 | len[1], '\0');
      timer.expires_after(s.tcp_options_.query);
      auto body = co_await (asio::async_read(sock, asio::buffer(query), kTuple) || timer.async_wait(kTuple));
      if (!*alive) co_return;
      if (body.index() == 1) ++stats.timed_out;
      if (body.index() == 1 || std::get<0>(std::get<0>(body))) co_return;
      ++s.stats_.tcp_queries;
      std::string reply = co_await Handle(s, std::move(query), true);
      if (reply.empty()) {  // not DNS: hang up
        ++stats.malformed;
        co_return;
      }
      std::string framed;
      framed.push_back(static_cast<char>(reply.size() >> 8));
      framed.push_back(static_cast<char>(reply.size() & 0xff));
      framed += reply;
      auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(framed), kTuple);
      if (wec) co_return;
    }
  }
};

Server::Server(asio::io_context& io, udp::socket udp, tcp::acceptor tcp,
               std::shared_ptr<const Zone> zone, TcpOptions o)
    : io_(io),
      udp_(std::move(udp)),
      tcp_(std::move(tcp)),
      zone_(std::move(zone)),
      tcp_options_(std::move(o)),
      gate_(std::make_shared<serve::ConnectionGate>(tcp_options_.limits, tcp_options_.privileged)) {}

Result<std::unique_ptr<Server>> Server::Listen(asio::io_context& io, const std::string& address,
                                               uint16_t port, std::shared_ptr<const Zone> zone, TcpOptions o) {
  FOREST_ASSIGN_OR_RETURN(auto addr, serve::ParseListenAddress(address, "dns"));
  boost::system::error_code ec;
  udp::socket u(io);
  udp::endpoint ue(addr, port);
  u.open(ue.protocol(), ec);
  // Bursts (a resolver retrying, dnsperf) overflow the default ~200 KiB
  // receive buffer and the kernel drops queries; ask for 4 MiB (the kernel
  // caps it at net.core.rmem_max). Best effort.
  if (!ec) {
    boost::system::error_code ignored;
    u.set_option(asio::socket_base::receive_buffer_size(4 << 20), ignored);
  }
  if (!ec) u.bind(ue, ec);
  if (ec) return MakeError("dns: cannot bind udp [" + address + "]:" + std::to_string(port) + ": " + ec.message());
  // TCP on the port UDP got (port 0 picks one for both).
  FOREST_ASSIGN_OR_RETURN(auto t, serve::ListenTcp(io, addr, u.local_endpoint().port(), "dns"));
  return std::unique_ptr<Server>(new Server(io, std::move(u), std::move(t), std::move(zone), std::move(o)));
}

void Server::SetZone(std::shared_ptr<const Zone> zone) {
  std::shared_ptr<const Zone> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::exchange(zone_, std::move(zone));
  }
  // A big zone takes milliseconds to free: never while queries wait for the lock.
}

std::shared_ptr<const Zone> Server::zone() const {
  std::lock_guard<std::mutex> lock(mu_);
  return zone_;
}

void Server::Start() {
  asio::co_spawn(io_, ServerLoops::Udp(*this, alive_), asio::detached);
  auto alive = alive_;
  auto hand_off = [this, alive](tcp::socket sock, serve::ConnectionGate::Ticket t, const asio::ip::address&) {
    asio::co_spawn(io_, ServerLoops::Connection(*this, std::move(sock), std::move(t), alive), asio::detached);
  };
  // A refused connection is closed without a word: DNS has no way to say why.
  asio::co_spawn(io_, serve::AcceptLoop(tcp_, gate_, alive_, hand_off, nullptr), asio::detached);
}

void Server::Stop() {
  *alive_ = false;
  boost::system::error_code ec;
  udp_.close(ec);
  tcp_.close(ec);
}

}  // namespace forest::dns
