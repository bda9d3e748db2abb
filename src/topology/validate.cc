#include "topology/validate.h"

#include <string>

namespace forest::topology::internal {
namespace {

constexpr size_t kMaxNameLength = 253;

bool WasSet(const Reader& r, std::string_view path) { return !r.MarkOf(path).is_null(); }

// An address that must sit on the host bridge: the error points at the
// address key if the file set it, else at host.ipv6 (which moved the bridge
// away from the default address).
Status CheckOnBridge(const Reader& r, const Topology& t, std::string_view path, const net::Ipv6Address& a) {
  net::Ipv6Prefix bridge = t.host.ipv6.Network();
  bool set = WasSet(r, path);
  std::string where = set ? std::string(path) : "host.ipv6";
  std::string shown = Quote(a.ToString()) + (set ? "" : " (the default " + std::string(path) + ")");
  if (!bridge.Contains(a)) {
    return r.FailPath(where, shown + " is not on the host bridge " + bridge.ToString() +
                                 " (host.ipv6); set " + std::string(path) + " to an address inside it");
  }
  if (a == t.host.ipv6.address) {
    return r.FailPath(where, shown + " is the host's own address (host.ipv6); give " + std::string(path) +
                                 " another address on the bridge");
  }
  return {};
}

Status CheckNameLength(const Reader& r, std::string_view path, const std::string& name) {
  if (name.size() <= kMaxNameLength) return {};
  return r.FailPath(
      path, "the canonical name " + Quote(name) + " is " + std::to_string(name.size()) +
                " characters long; DNS names have at most 253 (use shorter labels or a flatter tree)");
}

Status CheckNodes(const Reader& r, const std::vector<Node>& nodes, const std::string& list_path,
                  const std::string& parent_suffix) {
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    std::string path = list_path + "[" + std::to_string(i) + "]";
    std::string canonical = n.name + "." + parent_suffix;
    FOREST_TRY(CheckNameLength(r, path + ".name", canonical));
    for (size_t w = 0; w < n.workloads.size(); ++w) {
      const Workload& wl = n.workloads[w];
      std::string wpath = path + ".workloads[" + std::to_string(w) + "]";
      for (size_t c = 0; c < n.children.size(); ++c) {
        if (n.children[c].name == wl.name) {
          return r.FailPath(wpath + ".name",
                            Quote(wl.name) + " is also the name of " + path + ".children[" +
                                std::to_string(c) +
                                "]; a node's workloads and children are instances side by side "
                                "and need distinct names");
        }
      }
      std::string wname = wl.name + "." + canonical;
      FOREST_TRY(CheckNameLength(r, wpath + ".name", wname));
      for (size_t s = 0; s < wl.services.size(); ++s) {
        FOREST_TRY(
            CheckNameLength(r, wpath + ".services[" + std::to_string(s) + "]", wl.services[s] + "." + wname));
      }
    }
    FOREST_TRY(CheckNodes(r, n.children, path + ".children", canonical));
  }
  return {};
}

}  // namespace

Status ValidateTopology(const Reader& r, const Topology& t) {
  FOREST_TRY(CheckOnBridge(r, t, "helper.address", t.helper.address));
  if (t.helper.cache || WasSet(r, "helper.cache_address")) {
    FOREST_TRY(CheckOnBridge(r, t, "helper.cache_address", t.helper.cache_address));
    if (t.helper.cache_address == t.helper.address) {
      return r.FailPath("helper.cache_address",
                        Quote(t.helper.cache_address.ToString()) +
                            " is also helper.address; give the cache helper its own address");
    }
  }
  for (size_t i = 0; i < t.roots.size(); ++i) {
    if (t.roots[i].name == t.helper.name) {
      return r.FailPath("roots[" + std::to_string(i) + "].name",
                        Quote(t.roots[i].name) +
                            " is the helper's instance name (helper.name); roots and the "
                            "helper share the host's Incus project, so rename one of them");
    }
  }
  return CheckNodes(r, t.roots, "roots", "incus");
}

}  // namespace forest::topology::internal
