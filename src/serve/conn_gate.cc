#include "serve/conn_gate.h"

#include <algorithm>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace forest::serve {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

bool InSorted(const std::vector<net::Ipv6Address>& sorted, const asio::ip::address& a) {
  if (a.is_loopback()) return true;
  if (!a.is_v6()) return false;
  net::Ipv6Address x{a.to_v6().to_bytes()};
  return std::binary_search(sorted.begin(), sorted.end(), x);
}

}  // namespace

Privileged AnyOf(std::vector<net::Ipv6Address> addresses) {
  std::sort(addresses.begin(), addresses.end());
  return [set = std::move(addresses)](const asio::ip::address& a) { return InSorted(set, Unmapped(a)); };
}

bool IsAnyOf(const std::vector<net::Ipv6Address>& sorted, std::string_view source) {
  boost::system::error_code ec;
  auto a = asio::ip::make_address(std::string(source), ec);
  return !ec && InSorted(sorted, Unmapped(a));
}

asio::ip::address Unmapped(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a;
}

std::string NetworkKey(const asio::ip::address& a) {
  if (!a.is_v6()) return a.to_string();
  auto bytes = a.to_v6().to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return asio::ip::address_v6(bytes).to_string() + "/64";
}

ConnectionGate::Ticket::~Ticket() {
  if (!gate_) return;  // moved from
  gate_->limiter_.Release(source_, network_);
  --gate_->stats_.open;
}

std::optional<ConnectionGate::Ticket> ConnectionGate::Admit(const std::shared_ptr<ConnectionGate>& gate,
                                                            const asio::ip::address& source, Refusal* why) {
  std::string s = source.to_string(), n = NetworkKey(source);
  bool privileged = gate->privileged_ && gate->privileged_(source);
  *why = gate->limiter_.Acquire(s, n, privileged);
  switch (*why) {
    case Refusal::kNone:
      ++gate->stats_.accepted;
      ++gate->stats_.open;
      return Ticket(gate, std::move(s), std::move(n));
    case Refusal::kPerSource: ++gate->stats_.refused_per_source; break;
    case Refusal::kPerNetwork: ++gate->stats_.refused_per_network; break;
    case Refusal::kGlobal: ++gate->stats_.refused_global; break;
  }
  return std::nullopt;
}

asio::awaitable<void> AcceptLoop(tcp::acceptor& acceptor, std::shared_ptr<ConnectionGate> gate,
                                 std::shared_ptr<bool> alive, Serve serve, RefusalText refusal) {
  constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
  asio::steady_timer pause(acceptor.get_executor());
  while (*alive) {
    auto [ec, sock] = co_await acceptor.async_accept(kTuple);
    if (!*alive || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // EMFILE/ENFILE leave the connection queued: accepting again at once
      // would spin. Closing connections (idle timeouts) frees descriptors.
      ++gate->stats().accept_errors;
      pause.expires_after(std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    boost::system::error_code rec;
    auto remote = sock.remote_endpoint(rec);
    if (rec) continue;  // already gone
    auto source = Unmapped(remote.address());
    Refusal why = Refusal::kNone;
    auto ticket = ConnectionGate::Admit(gate, source, &why);
    if (!ticket) {
      std::string text = refusal ? refusal(why, source) : std::string();
      if (!text.empty()) {
        boost::system::error_code wec;
        sock.non_blocking(true, wec);
        if (!wec) sock.write_some(asio::buffer(text), wec);  // a fresh socket's buffer holds it; never waits
        sock.shutdown(tcp::socket::shutdown_send, wec);
      }
      sock.close(rec);
      continue;
    }
    serve(std::move(sock), std::move(*ticket), source);
  }
}

}  // namespace forest::serve
