// forestd --role node: the node agent. It computes this node's own records
// from its local Incus and the registrations file, pulls each direct child's
// export, merges (node/reconcile.h), saves the result atomically and passes
// it upward: a poke to the parent's forestd, or, at a root, a publication to
// the helper. It runs when poked (a child's change, a local registration, an
// Incus lifecycle event) and does a full repair every `repair_interval`.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "dns/zone.h"
#include "incus/client.h"
#include "node/child_pulls.h"
#include "node/local_records.h"
#include "node/ports.h"
#include "node/reconcile.h"
#include "plan/plan.h"

namespace forest::serve {
class MetricsText;
}

namespace forest::node {

inline constexpr char kStateDir[] = "/var/lib/forestd";
inline constexpr char kRegistrationsFile[] = "local-records.json";
inline constexpr char kExportFile[] = "export.json";

// The registrations file in `state_dir` (none yet: empty). Errors name the file.
Result<std::vector<Service>> ReadRegistrations(const std::string& state_dir);

// Every network call of a round has a deadline, and a round waits for its
// children no longer than `round_budget` (docs/forestd.md, Deadlines).
struct AgentOptions {
  std::string state_dir = kStateDir;
  std::chrono::milliseconds repair_interval = std::chrono::seconds(30);
  // Names follow liveness: a child that does not run, or does not answer,
  // for this long loses its names until it answers again.
  std::chrono::milliseconds liveness_bound = kDefaultLivenessBound;
  // Every running child is pulled at least this often (and a root publishes
  // to the helper this often, which is the helper's sign of its liveness).
  std::chrono::milliseconds probe_interval = std::chrono::seconds(10);
  std::chrono::milliseconds round_budget = std::chrono::seconds(1);
  std::chrono::milliseconds pull_timeout = std::chrono::seconds(2);  // GET /v1/export
  std::chrono::milliseconds exec_timeout = std::chrono::seconds(5);  // the exec fallback, then killed
  std::chrono::milliseconds incus_timeout = std::chrono::seconds(10);  // any local incusd call
  uint16_t api_port = kApiPort;
  std::string forest_binary = "/opt/forest/current/bin/forest";  // in children, for the exec pull
};

// Biggest child export read, by either path (a flooding child gets an error).
inline constexpr size_t kMaxChildExport = 16u << 20;

struct AgentCounters {
  std::atomic<uint64_t> rounds{0}, repairs{0}, pulls{0}, pull_failures{0}, rejected{0};
  std::atomic<uint64_t> upward_ok{0}, upward_failures{0}, withdrawn{0}, pulls_late{0};
};

class Agent {
 public:
  using Logger = std::function<void(const std::string&)>;
  using ZoneSink = std::function<void(std::shared_ptr<const dns::Zone>)>;

  // `self` points into `plan`; both outlive the agent.
  Agent(AgentOptions o, const plan::Plan& plan, const plan::NodePlan& self, Logger log, ZoneSink zone);

  // Last good child exports and the last export from disk (checked again).
  void LoadState();

  // Thread-safe triggers. A child label pulls that child; "" recomputes
  // this node's own records only.
  void Poke(const std::string& child_label);
  void Repair();

  // Reconciliation loop; returns when `stop` is set (call Wake() after).
  void Run(const std::atomic<bool>& stop);
  // Incus lifecycle events → Poke(""); reconnects until `stop`.
  void WatchIncus(const std::atomic<bool>& stop);
  void Wake();

  std::string ExportText() const;
  nlohmann::json StatusJson() const;
  void AddMetrics(serve::MetricsText& m) const;

 private:
  struct Round {
    bool repair = false;
    bool probe = false;  // pull every running child; a root publishes
    std::set<std::string> children;
  };
  Round TakeRound(const std::atomic<bool>& stop);
  void RunRound(const Round& r);
  Result<std::string> PullChild(const plan::NodePlan& child);
  Millis Now() const;
  bool PassUpward(bool changed);
  std::vector<Service> Registrations();

  AgentOptions o_;
  const plan::Plan& plan_;
  const plan::NodePlan& self_;
  Logger log_;
  ZoneSink zone_sink_;
  Reconciler reconciler_;
  std::map<std::string, const plan::NodePlan*> children_;  // label → plan
  std::set<std::string> child_labels_;                     // the same labels

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool repair_due_ = true;
  std::set<std::string> poked_;
  bool local_poked_ = false;
  std::string export_text_;
  std::vector<std::string> waiting_;
  std::chrono::steady_clock::time_point next_repair_;
  std::chrono::steady_clock::time_point next_probe_;
  std::chrono::steady_clock::time_point retry_at_ = std::chrono::steady_clock::time_point::max();
  int upward_backoff_ms_ = 0;
  AgentCounters counters_;
  std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
  // Last: its threads call Poke, so it goes first.
  std::unique_ptr<ChildPulls> pulls_;
};

}  // namespace forest::node
