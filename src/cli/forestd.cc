// forestd's command line: `--role helper` runs the helper daemon
// (helper/daemon.h: the forest's publication API and authoritative DNS for
// .incus), `--role node` the node daemon (node/daemon.h: the node agent, its
// DNS and API, the 464XLAT wiring). This file only turns flags into their
// options and hands them the plan of --dir.
#include <csignal>
#include <iostream>

#include "api/paths.h"
#include "base/version.h"
#include "cli/app.h"
#include "cli/command.h"
#include "helper/daemon.h"
#include "node/daemon.h"

namespace forest::cli {

int RunForestd(int argc, char** argv) {
  CLI::App app{"forestd: the forest daemon (helper and node roles)"};
  app.set_version_flag("--version", std::string("forestd ") + kVersion);
  std::string role;
  bool edge = false;
  helper::HelperOptions h;
  node::NodeDaemonOptions n;
  std::string dir = n.dir, listen;
  std::string state;
  int dns_port = -1, http_port = api::kPort;
  app.add_option("--role", role, "helper | node")->check(CLI::IsMember({"helper", "node"}))->required();
  app.add_flag("--edge", edge,
               "with --role node: this node is the edge (DNS64 + NAT64); the topology must say so too");
  app.add_option("--self", n.self, "with --role node: this node's canonical name");
  app.add_option("--dir", dir, "directory with topology.yaml and slots.json")->capture_default_str();
  app.add_option("--state", state, "state directory (default /var/lib/forestd)");
  app.add_option("--listen", listen,
                 "address to serve on (default: the helper address of the plan, or the node's LAN address)");
  app.add_option("--dns-port", dns_port, "DNS port, udp and tcp (default 53 for the helper, 5353 for a node; 0 picks one)");
  app.add_option("--http-port", http_port, "API port (0 picks one)")->capture_default_str();
  app.add_option("--repair-seconds", n.repair_seconds, "with --role node: full repair period")->capture_default_str();
  double lease_seconds = helper::kDefaultRootLease.count() / 1000.0;
  app.add_option("--root-lease-seconds", lease_seconds,
                 "with --role helper: a root that has not published for this long loses its names")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (role == "node" && n.self.empty()) {
    std::cerr << "forestd: error: --role node needs --self <canonical name>, e.g. --self c0-2.c0.incus\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  // The inputs `forest up` installed: DIR/topology.yaml planned with DIR/slots.json.
  auto loaded = LoadNodeInputs(dir);
  if (!loaded.ok()) {
    std::cerr << "forestd: error: " << loaded.error().message << std::endl;
    return 1;
  }
  if (role == "helper") {
    if (!state.empty()) h.state = state;
    h.listen = listen;
    h.dns_port = static_cast<uint16_t>(dns_port < 0 ? 53 : dns_port);
    h.http_port = static_cast<uint16_t>(http_port);
    h.root_lease = std::chrono::milliseconds(static_cast<long>(lease_seconds * 1000));
    h.forest_name = (*loaded)->topology.name;
    return helper::RunHelper((*loaded)->plan, h);
  }
  n.dir = dir;
  n.edge = edge;
  if (!state.empty()) n.state = state;
  n.listen = listen;
  n.dns_port = static_cast<uint16_t>(dns_port < 0 ? api::kNodeDnsPort : dns_port);
  n.http_port = static_cast<uint16_t>(http_port);
  return node::RunNode((*loaded)->plan, n);
}

}  // namespace forest::cli
