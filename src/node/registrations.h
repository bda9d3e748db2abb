// A node's service names as users handle them, inside the node (`forest
// register-local-record`, `unregister-local-record`, `local-records`,
// `export-registration`). The registrations file in forestd's state
// directory is edited under a lock (forestd only reads it); registering asks
// the helper which aliases it publishes (GET /v1/forest), so that a service
// cannot take another node's name; this node's forestd is then poked to look
// again. The forestds are reached through api::ForestdClient
// (registrations_test.cc runs every command against the fake).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/forestd_client.h"
#include "base/result.h"
#include "node/local_records.h"
#include "plan/plan.h"

namespace forest::node {

// A service with its full names, as the commands print it.
struct LocalRecord {
  std::string name;    // auth.app.c0-2-1.c0-2.c0.incus
  std::string target;  // app.c0-2-1.c0-2.c0.incus, or the node's canonical name
  bool operator==(const LocalRecord&) const = default;
};
LocalRecord Describe(const Service& s, const plan::NodePlan& self);

// Receives lines for the user that do not stop the command (its stderr).
using Note = std::function<void(const std::string&)>;

// How long a command waits for the helper's view and for its own forestd.
inline constexpr std::chrono::milliseconds kAskHelperTimeout = std::chrono::seconds(2);

// The aliases the helper publishes now, alias → canonical. When it does not
// answer: none, and a note that only the plan's node names were checked.
std::map<std::string, std::string> PublishedAliases(api::ForestdClient& forestd, const plan::Plan& plan,
                                                    const Note& note);

class Registrations {
 public:
  // `self` points into `plan`; both and `forestd` outlive this.
  Registrations(std::string state_dir, const plan::Plan& plan, const plan::NodePlan& self,
                api::ForestdClient& forestd)
      : state_dir_(std::move(state_dir)), plan_(plan), self_(self), forestd_(forestd) {}

  // Publishes service `name` for workload `target_name` of this node (or the
  // node itself); registering a name again retargets it. Refused, with the
  // reason, when the name is another node's.
  Result<LocalRecord> Register(std::string_view name, std::string_view target_name, const Note& note);
  // Withdraws service `name`; returns its full name.
  Result<std::string> Withdraw(std::string_view name);
  // The services registered here, sorted.
  Result<std::vector<LocalRecord>> List() const;
  // Tells this node's forestd to look again (it also notices on its next
  // repair); a warning when it did not take the poke.
  void Poke(const Note& note);

 private:
  // Read-modify-write of the registrations file under its lock.
  Status Edit(const std::function<Result<std::vector<Service>>(std::vector<Service>)>& edit);

  std::string state_dir_;
  const plan::Plan& plan_;
  const plan::NodePlan& self_;
  api::ForestdClient& forestd_;
};

// This node's export (schema 1) as forestd last saved it: what its parent
// pulls. An error that says to look at forestd when there is none yet.
Result<std::string> ReadExport(const std::string& state_dir);

}  // namespace forest::node
