#include "node/daemon.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <csignal>
#include <iostream>
#include <thread>

#include "api/forestd_client.h"
#include "base/clock.h"
#include "base/files.h"
#include "incus/client.h"
#include "node/agent.h"
#include "node/cert_deploy.h"
#include "node/local_incus.h"
#include "node/routes.h"
#include "plan/api_callers.h"
#include "serve/dns_server.h"
#include "serve/fd_limit.h"
#include "serve/http_server.h"
#include "serve/metrics.h"
#include "up/sweep_run.h"
#include "up/xlat_apply.h"
#include "xlat/xlat.h"

namespace forest::node {

namespace {

void Log(const std::string& line) { std::cerr << "forestd: " << line << std::endl; }

constexpr size_t kFixedFds = 256;  // files, Incus sockets, pulls, forwards besides served connections

// The node address sits on incusbr0, which incusd may still be creating.
template <typename Server, typename... Args>
std::unique_ptr<Server> ListenWithRetry(const std::atomic<bool>& stop, const char* what, Args&&... args) {
  for (int attempt = 0; !stop; ++attempt) {
    auto s = Server::Listen(std::forward<Args>(args)...);
    if (s.ok()) return std::move(*s);
    if (attempt % 30 == 0) Log(std::string(what) + ": " + s.error().message + " (retrying every second)");
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return nullptr;
}

std::atomic<bool> g_stop{false};

// Upkeep every repair period: the 464XLAT wiring (built at start, repaired
// when a piece went missing), and the certificates this node deployed into
// workloads: renewed before they expire, deployed again when a workload
// lost them (node/cert_deploy.h).
void Upkeep(const plan::Plan& plan, const plan::NodePlan& self, const NodeDaemonOptions& o,
            const Clock& clock) {
  trust::CaEndpoint ca{plan.helper_address.ToString(), kApiPort, self.canonical_name};
  // Every Incus call of the upkeep has a deadline: a hung workload or
  // daemon delays one pass, never the next.
  auto client = incus::Client::Local().WithTimeout(std::chrono::seconds(30));
  auto period = std::chrono::milliseconds(static_cast<long>(o.repair_seconds * 1000));
  std::vector<CertDeployment> declared;
  for (const auto& w : self.node->workloads) {
    if (!w.tls) continue;
    CertDeployment d;
    d.workload = w.name;
    d.services = w.services;
    declared.push_back(d);
  }
  while (!g_stop) {
    // What a failed start of a child or workload left behind (up/sweep.h).
    if (auto swept = up::SweepLocal(client, {}); !swept.ok()) {
      Log("sweep: " + swept.error().message);
    } else {
      for (const std::string& line : *swept) Log("sweep: " + line);
    }
    if (auto x = up::ApplyXlat(plan, self, "up"); !x.ok()) {
      Log("xlat: " + x.error().message);
    } else {
      for (const std::string& line : x->lines) Log(line);
    }
    for (const std::string& line : EnsureDeclared(client, ca, o.state, declared)) Log(line);
    for (const std::string& line : RenewDue(client, ca, o.state, clock.Unix())) Log(line);
    auto until = std::chrono::steady_clock::now() + period;
    while (!g_stop && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

}  // namespace

int RunNode(const plan::Plan& plan, const NodeDaemonOptions& o) {
  const plan::NodePlan* self = plan.FindNode(o.self);
  if (!self) {
    Log("error: --self " + o.self + " is not a node of " + o.dir + "/topology.yaml");
    return 1;
  }
  if (o.edge && !self->edge) {
    Log("error: --edge, but " + o.self + " is not an edge in " + o.dir +
        "/topology.yaml (only a root with `edge: true` runs DNS64 + NAT64)");
    return 1;
  }
  std::string listen = o.listen.empty() ? self->node_address.ToString() : o.listen;
  std::signal(SIGINT, [](int) { g_stop = true; });
  std::signal(SIGTERM, [](int) { g_stop = true; });

  boost::asio::io_context io;
  // Set before the agent's loop starts; only that loop swaps zones.
  dns::Server* dns_ptr = nullptr;
  // A leaf node with no deployments yet had no state directory, and every
  // save of its export failed until a first certificate made one.
  if (auto made = MakeDirs(o.state); !made.ok()) Log("cannot make " + o.state + ": " + made.error().message);
  AgentOptions ao;
  ao.state_dir = o.state;
  ao.repair_interval = std::chrono::milliseconds(static_cast<long>(o.repair_seconds * 1000));
  const Clock& clock = RealClock();
  IncusLocal incus;
  api::HttpForestdOptions fo;
  fo.port = o.http_port;
  api::HttpForestdClient forestd(fo);
  Agent agent(ao, plan, *self, incus, forestd, clock, Log,
              [&](std::shared_ptr<const dns::Zone> z) { dns_ptr->SetZone(std::move(z)); });
  agent.LoadState();
  // Until the first round: the saved export, else just this node.
  registration::Export start;
  if (auto parsed = registration::Parse(agent.ExportText()); parsed.ok()) start = *parsed;
  start.records.push_back({self->canonical_name, self->node_address});
  auto initial = std::make_shared<const dns::Zone>(NodeZone(start, *self), false);

  // Connection limits (docs/forestd.md); this node's neighbours keep a reserve.
  auto fds = serve::RaiseFdLimit();
  http::ServerOptions api_options;
  dns::TcpOptions dns_options;
  api_options.privileged = dns_options.privileged = serve::AnyOf(plan::NodeNeighbours(plan, *self));
  if (fds) serve::FitToFdLimit(fds->soft, kFixedFds, {&api_options.limits, &dns_options.limits});
  auto dns = ListenWithRetry<dns::Server>(g_stop, "dns", io, listen, o.dns_port, initial, dns_options);
  if (!dns) return 0;
  const http::Server* api_ptr = nullptr;  // for /metrics, set once listening
  auto server_metrics = [&dns, &api_ptr](serve::MetricsText& m) {
    serve::AddDnsStats(m, dns->stats());
    serve::AddConnectionStats(m, "dns_tcp", dns->tcp_stats(), dns->tcp_limits());
    if (api_ptr) serve::AddConnectionStats(m, "http", api_ptr->stats(), api_ptr->limits());
    serve::AddFdStats(m);
  };
  http::Router routes =
      NodeRoutes(agent, plan::NodeNeighbours(plan, *self), server_metrics);  // copied per attempt
  auto api = ListenWithRetry<http::Server>(g_stop, "http", io, listen, o.http_port, routes, api_options);
  if (!api) return 0;
  api_ptr = api.get();
  Log(serve::DescribeFdLimit(fds) + "; connections: http " + serve::Describe(api->limits()) + "; dns tcp " +
      serve::Describe(dns->tcp_limits()));
  namespace ip = boost::asio::ip;
  if (self->depth == 0) {
    dns->SetUpstream(ip::udp::endpoint(ip::make_address(plan.helper_address.ToString()), 53));
    // The edge: names outside the forest go to DNS64 (Unbound), which
    // synthesises AAAA under the NAT64 prefix for IPv4-only names.
    if (self->edge) dns->SetOutsideUpstream(ip::udp::endpoint(ip::make_address("::1"), xlat::kDns64Port));
  } else {
    const plan::NodePlan* parent = plan.FindNode(self->parent_canonical);
    dns->SetUpstream(ip::udp::endpoint(ip::make_address(parent->node_address.ToString()), o.dns_port));
  }
  dns_ptr = dns.get();
  dns->Start();
  api->Start();
  Log("node " + self->canonical_name + ": DNS on [" + listen + "]:" + std::to_string(dns->port()) +
      " (forwarding upward), API on http://[" + listen + "]:" + std::to_string(api->port()) +
      ", repair every " + std::to_string(o.repair_seconds) + " s");

  std::thread loop([&] { agent.Run(g_stop); });
  std::thread upkeep([&] { Upkeep(plan, *self, o, clock); });
  std::thread events([&] { agent.WatchIncus(g_stop); });
  events.detach();  // blocks in a read; the process ends with it
  std::thread io_thread([&] { io.run(); });
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Log("stopping");
  agent.Wake();
  loop.join();
  upkeep.join();
  dns->Stop();
  api->Stop();
  io.stop();
  io_thread.join();
  return 0;
}

}  // namespace forest::node
