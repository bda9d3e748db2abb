// forestd: the daemon. Its roles (helper, node, edge) arrive with the naming,
// trust and IPv4 planes; until then it refuses them clearly.
#include <iostream>

#include "base/version.h"
#include "cli/app.h"
#include "cli/command.h"

namespace forest::cli {

int RunForestd(int argc, char** argv) {
  CLI::App app{"forestd: the forest daemon (helper, node and edge roles)"};
  app.set_version_flag("--version", std::string("forestd ") + kVersion);
  std::string role;
  bool edge = false;
  app.add_option("--role", role, "helper | node")->check(CLI::IsMember({"helper", "node"}))->required();
  app.add_flag("--edge", edge, "with --role node: also run DNS64 + NAT64 (root only)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::cerr << "forestd: error: role '" << role << (edge ? " --edge" : "")
            << "' is not part of forestd " << kVersion
            << " yet; this build provides the offline core only (forest plan, generate, registration)\n";
  return 2;
}

}  // namespace forest::cli
