// The command table of `forest`: each command group registers its CLI11
// subcommands; callbacks report through the shared context.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "base/result.h"
#include "plan/plan.h"
#include "topology/topology.h"

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

// Loads a topology file and computes its plan (with remembered slots).
struct Loaded {
  std::string text;  // the file's bytes, as parsed
  topology::Topology topology;
  plan::Plan plan;
};
Result<std::unique_ptr<Loaded>> LoadAndPlan(const std::string& path, const plan::SlotMemory& slots = {});

}  // namespace forest::cli
