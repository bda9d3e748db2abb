// The command table of `forest`: each command group registers its CLI11
// subcommands; callbacks report through the shared context.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "base/result.h"
#include "incus/client.h"
#include "incus/exec_stream.h"
#include "plan/plan.h"
#include "topology/topology.h"
#include "up/inputs.h"
#include "up/registry.h"

namespace forest::cli {

struct Context {
  std::ostream& out;
  std::ostream& err;
  int exit_code = 0;
  // Words after the first "--" on the command line (the command of `exec`).
  std::vector<std::string> tail;

  // Prints "forest: error: <message>" and sets exit code 1.
  void Fail(const Error& e);
};

struct CommandSpec {
  const char* name;
  const char* summary;
  void (*add)(CLI::App& app, Context& ctx);
};

// Every top-level command of `forest`, in help order.
const std::vector<CommandSpec>& ForestCommands();

// Command groups (one file each).
void AddPlanCommand(CLI::App& app, Context& ctx);
void AddGenerateCommand(CLI::App& app, Context& ctx);
void AddRegistrationCommand(CLI::App& app, Context& ctx);
void AddTopologyCommand(CLI::App& app, Context& ctx);
void AddUpCommands(CLI::App& app, Context& ctx);
void AddImageCommand(CLI::App& app, Context& ctx);
void AddDoctorCommand(CLI::App& app, Context& ctx);
void AddNameCommands(CLI::App& app, Context& ctx);
void AddTrustCommands(CLI::App& app, Context& ctx);
void AddXlatCommand(CLI::App& app, Context& ctx);
void AddShellCommand(CLI::App& app, Context& ctx);

// Inputs and the registry of remembered forests live in up/ (up/inputs.h,
// up/registry.h); the commands use them by these names.
using up::LoadAndPlan;
using up::Loaded;
using up::LoadNodeInputs;
using up::LoadThisNode;
using up::ThisNode;

using up::FindForest;
using up::FindNode;
using up::Found;
using up::Known;
using up::KnownForests;
using up::Locate;
using up::StateRoot;

// Streams a command's output to the terminal as it arrives.
incus::OutputSink StreamTo(Context& ctx);

}  // namespace forest::cli
