#include "cli/app.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "base/files.h"
#include "base/invoker.h"
#include "base/strings.h"
#include "base/version.h"
#include "cli/command.h"
#include "render/writer.h"

namespace forest::cli {

void Context::Fail(const Error& e) {
  err << "forest: error: " << e.message << "\n";
  exit_code = 1;
}

const std::vector<CommandSpec>& ForestCommands() {
  static const std::vector<CommandSpec> commands = {
      {"plan", "print the address plan: prefixes, uplinks, canonical names, aliases", AddPlanCommand},
      {"generate", "write a deterministic materialization (profiles, cloud-init, scripts)", AddGenerateCommand},
      {"topology", "check a topology file, print the forest.yaml key reference", AddTopologyCommand},
      {"registration", "check and merge registration exports offline", AddRegistrationCommand},
      {"image", "build the node and workload images (cached by recipe hash)", AddImageCommand},
      {"doctor", "explain what this host lacks for `forest up` and how to fix it", AddDoctorCommand},
      {"up", "build or converge the topology on this Incus host", AddUpCommands},
      {"tree", "names: the forest's names and aliases; host DNS; service names inside nodes", AddNameCommands},
      {"xlat", "(inside a node) 464XLAT: the CLAT sidecar or the DNS64/NAT64 edge", AddXlatCommand},
      {"shell", "a jail for AI coding agents on a workspace (its own node)", AddShellCommand},
      {"ca", "trust: stage the host's mkcert root on the helper; issue and deploy certificates", AddTrustCommands},
  };
  return commands;
}

Result<std::unique_ptr<Loaded>> LoadAndPlan(const std::string& path, const plan::SlotMemory& slots) {
  auto loaded = std::make_unique<Loaded>();
  FOREST_ASSIGN_OR_RETURN(loaded->text, ReadFile(path, topology::kMaxInputBytes));
  FOREST_ASSIGN_OR_RETURN(loaded->topology, topology::Parse(loaded->text, path));
  // The plan keeps pointers into the topology, which now lives at a stable address.
  FOREST_ASSIGN_OR_RETURN(loaded->plan, plan::MakePlan(loaded->topology, slots));
  return loaded;
}

Result<std::unique_ptr<Loaded>> LoadNodeInputs(const std::string& dir) {
  FOREST_ASSIGN_OR_RETURN(auto slots, render::ReadSlotMemory(dir));
  return LoadAndPlan(dir + "/topology.yaml", slots);
}

Result<ThisNode> LoadThisNode(const std::string& dir) {
  std::string self_file = dir + "/self";
  auto self_name = ReadFile(self_file);
  if (!self_name.ok()) {
    return MakeError(self_file + ": cannot read this node's name (" + self_name.error().message +
                     "); run this inside a forest node that `forest up` converged");
  }
  std::string name = *self_name;
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
  ThisNode n;
  FOREST_ASSIGN_OR_RETURN(n.loaded, LoadNodeInputs(dir));
  n.self = n.loaded->plan.FindNode(name);
  if (!n.self) return MakeError(self_file + ": " + name + " is not a node of " + dir + "/topology.yaml");
  return n;
}

std::string SelfBinary() {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

std::string HostAuthorizedKeys() {
  namespace fs = std::filesystem;
  std::string keys;
  if (std::getenv("SSH_AUTH_SOCK")) {
    FILE* p = popen("ssh-add -L 2>/dev/null", "r");
    if (p) {
      char buf[8192];
      while (fgets(buf, sizeof buf, p)) {
        std::string line(buf);
        if (line.rfind("ssh-", 0) == 0 || line.rfind("ecdsa-", 0) == 0) keys += line;
      }
      pclose(p);
    }
  }
  // The invoking user's keys: under sudo from their passwd home, whatever
  // HOME `sudo` or `sudo -E` left.
  const char* env_home = std::getenv("HOME");
  std::string home_dir = env_home ? env_home : "";
  if (auto me = CurrentInvoker(); me.ok() && me->sudo) home_dir = me->home;
  const char* home = home_dir.empty() ? nullptr : home_dir.c_str();
  if (home) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(home) / ".ssh", ec)) {
      if (e.path().extension() == ".pub" && e.path().filename().string().rfind("id_", 0) == 0) {
        if (auto r = ReadFile(e.path().string()); r.ok()) keys += *r;
      }
    }
  }
  return keys;
}

std::string StateRoot() {
  const char* d = std::getenv("FOREST_STATE_DIR");
  return d && *d ? d : "/var/lib/forest";
}

Result<std::vector<Known>> KnownForests() {
  std::vector<Known> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(StateRoot(), ec)) {
    std::string topo = (e.path() / "topology.yaml").string();
    if (!std::filesystem::exists(topo)) continue;
    FOREST_ASSIGN_OR_RETURN(auto slots, render::ReadSlotMemory(e.path().string()));
    FOREST_ASSIGN_OR_RETURN(auto loaded, LoadAndPlan(topo, slots));
    out.push_back({e.path().string(), std::move(loaded)});
  }
  std::sort(out.begin(), out.end(), [](const Known& a, const Known& b) { return a.dir < b.dir; });
  return out;
}

Result<Known> FindForest(const std::string& name) {
  FOREST_ASSIGN_OR_RETURN(auto all, KnownForests());
  std::vector<std::string> names;
  for (auto& k : all) {
    names.push_back(k.loaded->topology.name);
    if (!name.empty() && k.loaded->topology.name == name) return std::move(k);
  }
  if (name.empty() && all.size() == 1) return std::move(all[0]);
  if (all.empty()) {
    return MakeError("no forest brought up here (" + StateRoot() + "); run `forest up FILE` first");
  }
  return MakeError((name.empty() ? std::string("several forests here") : "no forest named '" + name + "' here") +
                   " (" + JoinComma(names) + "); name one");
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
