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

// Loads a topology file and computes its plan (with remembered slots).
struct Loaded {
  std::string text;  // the file's bytes, as parsed
  topology::Topology topology;
  plan::Plan plan;
};
Result<std::unique_ptr<Loaded>> LoadAndPlan(const std::string& path, const plan::SlotMemory& slots = {});

// A node's (or the helper's) inputs as `forest up` installs them: DIR/topology.yaml
// planned with the slot memory in DIR/slots.json.
Result<std::unique_ptr<Loaded>> LoadNodeInputs(const std::string& dir);

// Inside a node: its plan, and `self` as DIR/self names it (written by `forest up`).
struct ThisNode {
  std::unique_ptr<Loaded> loaded;
  const plan::NodePlan* self = nullptr;
};
Result<ThisNode> LoadThisNode(const std::string& dir);

// This program's path (/proc/self/exe), installed into every node.
std::string SelfBinary();
// The host's public keys that may log in as root in every node: the
// ssh-agent's keys and ~/.ssh/id_*.pub of the invoking user.
std::string HostAuthorizedKeys();

// Where `up` keeps each forest's topology and slots ($FOREST_STATE_DIR or /var/lib/forest).
std::string StateRoot();

// A forest `up` remembered: its state directory holds topology.yaml and slots.json.
struct Known {
  std::string dir;
  std::unique_ptr<Loaded> loaded;
};
Result<std::vector<Known>> KnownForests();
// The forest named `name`, or the only one when `name` is empty; the error
// lists the forests there are.
Result<Known> FindForest(const std::string& name);

// A node or workload of a known forest, with the instance path to it.
struct Found {
  const Known* forest = nullptr;
  const plan::NodePlan* node = nullptr;
  const plan::WorkloadPlan* workload = nullptr;
  std::vector<std::string> path;  // instance names from the host down
};
// NODE is a canonical name ("c0-2-1.c0-2.c0.incus"), or a label when unique.
Result<Found> FindNode(const std::vector<Known>& forests, const std::string& name);
// Finds NODE among the forests brought up here; `forests` keeps them alive.
Result<Found> Locate(const std::string& node, std::vector<Known>& forests);
// Streams a command's output to the terminal as it arrives.
incus::OutputSink StreamTo(Context& ctx);
// The host's Incus, in the forest's project.
incus::Client HostClient(const topology::Topology& t);

}  // namespace forest::cli
