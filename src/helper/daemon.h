// forestd --role helper: the forest's publication API and authoritative DNS
// for .incus, on the plan's helper address. Roots publish their exports
// (helper/publication.h), nodes get certificates (helper/ca_service.h); the
// merged view is answered by DNS on a thread of its own. Runs until SIGINT
// or SIGTERM. cli/forestd.cc turns the flags into these options.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "helper/root_leases.h"
#include "plan/plan.h"

namespace forest::helper {

struct HelperOptions {
  std::string state = "/var/lib/forestd";  // last valid root exports, serial, ca/
  std::string listen;                      // default: the plan's helper address
  uint16_t dns_port = 53;
  uint16_t http_port = 8053;
  std::chrono::milliseconds root_lease = kDefaultRootLease;
  std::string forest_name;  // for the log
};

// Returns the process's exit code.
int RunHelper(const plan::Plan& plan, const HelperOptions& o);

}  // namespace forest::helper
