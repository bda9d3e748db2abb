#include "idmap/owner.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/files.h"

namespace forest::idmap {

Result<Owner> OwnerOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return MakeError(path + ": " + std::strerror(errno));
  return Owner{st.st_uid, st.st_gid};
}

namespace {

Result<bool> Allow(const std::string& file, unsigned id) {
  std::string cur;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    FOREST_ASSIGN_OR_RETURN(cur, ReadFile(file, 1 << 20));
  }
  auto next = WithRootId(cur, id);
  if (!next) return false;
  FOREST_TRY(WriteFileAtomic(file, *next));
  return true;
}

}  // namespace

Result<bool> AllowOwner(const Owner& o, const SubidFiles& files) {
  FOREST_ASSIGN_OR_RETURN(bool u, Allow(files.subuid, o.uid));
  FOREST_ASSIGN_OR_RETURN(bool g, Allow(files.subgid, o.gid));
  return u || g;
}

Status RestartIncus(ProcessRunner& run) {
  // A script: restart, then poll the socket.
  FOREST_ASSIGN_OR_RETURN(
      ProcessResult r, run.Run({.argv = {"sh", "-c",
                                         "systemctl restart incus.service && for i in $(seq 60); do "
                                         "curl -sf --unix-socket /var/lib/incus/unix.socket http://incus/1.0 "
                                         ">/dev/null && exit 0; sleep 1; done; exit 1"},
                                .merge_stderr = true}));
  if (r.exit_code != 0) return MakeError("restarting incus after a subuid change failed: " + r.out);
  return {};
}

}  // namespace forest::idmap
