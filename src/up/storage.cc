#include "up/storage.h"

#include "up/host.h"

namespace forest::up {

namespace {

constexpr const char* kIncusDir = "/var/lib/incus";

std::string FsType(ProcessRunner& run) {
  auto r = run.Run({.argv = {"stat", "-f", "-c", "%T", kIncusDir}, .timeout = std::chrono::seconds(10)});
  if (!r.ok() || !r->ok()) return "";
  std::string s = r->out;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string PoolRequest::Describe() const {
  auto source = config.find("source");
  if (driver == "dir") return "dir";
  if (source != config.end()) return driver + " on " + source->second;
  auto size = config.find("size");
  return driver + ", loop file" + (size != config.end() ? " " + size->second : "");
}

PoolRequest HostPoolRequest(const topology::StorageConfig& s) {
  PoolRequest p{s.driver, {}};
  if (!s.source.empty()) p.config["source"] = s.source;
  if (!s.size.empty() && s.source.empty() && s.driver != "dir") p.config["size"] = s.size;
  return p;
}

PoolRequest NodePoolRequest(const std::string& pool, const std::string& fs_type) {
  if (fs_type != "btrfs") return {"dir", {}};
  return {"btrfs", {{"source", std::string(kIncusDir) + "/storage-pools/" + pool}}};
}

Status EnsureStoragePool(Level& l, bool node) {
  const std::string& pool = l.t.host.storage_pool;
  std::string marker = MadeBy(l.t, "storage pool");
  FOREST_ASSIGN_OR_RETURN(auto have, SettledOrGone(l, "/1.0/storage-pools/" + incus::Escape(pool),
                                                   "storage pool " + pool, marker, {"Pending", "Errored"},
                                                   "fix or delete it (`incus storage delete " + pool +
                                                       "`), or name another host.storage_pool"));
  if (have) return {};
  PoolRequest want = node ? NodePoolRequest(pool, FsType(l.run)) : HostPoolRequest(l.t.host.storage);
  Status made = incus::CreateStoragePool(l.c, pool, want.driver, want.config, marker);
  if (!made.ok()) {
    std::string why = "storage pool " + pool + " (" + want.Describe() + "): " + made.error().message;
    if (want.driver == "dir" || (!node && l.t.host.storage.driver_set)) {
      return MakeError(why + (want.driver == "dir" ? ""
                                                   : "; install btrfs-progs (and restart incusd), or set "
                                                     "host.storage.driver: dir in the topology"));
    }
    // A failed create may leave the pool's record behind.
    FOREST_ASSIGN_OR_RETURN(bool left, incus::StoragePoolExists(l.c, pool));
    if (left) FOREST_TRY(incus::DeleteStoragePool(l.c, pool));
    l.Say(why +
          "; using dir instead: every container unpacks its image in full (`forest doctor` says "
          "how to get btrfs)");
    want = {"dir", {}};
    FOREST_TRY(incus::CreateStoragePool(l.c, pool, want.driver, want.config, marker));
  }
  l.Changed("created storage pool " + pool + " (" + want.Describe() + ")");
  return {};
}

}  // namespace forest::up
