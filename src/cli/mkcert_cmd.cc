// `mkcert` in a forest node: the forest binary under mkcert's name. It speaks
// mkcert's command line, keeps the key on this node and has the certificate
// signed by the helper's CA broker (DESIGN.md, Trust). Settings come from
// /etc/forest/mkcert.json ($FOREST_MKCERT_CONFIG), which `forest up` writes
// (node/ca_client.h). What each command does is node/mkcert_tool.h; this
// file only picks the command.
#include <iostream>

#include "base/version.h"
#include "cli/app.h"
#include "node/ca_client.h"
#include "node/mkcert_tool.h"
#include "trust/mkcert_args.h"

namespace forest::cli {
namespace {

int Die(const std::string& message) {
  std::cerr << "ERROR: " << message << "\n";
  return 1;
}

int ExitCode(const Status& s) { return s.ok() ? 0 : Die(s.error().message); }

}  // namespace

int RunMkcert(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = trust::ParseMkcertArgs(args);
  if (parsed.error) {
    std::cerr << parsed.error->message;
    return parsed.error->exit_code;
  }
  const trust::MkcertArgs& a = parsed.args;
  if (a.help) {
    std::cout << trust::MkcertUsage();
    return 0;
  }
  if (a.version) {
    std::cout << "forest " << kVersion << " (mkcert-compatible shim)\n";
    return 0;
  }
  node::MkcertEnv env = node::DefaultMkcertEnv();
  auto config = node::LoadCaEndpoint();
  if (a.caroot) {
    // mkcert prints the directory; ours also makes sure rootCA.pem is in it.
    if (config.ok()) {
      if (auto r = node::FetchRootInto(*config, env.caroot); !r.ok())
        std::cerr << "Warning: " << r.error().message << "\n";
    }
    std::cout << env.caroot << "\n";
    return 0;
  }
  if (!config.ok()) return Die(config.error().message);
  if (a.install) {
    if (int rc = ExitCode(node::InstallRoot(env, *config, std::cerr)); rc != 0) return rc;
    if (a.names.empty() && a.csr.empty()) return 0;
  } else if (a.uninstall) {
    return ExitCode(node::UninstallRoot(env, std::cerr));
  } else if (auto r = node::FetchRootInto(*config, env.caroot); !r.ok()) {
    return Die(r.error().message);
  }
  if (!a.csr.empty()) return ExitCode(node::SignCsrFile(*config, a, std::cerr));
  if (a.names.empty()) {
    std::cerr << trust::MkcertUsage();
    return 0;
  }
  return ExitCode(node::MakeCert(*config, a, std::cerr));
}

}  // namespace forest::cli
