#include "up/ssh_node.h"

#include "up/converge.h"

namespace forest::up {

Result<std::string> SshAddress(incus::Client& host, const Found& found) {
  if (found.node) return found.node->node_address.ToString();
  std::string out;
  FOREST_ASSIGN_OR_RETURN(int rc, ExecPath(host, found.path,
                                           {"sh", "-c",
                                            "ip -6 -o addr show scope global dev eth0 | "
                                            "awk '{print $4}' | cut -d/ -f1 | head -n1"},
                                           [&](int fd, std::string_view b) {
                                             if (fd == 1) out.append(b);
                                           }));
  std::string address = out.substr(0, out.find('\n'));
  if (rc != 0 || address.empty()) {
    return MakeError(found.path.back() + " has no global IPv6 address yet (is it running? `forest status`)");
  }
  return address;
}

std::vector<std::string> SshArgv(const std::string& forest_dir, const std::string& address,
                                 const std::vector<std::string>& command) {
  std::vector<std::string> argv = {"ssh",
                                   "-o",
                                   "StrictHostKeyChecking=accept-new",
                                   "-o",
                                   "UserKnownHostsFile=" + forest_dir + "/known_hosts",
                                   "-o",
                                   "ConnectTimeout=10",
                                   "root@" + address};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

}  // namespace forest::up
