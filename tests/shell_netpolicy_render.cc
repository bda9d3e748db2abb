// Test driver for tests/shell_netpolicy_test.sh: reads a JSON description of
// the plumbing and the jails on stdin and prints shell::RenderTable's text.
//   {"table": "t", "plumbing": {"host_ipv4": "...", "host_ipv6": "...",
//    "helper_ipv6": "...", "dns_upstreams": ["..."]},
//    "jails": [{"name": "a", "mode": "restricted|allowlist|open",
//               "ipv4": "...", "ipv6": ["..."], "allow4": ["..."], "allow6": ["..."]}]}
#include <iostream>
#include <nlohmann/json.hpp>

#include "shell/netpolicy.h"

using nlohmann::json;
using namespace forest::shell;

namespace {

NetMode ParseMode(const std::string& s) {
  if (s == "restricted") return NetMode::kRestricted;
  if (s == "allowlist") return NetMode::kAllowlist;
  if (s == "open") return NetMode::kOpen;
  throw std::runtime_error("unknown mode '" + s + "' (restricted, allowlist, open)");
}

}  // namespace

int main() {
  try {
    json in = json::parse(std::cin);
    const json& p = in.value("plumbing", json::object());
    Plumbing plumbing;
    plumbing.host_ipv4 = p.value("host_ipv4", "");
    plumbing.host_ipv6 = p.value("host_ipv6", "");
    plumbing.helper_ipv6 = p.value("helper_ipv6", "");
    plumbing.dns_upstreams = p.value("dns_upstreams", std::vector<std::string>{});
    std::vector<JailNet> jails;
    for (const json& j : in.value("jails", json::array())) {
      JailNet n;
      n.name = j.at("name").get<std::string>();
      n.mode = ParseMode(j.value("mode", "restricted"));
      n.ipv4 = j.value("ipv4", "");
      n.ipv6 = j.value("ipv6", std::vector<std::string>{});
      n.allow4 = j.value("allow4", std::vector<std::string>{});
      n.allow6 = j.value("allow6", std::vector<std::string>{});
      jails.push_back(std::move(n));
    }
    std::cout << RenderTable(in.at("table").get<std::string>(), plumbing, jails);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "shell_netpolicy_render: " << e.what() << "\n";
    return 2;
  }
}
