// forestd --role node: the node agent. It computes this node's own records
// from its local Incus and the registrations file, pulls each direct child's
// export, merges (node/reconcile.h), saves the result atomically and passes
// it upward: a poke to the parent's forestd, or, at a root, a publication to
// the helper. It runs when poked (a child's change, a local registration, an
// Incus lifecycle event) and does a full repair every `repair_interval`.
// Its Incus (node/local_incus.h), the other forestds (api/forestd_client.h)
// and its clock (base/clock.h) come in as parameters; agent_test.cc runs its
// rounds with fakes of all three.
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

#include "api/forestd_client.h"
#include "base/clock.h"
#include "dns/zone.h"
#include "node/child_pulls.h"
#include "node/local_incus.h"
#include "node/local_records.h"
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
  // The exec fallback's and every incusd call's deadlines are the Incus
  // client's (node/local_incus.h IncusLocalOptions); the hops' are the
  // forestd client's (api/forestd_client.h).
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

  // `self` points into `plan`; they, `incus`, `forestd` and `clock` outlive the agent.
  Agent(AgentOptions o, const plan::Plan& plan, const plan::NodePlan& self, LocalIncus& incus,
        api::ForestdClient& forestd, const Clock& clock, Logger log, ZoneSink zone);

  // Last good child exports and the last export from disk (checked again).
  void LoadState();

  // Thread-safe triggers. A child label pulls that child; "" recomputes
  // this node's own records only.
  void Poke(const std::string& child_label);
  void Repair();

  // Reconciliation loop; returns when `stop` is set (call Wake() after).
  void Run(const std::atomic<bool>& stop);
  // Runs one round if one is due now (poked, retry or repair time reached
  // on the clock); false when none is. Never waits: for tests and the loop.
  bool RunDueRound();
  // Incus lifecycle events of instances → Poke(""); reconnects until `stop`.
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
  // Under mu_: whether a round is due at `now`, and when the next one is.
  bool Due(Clock::TimePoint now);
  Round TakeRound();  // under mu_
  void RunRound(const Round& r);
  Result<std::string> PullChild(const plan::NodePlan& child);
  Millis Now() const;
  bool PassUpward(bool changed);
  std::vector<Service> Registrations();

  AgentOptions o_;
  const plan::Plan& plan_;
  const plan::NodePlan& self_;
  LocalIncus& incus_;
  api::ForestdClient& forestd_;
  const Clock& clock_;
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
  Clock::TimePoint next_repair_;
  Clock::TimePoint next_probe_;
  Clock::TimePoint retry_at_ = Clock::TimePoint::max();
  int upward_backoff_ms_ = 0;
  AgentCounters counters_;
  Clock::TimePoint epoch_;
  // Last: its threads call Poke, so it goes first.
  std::unique_ptr<ChildPulls> pulls_;
};

}  // namespace forest::node
