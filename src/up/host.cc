#include "up/host.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/files.h"
#include "base/nft.h"
#include "incus/api.h"
#include "up/conflicts.h"

namespace forest::up {

using Json = nlohmann::json;

std::string MadeBy(const topology::Topology& t, const std::string& what) {
  return "forest " + what + " (made by forest up for project forest-" + t.name + ")";
}

namespace {

std::string BridgeMarker(const topology::Topology& t) { return MadeBy(t, "host bridge"); }

}  // namespace

Result<std::optional<Json>> SettledOrGone(Level& l, const std::string& path, const std::string& what,
                                          const std::string& marker,
                                          const std::vector<std::string>& unfinished,
                                          const std::string& fix) {
  FOREST_ASSIGN_OR_RETURN(auto got, incus::Settled(l.c, path, l.o.settle));
  if (!got) return got;
  std::string status = got->value("status", "");
  if (std::find(unfinished.begin(), unfinished.end(), status) == unfinished.end()) return got;
  if (got->value("description", "") != marker) {
    return MakeError(what + " is " + status + " in Incus and forest did not make it; " + fix);
  }
  FOREST_TRY(l.c.Delete(path));
  l.Say(what + ": its last create did not finish (" + status + "); making it again");
  return std::optional<Json>();
}

Status EnsureHostBridge(Level& l) {
  const auto& h = l.t.host;
  incus::StringMap want = {{"ipv6.address", l.plan.host_bridge.ToString()},
                           {"ipv6.nat", "false"},
                           {"ipv6.dhcp", "false"},
                           {"ipv4.address", h.ipv4.ToString()},
                           {"ipv4.nat", "false"}};
  FOREST_ASSIGN_OR_RETURN(auto net, SettledOrGone(l, "/1.0/networks/" + incus::Escape(h.bridge),
                                                  "host bridge " + h.bridge, BridgeMarker(l.t), {"Pending"},
                                                  "delete it (`incus network delete " + h.bridge +
                                                      "`) or choose another host.bridge"));
  if (!net) {
    HostRanges ranges{h.bridge, l.plan.host_bridge.Network(), h.ipv4, {l.plan.host_uplink_range}};
    for (const auto& n : l.plan.nodes) {
      if (n.depth == 0) ranges.routed.push_back(n.prefix);
    }
    FOREST_ASSIGN_OR_RETURN(Json all, l.c.Get("/1.0/networks?recursion=1&project="));
    if (auto clash = FindAddressConflict(all, ranges)) return MakeError(*clash);
    FOREST_TRY(incus::CreateNetwork(l.c, h.bridge, "bridge", want, BridgeMarker(l.t)));
    l.Changed("created host bridge " + h.bridge + " " + want["ipv6.address"] + " " + want["ipv4.address"] +
              " (no NAT)");
    return {};
  }
  for (const auto& [k, v] : want) {
    std::string have = (*net)["config"].value(k, "");
    if (have != v) {
      return MakeError("host bridge " + h.bridge + " exists with " + k + "=" +
                       (have.empty() ? "(unset)" : have) + ", the topology needs " + v +
                       "; fix it with `incus network set " + h.bridge + " " + k + "=" + v +
                       "` or choose another host.bridge in the topology");
    }
  }
  return {};
}

std::string GuardTable(const topology::Topology& t) { return "forest_guard_" + t.name; }

std::vector<std::string> DefaultRouteDevices(const std::string& routes) {
  std::vector<std::string> devs;
  std::istringstream in(routes);
  std::string line;
  while (std::getline(in, line)) {
    auto p = line.find(" dev ");
    if (p == std::string::npos) continue;
    std::string dev = line.substr(p + 5);
    dev = dev.substr(0, dev.find(' '));
    if (std::find(devs.begin(), devs.end(), dev) == devs.end()) devs.push_back(dev);
  }
  return devs;
}

std::string GuardRuleset(const topology::Topology& t, const plan::Plan& plan,
                         const std::vector<std::string>& devs) {
  std::string six = plan.host_bridge.Network().ToString() + ", " + plan.host_uplink_range.ToString();
  for (const auto& n : plan.nodes) {
    if (n.depth == 0) six += ", " + n.prefix.ToString();
  }
  six += ", " + plan.nat64_prefix.ToString();
  std::string table = GuardTable(t);
  std::string rules = "table inet " + table + " {}\ndelete table inet " + table + "\n";
  rules += "table inet " + table +
           " {\n  chain forward {\n    type filter hook forward priority -10; policy accept;\n";
  for (const auto& d : devs) {
    rules += "    iifname \"" + t.host.bridge + "\" oifname \"" + d + "\" drop\n";
    rules += "    oifname \"" + d + "\" ip6 saddr { " + six + " } drop\n";
    rules += "    oifname \"" + d + "\" ip saddr " + t.host.ipv4.NetworkString() + " drop\n";
  }
  rules += "  }\n}\n";
  return rules;
}

Status GuardUplink(Level& l) {
  std::string routes;
  for (std::vector<std::string> argv :
       {std::vector<std::string>{"ip", "-o", "route", "show", "default"},
        std::vector<std::string>{"ip", "-o", "-6", "route", "show", "default"}}) {
    Command c;
    c.argv = std::move(argv);
    c.merge_stderr = true;
    FOREST_ASSIGN_OR_RETURN(ProcessResult r, l.run.Run(c));
    routes += r.out;
  }
  std::vector<std::string> devs = DefaultRouteDevices(routes);
  if (devs.empty()) return {};
  FOREST_TRY(Nft(l.run).Load(GuardRuleset(l.t, l.plan, devs), "uplink guard"));
  l.Say("uplink guard: table inet " + GuardTable(l.t) + " drops forest traffic to " + devs[0]);
  return {};
}

namespace {

Status RemoveGuard(ProcessRunner& run, const topology::Topology& t) {
  (void)Nft(run).DeleteTable("inet", GuardTable(t));
  return {};
}

// What `up` changed outside its project that `down` must undo.
std::string HostStatePath(const std::string& state_dir) { return state_dir + "/host.json"; }

}  // namespace

Result<ImageServer> EnsureHttpsAddress(Level& l, const net::Ipv6Address& address, bool remember) {
  FOREST_ASSIGN_OR_RETURN(Json server, l.c.Get("/1.0?project="));
  std::string have = server["config"].value("core.https_address", "");
  FOREST_ASSIGN_OR_RETURN(ImageServer s, ImageServerFor(have, address));
  if (s.set.empty()) {
    if (s.address.ToString() != address.ToString())
      l.Say("Incus listens on " + have + " (set before); children pull images from " + s.Url());
    return s;
  }
  FOREST_TRY(l.c.Patch("/1.0?project=", {{"config", {{"core.https_address", s.set}}}}));
  if (remember) {
    FOREST_TRY(MakeDirs(l.o.state_dir));
    FOREST_TRY(
        WriteFileAtomic(HostStatePath(l.o.state_dir), Json{{"set_https_address", s.set}}.dump() + "\n"));
  }
  l.Changed("Incus listens on " + s.set + " (children pull images from it)");
  return s;
}

Result<std::string> ServerCertificate(incus::Client& c) {
  FOREST_ASSIGN_OR_RETURN(Json server, c.Get("/1.0?project="));
  return server["environment"].value("certificate", "");
}

Status DownHost(incus::Client& host, const topology::Topology& t, const std::string& state_dir,
                const Progress& progress, ProcessRunner* runner) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  incus::Client global = host.WithProject("");
  FOREST_ASSIGN_OR_RETURN(bool have_project, incus::ProjectExists(global, host.project()));
  if (have_project) {
    FOREST_ASSIGN_OR_RETURN(auto instances, incus::ListInstances(host));
    for (const auto& name : instances) {
      FOREST_ASSIGN_OR_RETURN(std::string st, incus::InstanceStatus(host, name));
      if (st != "Stopped") FOREST_TRY(incus::SetInstanceState(host, name, "stop", true));
      FOREST_TRY(incus::DeleteInstance(host, name));
      say("deleted " + name + " (and everything inside it)");
    }
    FOREST_ASSIGN_OR_RETURN(auto images, incus::ListImages(host));
    for (const auto& fp : images) {
      FOREST_TRY(incus::DeleteImage(host, fp));
      say("deleted image " + fp.substr(0, 12));
    }
    FOREST_ASSIGN_OR_RETURN(auto profiles, incus::ListProfiles(host));
    for (const auto& p : profiles) {
      if (p == "default") continue;
      FOREST_TRY(incus::DeleteProfile(host, p));
      say("deleted profile " + p);
    }
    FOREST_TRY(incus::DeleteProject(global, host.project()));
    say("deleted project " + host.project());
  }
  // Host objects `up` made (their description says so) go when nothing uses them.
  auto remove_if_ours = [&](const std::optional<Json>& object, const std::string& marker,
                            const std::string& what, auto remove) -> Status {
    if (!object || object->value("description", "") != marker) return {};
    const Json& used = (*object)["used_by"];
    if (used.is_array() && !used.empty()) {
      say("kept " + what + ": still used by " + used.dump());
      return {};
    }
    FOREST_TRY(remove());
    say("deleted " + what);
    return {};
  };
  FOREST_ASSIGN_OR_RETURN(auto net, incus::GetNetwork(global, t.host.bridge));
  FOREST_TRY(remove_if_ours(net, BridgeMarker(t), "host bridge " + t.host.bridge,
                            [&] { return incus::DeleteNetwork(global, t.host.bridge); }));
  FOREST_ASSIGN_OR_RETURN(auto pool, incus::GetStoragePool(global, t.host.storage_pool));
  FOREST_TRY(remove_if_ours(pool, MadeBy(t, "storage pool"), "storage pool " + t.host.storage_pool,
                            [&] { return incus::DeleteStoragePool(global, t.host.storage_pool); }));
  if (auto state = ReadFile(HostStatePath(state_dir)); state.ok()) {
    Json j = Json::parse(*state, nullptr, false);
    if (j.is_object() && j.contains("set_https_address")) {
      FOREST_ASSIGN_OR_RETURN(Json server, global.Get("/1.0?project="));
      if (server["config"].value("core.https_address", "") == j["set_https_address"]) {
        FOREST_TRY(global.Patch("/1.0?project=", {{"config", {{"core.https_address", ""}}}}));
        say("Incus no longer listens on " + j["set_https_address"].get<std::string>());
      }
    }
    std::filesystem::remove(HostStatePath(state_dir));
  }
  FOREST_TRY(RemoveGuard(runner ? *runner : SystemRunner(), t));
  return {};
}

}  // namespace forest::up
