// A node's own records (DESIGN.md, Names): itself, each plain workload's base
// name taken from its local Incus, and the service names registered on the
// node (`forest register-local-record`). Pure.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "net/ip.h"
#include "plan/plan.h"
#include "registration/registration.h"

namespace forest::node {

// A service name on this node: label path `auth.app` answers with the
// addresses of local workload `app`, or of the node itself when `target` is
// empty.
struct Service {
  std::string label_path;  // "auth.app"
  std::string target;      // "app"; "" = this node
  auto operator<=>(const Service&) const = default;
};

// The registrations file: {"schema":1,"services":[{"name":..,"target":..}]}.
// Errors name the file and the field.
Result<std::vector<Service>> ParseServices(std::string_view json, const std::string& file);
// Sorted, one entry per label path, trailing newline.
std::string SerializeServices(std::vector<Service> services);

// Reads a user's names relative to this node. `name` is the service's name
// under .incus (`auth.app.incus`), under this node's canonical name or under
// one of its alias candidates; `target_name` names a workload of this node
// (`app.incus`, `app.<canonical>`) or the node itself.
Result<Service> ResolveService(std::string_view name, std::string_view target_name,
                               const plan::NodePlan& self);

// Why registering `s` on `self` would take a name that is not this node's
// to take, or nullopt: one of the service's names (canonical or alias
// candidate) is a node's canonical name, an alias candidate of a node outside
// self's subtree (the plan has every node), or an alias the helper publishes
// for something outside that subtree (`published`: alias → canonical, from
// GET /v1/forest; empty when the helper did not answer). The helper holds
// such candidates back in any case (registration/forest_view.cc); this is
// the refusal a user sees.
std::optional<std::string> ServiceShadows(const Service& s, const plan::NodePlan& self, const plan::Plan& plan,
                                          const std::map<std::string, std::string>& published);

// Adds or replaces (same label path) / removes a registration.
std::vector<Service> WithService(std::vector<Service> services, const Service& s);
// Error when nothing is registered under that label path.
Result<std::vector<Service>> WithoutService(std::vector<Service> services, std::string_view label_path);

struct LocalInstance {
  std::string name;
  std::vector<net::Ipv6Address> addresses;  // global addresses on this node's LAN, sorted
  std::string project = "default";           // Incus project it lives in
};

// Plain workloads from GET /1.0/instances?recursion=2&all-projects=true:
// running instances with a valid label that are not hierarchy-aware
// children, with their global IPv6 addresses inside the node's LAN. Every
// project counts (a jail user's restricted project among them); of two
// namesakes the default project's wins.
std::vector<LocalInstance> WorkloadsFromIncus(const nlohmann::json& instances, const plan::NodePlan& self,
                                              const std::set<std::string>& child_labels);

struct OwnRecords {
  std::vector<registration::Record> records;  // sorted
  std::vector<std::string> waiting;           // workloads (and services) without an address yet
};

// The node's canonical name → its LAN address; each workload's base name →
// its addresses; each service → its target's addresses.
OwnRecords ComputeOwnRecords(const plan::NodePlan& self, const std::vector<LocalInstance>& workloads,
                             const std::vector<Service>& services);

}  // namespace forest::node
