#include "cli/app.h"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "base/strings.h"
#include "base/version.h"
#include "cli/command.h"
#include "cli/idmap_cmd.h"
#include "render/writer.h"

namespace forest::cli {

void Context::Fail(const Error& e) {
  err << "forest: error: " << e.message << "\n";
  exit_code = 1;
}

const std::vector<CommandSpec>& ForestCommands() {
  static const std::vector<CommandSpec> commands = {
      {"plan", "print the address plan: prefixes, uplinks, canonical names, aliases", AddPlanCommand},
      {"generate", "write a deterministic materialization (profiles, cloud-init, scripts)",
       AddGenerateCommand},
      {"topology", "check a topology file, print the forest.yaml key reference", AddTopologyCommand},
      {"registration", "check and merge registration exports offline", AddRegistrationCommand},
      {"image", "build the node and workload images (cached by recipe hash)", AddImageCommand},
      {"doctor", "explain what this host lacks for `forest up` and how to fix it", AddDoctorCommand},
      {"up", "build or converge the topology on this Incus host", AddUpCommands},
      {"tree", "names: the forest's names and aliases; host DNS; service names inside nodes",
       AddNameCommands},
      {"xlat", "(inside a node) 464XLAT: the CLAT sidecar or the DNS64/NAT64 edge", AddXlatCommand},
      {"shell", "a jail for AI coding agents on a workspace (its own node)", AddShellCommand},
      {"idmap", "(inside a node) a shared folder's owner for a nested child (the incus shim)",
       AddIdmapCommand},
      {"ca", "trust: stage the host's mkcert root on the helper; issue and deploy certificates",
       AddTrustCommands},
  };
  return commands;
}

int RunForest(int argc, char** argv) {
  Context ctx{std::cout, std::cerr, 0, {}};
  CLI::App app{"forest: a forest of host-like Incus containers with routed IPv6, names and certificates"};
  app.set_version_flag("--version", std::string("forest ") + kVersion);
  app.require_subcommand(1);
  app.footer("Run 'forest COMMAND --help' for a command's options.");
  for (const auto& c : ForestCommands()) c.add(app, ctx);
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    for (const auto& a : sub->get_aliases()) names.push_back(a);
  }
  // A word that is not a command gets a suggestion instead of CLI11's generic error.
  if (argc > 1 && argv[1][0] != '-') {
    std::string word = argv[1];
    if (std::find(names.begin(), names.end(), word) == names.end() && word != "help") {
      std::string hint = SuggestClosest(word, names);
      std::cerr << "forest: '" << word << "' is not a forest command.";
      if (!hint.empty()) std::cerr << " Did you mean '" << hint << "'?";
      std::cerr << "\nCommands: " << JoinComma(names) << ". See 'forest --help'.\n";
      return 2;
    }
  }

  if (argc == 2 && std::string(argv[1]) == "help") {
    std::cout << app.help();
    return 0;
  }
  // Everything after "--" belongs to the command run by exec/ssh, untouched.
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--") {
      ctx.tail.assign(argv + i + 1, argv + argc);
      argc = i;
      break;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // A daemon answer of an unexpected shape (a JSON type mismatch, say)
    // must end in a message, not an abort.
    std::cerr << "forest: error: unexpected data: " << e.what() << "\n";
    return 1;
  }
  return ctx.exit_code;
}

}  // namespace forest::cli
