#include "node/reconcile.h"

#include <algorithm>

namespace forest::node {

namespace {

std::map<std::string, registration::Delegation> Delegations(const plan::Plan& plan,
                                                            const plan::NodePlan& self) {
  std::map<std::string, registration::Delegation> out;
  for (const auto& n : plan.nodes) {
    if (n.parent_canonical != self.canonical_name) continue;
    out[n.label] = {n.label, n.canonical_name, n.prefix, n.uplink};
  }
  return out;
}

}  // namespace

Reconciler::Reconciler(const plan::Plan& plan, const plan::NodePlan& self, Millis liveness_bound,
                       std::string children_dir)
    : self_(self),
      liveness_bound_(liveness_bound),
      children_(Delegations(plan, self), std::move(children_dir)) {
  exported_.source_node = self.label;
}

Outcome Reconciler::Apply(const std::vector<registration::Record>& own_records,
                          const std::vector<ChildObservation>& children, Millis now) {
  Outcome out;
  for (const auto& c : children) {
    const registration::Delegation* d = children_.Find(c.label);
    std::string name = d ? d->child_canonical : c.label;
    bool has_good = children_.last_good().count(c.label) > 0;
    if (!c.exists) {
      alive_at_.erase(c.label);
      reported_down_.erase(c.label);
      if (children_.Drop(c.label)) {
        out.log.push_back(name + " is gone: its names are withdrawn");
        out.dropped.push_back(c.label);
      }
      continue;
    }
    // Liveness: not running, or a failed pull, means down; the bound counts
    // from the child's last answer (or from when this agent first saw it), so
    // a child is withdrawn at most one bound after it last spoke, whatever
    // the probe period. Not pulled this round says nothing.
    bool down = !c.running || (!c.pulled && !c.pull_error.empty());
    if (down) {
      Millis since = alive_at_.emplace(c.label, now).first->second;
      bool fresh = reported_down_.insert(c.label).second;
      if (has_good) {
        if (now - since >= liveness_bound_) {
          children_.Drop(c.label);
          has_good = false;
          out.dropped.push_back(c.label);
          out.log.push_back(name + (c.running ? " has not answered" : " has not run") + " for " +
                            std::to_string((now - since).count() / 1000) +
                            " s: its names are withdrawn until it answers again");
        } else {
          Millis at = since + liveness_bound_;
          out.next_withdrawal = out.next_withdrawal ? std::min(*out.next_withdrawal, at) : at;
          if (fresh && !c.running) out.log.push_back(name + " does not run; its names stay until " +
                                                     std::to_string(liveness_bound_.count() / 1000) +
                                                     " s after its last answer");
        }
      }
    }
    if (!c.pulled) {
      if (!c.pull_error.empty()) {
        out.log.push_back("cannot pull the export of " + name + " (" + c.pull_error + ")" +
                          (has_good ? "; keeping its last good one" : ""));
      }
      continue;
    }
    alive_at_[c.label] = now;  // any answer, even a rejected export
    reported_down_.erase(c.label);
    auto offered = children_.Offer(c.label, std::string_view(*c.pulled));
    if (!offered.ok()) {
      ++out.rejected;
      out.log.push_back("export of " + name + " rejected" + (has_good ? ", last good kept" : "") + ": " +
                        offered.error().message);
      continue;
    }
    if (offered->changed) {
      out.log.push_back("accepted export of " + name + ": " +
                        std::to_string(children_.last_good().at(c.label).records.size()) + " records");
      if (!offered->saved.ok())
        out.log.push_back("cannot save the export of " + name + ": " + offered->saved.error().message);
      out.stored.push_back(c.label);
    }
  }
  std::vector<registration::ChildExport> valid;
  for (const auto& [label, e] : children_.last_good()) valid.push_back({*children_.Find(label), e});
  registration::Route route{self_.prefix, self_.uplink, true, "eth0"};
  registration::Export merged = registration::Merge(self_.label, own_records, route, valid);
  out.changed = first_ || merged != exported_;
  first_ = false;
  exported_ = std::move(merged);
  out.exported = exported_;
  return out;
}

dns::ZoneData NodeZone(const registration::Export& e, const plan::NodePlan& self) {
  dns::ZoneData z;
  z.ns_name = self.canonical_name;
  z.hostmaster = "hostmaster." + self.canonical_name;
  for (const auto& r : e.records) z.names[r.name].v6.push_back(r.address);
  for (auto& [name, entry] : z.names) {
    std::sort(entry.v6.begin(), entry.v6.end());
    entry.v6.erase(std::unique(entry.v6.begin(), entry.v6.end()), entry.v6.end());
  }
  z.reverse_zones = {self.prefix};
  return z;
}

}  // namespace forest::node
