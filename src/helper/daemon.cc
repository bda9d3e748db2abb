#include "helper/daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <iostream>
#include <thread>

#include "api/paths.h"
#include "base/clock.h"
#include "helper/ca_service.h"
#include "helper/publication.h"
#include "helper/routes.h"
#include "plan/api_callers.h"
#include "serve/dns_server.h"
#include "serve/fd_limit.h"
#include "serve/http_server.h"
#include "serve/metrics.h"

namespace forest::helper {

namespace {

void Log(const std::string& line) { std::cerr << "forestd: " << line << std::endl; }

// Descriptors the helper needs besides connections: files, the UDP socket,
// the journal, timers.
constexpr size_t kFixedFds = 256;

}  // namespace

int RunHelper(const plan::Plan& plan, const HelperOptions& o) {
  std::string listen = o.listen.empty() ? plan.helper_address.ToString() : o.listen;
  const Clock& clock = RealClock();
  Publication roots(plan, o.state, o.root_lease, clock, Log);
  CaService ca(o.state + "/ca",
               "http://forest-ca.incus:" + std::to_string(o.http_port ? o.http_port : api::kPort) + api::kCrl,
               clock, Log);
  roots.Load();
  ca.Load(roots.state().view());
  Log("serving " + std::to_string(roots.state().view().canonical().size()) + " names from " +
      std::to_string(roots.state().exports().size()) + " saved root exports (serial " +
      std::to_string(roots.state().serial()) + ")");
  // Limits (docs/forestd.md): the host and the forest's nodes keep a reserve
  // that workloads cannot take; all of it fits the descriptors we may open.
  auto fds = serve::RaiseFdLimit();
  http::ServerOptions api_options;
  dns::TcpOptions dns_options;
  api_options.privileged = dns_options.privileged = serve::AnyOf(plan::InfrastructureAddresses(plan));
  if (fds) serve::FitToFdLimit(fds->soft, kFixedFds, {&api_options.limits, &dns_options.limits});
  // DNS has a thread of its own: a big publication parsed on the API's
  // thread never delays an answer. The zone is handed over under a lock.
  boost::asio::io_context io, dns_io;
  auto dns = dns::Server::Listen(dns_io, listen, o.dns_port, nullptr, dns_options);
  if (!dns.ok()) {
    Log("error: " + dns.error().message);
    return 1;
  }
  const http::Server* api_ptr = nullptr;  // for /metrics, set once listening
  auto server_metrics = [&dns, &api_ptr](serve::MetricsText& m) {
    serve::AddDnsStats(m, (*dns)->stats());
    serve::AddConnectionStats(m, "dns_tcp", (*dns)->tcp_stats(), (*dns)->tcp_limits());
    if (api_ptr) serve::AddConnectionStats(m, "http", api_ptr->stats(), api_ptr->limits());
    serve::AddFdStats(m);
  };
  auto api =
      http::Server::Listen(io, listen, o.http_port, HelperRoutes(roots, ca, server_metrics), api_options);
  if (!api.ok()) {
    Log("error: " + api.error().message);
    return 1;
  }
  api_ptr = api->get();
  // After each change of the view: the new zone to DNS, superseded leaves revoked.
  roots.SetOnChange([&] {
    (*dns)->SetZone(roots.state().zone());
    ca.Sweep(roots.state().view());
  });
  (*dns)->SetZone(roots.state().zone());
  (*dns)->Start();
  (*api)->Start();
  Log("helper for forest '" + o.forest_name + "': DNS on [" + listen + "]:" + std::to_string((*dns)->port()) +
      " (udp, tcp), API on http://[" + listen + "]:" + std::to_string((*api)->port()));
  Log(serve::DescribeFdLimit(fds) + "; connections: http " + serve::Describe((*api)->limits()) +
      "; dns tcp " + serve::Describe((*dns)->tcp_limits()));
  // Names follow liveness (helper/root_leases.h): checked every second.
  boost::asio::steady_timer leases(io);
  std::function<void()> tick = [&] {
    leases.expires_after(std::chrono::seconds(1));
    leases.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      roots.ExpireRoots();
      tick();
    });
  };
  tick();
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int sig) {
    Log("signal " + std::to_string(sig) + ": stopping");
    leases.cancel();
    (*api)->Stop();
    io.stop();
  });
  std::thread dns_thread([&] { dns_io.run(); });
  io.run();
  // The DNS server's sockets belong to its thread: stop that first.
  dns_io.stop();
  dns_thread.join();
  (*dns)->Stop();
  return 0;
}

}  // namespace forest::helper
