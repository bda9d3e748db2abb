// forestd's roles (cli/forestd.cc parses the command line).
#pragma once

#include <cstdint>
#include <string>

namespace forest::cli {

struct NodeDaemonOptions {
  std::string dir = "/etc/forest";         // topology.yaml, slots.json
  std::string state = "/var/lib/forestd";  // registrations, child exports, own export
  std::string self;                        // this node's canonical name
  std::string listen;                      // default: the node's LAN address
  uint16_t dns_port = 5353;
  uint16_t http_port = 8053;
  double repair_seconds = 30;
  bool edge = false;                       // --edge: refuse to start unless the plan makes self the edge
};

int RunNode(const NodeDaemonOptions& o);

}  // namespace forest::cli
