#include "node/agent.h"

#include <filesystem>
#include <thread>

#include "api/node_api.h"
#include "base/files.h"
#include "serve/metrics.h"

namespace forest::node {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kWaitingRetry{500};  // a workload without an address yet
constexpr int kMaxBackoffMs = 8000;

// Service names the topology declares for this node's workloads.
std::vector<Service> TopologyServices(const plan::Plan& plan, const plan::NodePlan& self) {
  std::vector<Service> out;
  for (const auto& w : plan.workloads) {
    if (w.host_canonical != self.canonical_name) continue;
    for (const auto& s : w.service_names) {
      std::string tail = "." + self.canonical_name;
      if (s.size() > tail.size()) out.push_back({s.substr(0, s.size() - tail.size()), w.name});
    }
  }
  return out;
}

}  // namespace

Agent::Agent(AgentOptions o, const plan::Plan& plan, const plan::NodePlan& self, LocalIncus& incus,
             api::ForestdClient& forestd, const Clock& clock, Logger log, ZoneSink zone)
    : o_(std::move(o)),
      plan_(plan),
      self_(self),
      incus_(incus),
      forestd_(forestd),
      clock_(clock),
      log_(std::move(log)),
      zone_sink_(std::move(zone)),
      reconciler_(plan, self, o_.liveness_bound, o_.state_dir + "/children") {
  for (const auto& n : plan.nodes) {
    if (n.parent_canonical != self.canonical_name) continue;
    children_[n.label] = &n;
    child_labels_.insert(n.label);
  }
  epoch_ = clock_.Now();
  next_repair_ = clock_.Now();
  next_probe_ = clock_.Now() + o_.probe_interval;
  pulls_ = std::make_unique<ChildPulls>(
      [this](const std::string& label) { return PullChild(*children_.at(label)); },
      [this](const std::string& label) {
        ++counters_.pulls_late;
        Poke(label);  // its answer came after the round's budget: take it now
      });
}

Millis Agent::Now() const { return std::chrono::duration_cast<Millis>(clock_.Now() - epoch_); }

void Agent::LoadState() {
  for (const auto& line : reconciler_.Load().log) log_(line);
  if (auto text = ReadFile(o_.state_dir + "/" + kExportFile); text.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    export_text_ = *text;
  }
  log_("restored " + std::to_string(reconciler_.children().size()) + " saved child export(s)");
}

void Agent::Poke(const std::string& child_label) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (child_label.empty()) {
      local_poked_ = true;
    } else if (children_.count(child_label)) {
      poked_.insert(child_label);
    } else {
      return;
    }
  }
  cv_.notify_one();
}

void Agent::Repair() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    repair_due_ = true;
  }
  cv_.notify_one();
}

void Agent::Wake() { cv_.notify_all(); }

bool Agent::Due(Clock::TimePoint now) {
  if (now >= next_repair_) repair_due_ = true;
  return repair_due_ || local_poked_ || !poked_.empty() || now >= retry_at_ || now >= next_probe_;
}

Agent::Round Agent::TakeRound() {
  Clock::TimePoint now = clock_.Now();
  Round r;
  r.repair = repair_due_;
  r.probe = r.repair || now >= next_probe_;
  if (r.probe) next_probe_ = now + o_.probe_interval;
  r.children = std::move(poked_);
  poked_.clear();
  local_poked_ = false;
  repair_due_ = false;
  retry_at_ = Clock::TimePoint::max();
  if (r.repair) next_repair_ = now + o_.repair_interval;
  return r;
}

bool Agent::RunDueRound() {
  Round r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!Due(clock_.Now())) return false;
    r = TakeRound();
  }
  RunRound(r);
  return true;
}

void Agent::Run(const std::atomic<bool>& stop) {
  while (!stop) {
    Round r;
    {
      std::unique_lock<std::mutex> lock(mu_);
      for (;;) {
        if (stop) return;
        Clock::TimePoint now = clock_.Now();
        if (Due(now)) break;
        // The clock may not be the machine's: wait for the time it says is
        // left (a poke or Wake() ends the wait sooner).
        auto until = std::min({next_repair_, retry_at_, next_probe_});
        cv_.wait_for(lock, until - now);
      }
      r = TakeRound();
    }
    RunRound(r);
  }
}

Result<std::vector<Service>> ReadRegistrations(const std::string& state_dir) {
  std::string file = state_dir + "/" + kRegistrationsFile;
  if (!fs::exists(file)) return std::vector<Service>{};
  FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  return ParseServices(text, file);
}

std::vector<Service> Agent::Registrations() {
  std::vector<Service> out = TopologyServices(plan_, self_);
  auto registered = ReadRegistrations(o_.state_dir);
  if (!registered.ok()) {
    log_("registrations ignored: " + registered.error().message);
    return out;
  }
  for (const auto& s : *registered) out = WithService(std::move(out), s);
  return out;
}

Result<std::string> Agent::PullChild(const plan::NodePlan& child) {
  ++counters_.pulls;
  // The child's forestd answers on its node address; its export file
  // through Incus when the daemon does not answer (still starting, say).
  // Both have deadlines, and both read at most kMaxChildExport.
  auto reply = forestd_.Export(child.node_address.ToString(), o_.pull_timeout, kMaxChildExport);
  if (reply.ok()) return std::move(reply).value();
  std::string why = reply.error().message;
  auto rc = incus_.Exec(child.label, {o_.forest_binary, "export-registration"}, kMaxChildExport);
  if (rc.ok() && rc->exit_code == 0 && !rc->flooded) return std::move(rc->out);
  ++counters_.pull_failures;
  std::string exec_why =
      !rc.ok()      ? rc.error().message
      : rc->flooded ? "more than " + std::to_string(kMaxChildExport >> 20) + " MiB of output"
                    : "exit " + std::to_string(rc->exit_code) + (rc->err.empty() ? "" : ": " + rc->err);
  return MakeError(why + "; exec: " + exec_why);
}

void Agent::RunRound(const Round& r) {
  ++counters_.rounds;
  if (r.repair) ++counters_.repairs;
  auto listed = incus_.Instances();
  if (!listed.ok()) {
    log_("cannot list local instances: " + listed.error().message + "; retrying");
    std::lock_guard<std::mutex> lock(mu_);
    retry_at_ = clock_.Now() + milliseconds(1000);
    return;
  }
  std::map<std::string, std::string> child_status;
  for (const auto& i : *listed) {
    std::string name = i.value("name", "");
    // Child nodes live in the default project; a namesake elsewhere is not one.
    if (children_.count(name) && i.value("project", "default") == "default") {
      child_status[name] = i.value("status", "");
    }
  }
  auto workloads = WorkloadsFromIncus(*listed, self_, child_labels_);
  OwnRecords own = ComputeOwnRecords(self_, workloads, Registrations());

  // Every wanted child that runs is pulled at once; the round waits for
  // them no longer than its budget (child_pulls.h).
  std::set<std::string> want;
  for (const auto& [label, n] : children_) {
    auto st = child_status.find(label);
    bool wanted = r.probe || r.children.count(label);
    if (st != child_status.end() && st->second == "Running" && wanted) want.insert(label);
  }
  ChildPulls::Collected got = pulls_->Collect(want, o_.round_budget);
  std::vector<ChildObservation> seen;
  for (const auto& [label, n] : children_) {
    ChildObservation c;
    c.label = label;
    auto st = child_status.find(label);
    c.exists = st != child_status.end();
    c.running = c.exists && st->second == "Running";
    if (auto p = got.results.find(label); p != got.results.end()) {
      if (p->second.ok()) {
        c.pulled = std::move(p->second).value();
      } else {
        c.pull_error = p->second.error().message;
      }
    }
    seen.push_back(std::move(c));
  }
  for (const auto& label : got.pending) {
    log_("no answer from " + children_.at(label)->canonical_name + " within " +
         std::to_string(o_.round_budget.count()) + " ms; this round goes on without it");
  }
  Outcome out = reconciler_.Apply(own.records, seen, Now());
  counters_.withdrawn += out.dropped.size();
  if (out.next_withdrawal) {
    std::lock_guard<std::mutex> lock(mu_);
    retry_at_ = std::min(retry_at_, epoch_ + *out.next_withdrawal);
  }
  counters_.rejected += out.rejected;
  for (const auto& line : out.log) log_(line);
  // The children's last good exports are saved (and removed) by the
  // reconciler's parent role; the export is saved here.
  Status saved;
  std::string text = reconciler_.exported_text();
  bool changed;
  bool retry_upward;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The saved export counts as the previous one after a restart.
    changed = out.changed || text != export_text_;
    export_text_ = text;
    waiting_ = own.waiting;
    if (!own.waiting.empty()) retry_at_ = std::min(retry_at_, clock_.Now() + kWaitingRetry);
    retry_upward = upward_backoff_ms_ > 0;
  }
  if (changed) {
    saved = WriteFileAtomic(o_.state_dir + "/" + kExportFile, text);
    zone_sink_(std::make_shared<const dns::Zone>(NodeZone(out.exported, self_), false));
    log_("export changed: " + std::to_string(out.exported.records.size()) + " records, " +
         std::to_string(out.exported.descendants.size()) + " nodes below");
  }
  if (!saved.ok()) log_("cannot save state: " + saved.error().message);
  if (changed || r.probe || retry_upward) {
    bool ok = PassUpward(changed || retry_upward);
    std::lock_guard<std::mutex> lock(mu_);
    if (ok) {
      upward_backoff_ms_ = 0;
    } else {
      upward_backoff_ms_ = std::min(kMaxBackoffMs, std::max(500, upward_backoff_ms_ * 2));
      retry_at_ = std::min(retry_at_, clock_.Now() + milliseconds(upward_backoff_ms_));
    }
  }
}

// A root publishes to the helper (from its uplink, which is how the helper
// knows it); any other node pokes its parent, which then pulls.
bool Agent::PassUpward(bool changed) {
  std::string text = ExportText();
  if (self_.depth == 0) {
    auto answer = forestd_.Publish(plan_.helper_address.ToString(), self_.uplink.ToString(), text);
    if (!answer.ok()) {
      ++counters_.upward_failures;
      log_("cannot publish to the helper: " + answer.error().message);
      return false;
    }
    if (answer->status != 200) {
      ++counters_.upward_failures;
      log_("the helper refused our export (HTTP " + std::to_string(answer->status) + "): " + answer->refusal);
      return true;  // a refusal is an answer; the next change or repair tries again
    }
    ++counters_.upward_ok;
    return true;
  }
  if (!changed) return true;  // the parent's own repair pulls us
  const plan::NodePlan* parent = plan_.FindNode(self_.parent_canonical);
  if (!parent) return true;
  Status poked = forestd_.Poke(parent->node_address.ToString(), api::Poke{self_.label});
  if (!poked.ok()) {
    ++counters_.upward_failures;
    log_("cannot poke the parent " + parent->canonical_name + ": " + poked.error().message);
    return false;
  }
  ++counters_.upward_ok;
  return true;
}

void Agent::WatchIncus(const std::atomic<bool>& stop) {
  bool said = false;
  while (!stop) {
    auto s = incus_.WatchLifecycle([&](const std::string& action) {
      said = false;
      if (action.rfind("instance-", 0) == 0) Poke("");
      return !stop.load();
    });
    if (stop) break;
    if (!s.ok() && !said) {
      log_("incus events: " + s.error().message + "; reconnecting");
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
    Poke("");  // whatever happened while we were not listening
  }
}

std::string Agent::ExportText() const {
  std::lock_guard<std::mutex> lock(mu_);
  return export_text_;
}

Json Agent::StatusJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  Json export_json = Json::parse(export_text_, nullptr, false);
  api::NodeStatus s;
  s.node = self_.canonical_name;
  s.waiting = waiting_;
  s.rounds = counters_.rounds.load();
  if (!export_json.is_discarded()) s.exported = std::move(export_json);
  return api::ToJson(s);
}

void Agent::AddMetrics(serve::MetricsText& m) const {
  m.Type("forestd_rounds_total", "counter");
  m.Line("forestd_rounds_total", "kind=\"any\"", counters_.rounds);
  m.Line("forestd_rounds_total", "kind=\"repair\"", counters_.repairs);
  m.Type("forestd_child_pulls_total", "counter");
  m.Line("forestd_child_pulls_total", "result=\"attempted\"", counters_.pulls);
  m.Line("forestd_child_pulls_total", "result=\"failed\"", counters_.pull_failures);
  m.Type("forestd_child_exports_rejected_total", "counter");
  m.Line("forestd_child_exports_rejected_total", "", counters_.rejected);
  m.Type("forestd_child_pulls_late_total", "counter");
  m.Line("forestd_child_pulls_late_total", "", counters_.pulls_late);
  m.Type("forestd_children_withdrawn_total", "counter");
  m.Line("forestd_children_withdrawn_total", "", counters_.withdrawn);
  m.Type("forestd_upward_total", "counter");
  m.Line("forestd_upward_total", "result=\"ok\"", counters_.upward_ok);
  m.Line("forestd_upward_total", "result=\"failed\"", counters_.upward_failures);
}

}  // namespace forest::node
