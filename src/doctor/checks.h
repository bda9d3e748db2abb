// `forest doctor`: what this host (or a node of a forest brought up here)
// lacks for forest, and how to fix it. The checks are pure: the facts come
// in as values (gather.h reads them), the findings go out in a stable order,
// each with its remedy.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace forest::doctor {

struct Finding {
  std::string check;
  bool ok = false;
  std::string detail;
  std::string fix;  // what to do about it (shown when !ok)
  bool operator==(const Finding&) const = default;
};

// The host's facts the checks look at.
struct HostFacts {
  bool incusd_found = false;  // /usr/libexec/incus/incusd, or incusd on PATH
  // GET /1.0 of the local incusd: its versions, or why it did not answer.
  bool incusd_answers = false;
  std::string incusd_error;
  std::string api_version, server_version;
  bool default_pool = false;        // storage pool "default" (asked only when incusd answers)
  std::string pool_driver;          // its driver
  bool kernel_btrfs = false;        // /proc/filesystems lists btrfs
  bool btrfs_progs = false;         // btrfs on PATH (Incus makes btrfs pools with it)
  std::string subuid;               // /etc/subuid ("" when unreadable)
  std::string mounts;               // /proc/self/mounts
  std::string max_user_namespaces;  // /proc/sys/user/max_user_namespaces
  std::string inotify_instances;    // /proc/sys/fs/inotify/max_user_instances
  bool dev_net_tun = false;
  bool dev_kvm = false;
  std::string ipv6_forwarding;    // /proc/sys/net/ipv6/conf/all/forwarding
  std::set<std::string> on_path;  // which of Tools() are on PATH
  bool lxcfs_reads = false;       // /var/lib/lxcfs/proc/uptime reads (probed only when mounted)
  // mkcert's root in `caroot`: whether it loads (trust::LoadOrCreateRoot
  // without creating), its subject when readable, why not, and whether
  // either of its files is there.
  std::string caroot;
  bool root_loads = false;
  std::optional<std::string> root_subject;
  std::string root_error;
  bool root_file_present = false;
  struct Image {
    std::string alias;
    std::string tarball;
    bool cached = false;
    bool operator==(const Image&) const = default;
  };
  std::vector<Image> images;  // the node image, then the workload image
};

// The programs the checks look for on PATH.
const std::vector<std::string>& Tools();
// LXCFS mounted where Incus looks for it (in /proc/self/mounts' text).
bool LxcfsMounted(std::string_view mounts);

// Every host check, in the order `forest doctor` prints them.
std::vector<Finding> HostFindings(const HostFacts& f);

// `forest doctor NODE`: the node's 464XLAT role ("edge", "clat" or "none")
// and its checks, from what `forest xlat status --json` in the node exited
// with and printed. An error (naming `canonical`) when that is not a status.
struct NodeReport {
  std::string role;
  std::vector<Finding> findings;
};
// A node's own storage pool, from what `incus query
// /1.0/storage-pools/POOL` in the node exited with and printed.
Finding NodeStorageFinding(const std::string& pool, int exit_code, const std::string& out);

Result<NodeReport> NodeFindings(const std::string& canonical, int exit_code, const std::string& out,
                                const std::string& err);

}  // namespace forest::doctor
