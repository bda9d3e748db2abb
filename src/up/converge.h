// `forest up` / `forest down`: converge an Incus host (or, run inside a node,
// that node's own Incus) to the topology. Each level knows only itself, its
// workloads and its direct children; a node's children are converged by the
// forest binary inside that node (`forest node-up`), one hop at a time.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "base/process.h"
#include "base/result.h"
#include "incus/client.h"
#include "incus/exec_stream.h"
#include "plan/plan.h"
#include "topology/topology.h"

namespace forest::up {

using Progress = std::function<void(const std::string&)>;

// Where a level gets its images from: the parent's Incus over https.
struct ParentInfo {
  std::string server;       // https://[addr]:8443
  std::string certificate;  // the parent's server certificate (PEM)
  std::string project;      // the parent's project holding the images
  std::string node_image;   // fingerprints
  std::string workload_image;
  bool operator==(const ParentInfo&) const = default;
};
nlohmann::json ToJson(const ParentInfo& p);
Result<ParentInfo> ParentInfoFromJson(const std::string& text, const std::string& file);

struct Options {
  std::string topology_text;   // pushed to every node
  plan::SlotMemory slots;      // pushed to every node
  std::string self_binary;     // this program, installed into every node
  std::string authorized_keys; // root's authorized_keys in every node and workload
  bool guard_uplink = false;   // test hygiene: drop forest traffic to the uplink
  // How long a pool or bridge that is Pending in Incus may take to finish
  // before `up` takes its create for abandoned (an `up` killed during it).
  std::chrono::milliseconds settle{10000};
  // The ssh-agent socket this level relays to children that opted in (the
  // host's $SSH_AUTH_SOCK; inside a node, the relay its parent made).
  std::string agent_socket;
  Progress progress;
  // The host's mkcert CAROOT: its root is made there if absent and staged
  // into the helper ("" = leave the helper's CA alone).
  std::string caroot;
  // Where the host level remembers what it changed outside its project
  // (host.json); the CLI's state directory for this forest.
  std::string state_dir;
  // Host level only: converge just these roots (by label; empty = all). The
  // others are left as they are (forest shell adds one jail at a time).
  std::vector<std::string> only_roots;
  // Every program this level starts (nft, ip, systemctl, the node's
  // scripts) goes through it; nullptr: SystemRunner().
  ProcessRunner* runner = nullptr;
};

// On the outer host: storage, bridge, guard, project, images, profiles,
// helper, roots (and through them, everything below).
Status UpHost(incus::Client& host, const topology::Topology& t, const plan::Plan& plan,
              const Options& o);

// Inside node `self`: prepare the node, its Incus, images from the parent,
// profiles, workloads and children.
Status UpNode(incus::Client& local, const topology::Topology& t, const plan::Plan& plan,
              const plan::NodePlan& self, const ParentInfo& parent, const Options& o);

// Removes everything `up` made in the project, also after a failed up.
// `state_dir` is the one `up` was given (Options::state_dir).
Status DownHost(incus::Client& host, const topology::Topology& t, const std::string& state_dir,
                const Progress& progress, ProcessRunner* runner = nullptr);

// Waits until systemd in the instance finished booting (running or
// degraded); an error after about 60 s.
Status WaitBooted(incus::Client& c, const std::string& name);

// Runs `argv` inside the node at `path` (labels from the root down, e.g.
// {"c0","c0-2","c0-2-1"}) by hopping through each level's forest binary.
// Output streams to `sink` while the command runs; returns the exit code.
// Its stdin is /dev/null, or what `stdin_fd` gives (every hop passes its own on).
Result<int> ExecPath(incus::Client& c, const std::vector<std::string>& path,
                     const std::vector<std::string>& argv, const incus::OutputSink& sink, int stdin_fd = -1);

// Tree of what runs at this level and below (JSON), for `forest status`.
Result<nlohmann::json> StatusTree(incus::Client& c, bool recurse);

inline constexpr char kBinaryPath[] = "/opt/forest/current/bin/forest";
inline constexpr char kNodeDir[] = "/etc/forest";
inline constexpr char kAgentSocket[] = "/opt/forest/ssh-agent.sock";

}  // namespace forest::up
