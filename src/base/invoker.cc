#include "base/invoker.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace forest {
namespace {

std::optional<unsigned> ParseId(const char* s) {
  if (s == nullptr || *s == '\0') return std::nullopt;
  unsigned long v = 0;
  for (const char* p = s; *p; ++p) {
    if (*p < '0' || *p > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned long>(*p - '0');
    if (v > 4294967294ul) return std::nullopt;
  }
  return static_cast<unsigned>(v);
}

}  // namespace

Result<std::optional<std::pair<unsigned, unsigned>>> ParseSudoIds(const char* uid, const char* gid) {
  if (uid == nullptr || *uid == '\0') return std::optional<std::pair<unsigned, unsigned>>();
  auto u = ParseId(uid);
  auto g = ParseId(gid);
  if (!u || !g) {
    return MakeError(std::string("SUDO_UID=") + uid + " SUDO_GID=" + (gid ? gid : "") +
                     ": not the numeric ids sudo sets; unset them or run forest through sudo");
  }
  return std::optional<std::pair<unsigned, unsigned>>(std::pair{*u, *g});
}

Result<Invoker> CurrentInvoker() {
  Invoker me;
  me.uid = getuid();
  me.gid = getgid();
  if (geteuid() == 0) {
    FOREST_ASSIGN_OR_RETURN(auto ids, ParseSudoIds(std::getenv("SUDO_UID"), std::getenv("SUDO_GID")));
    if (ids && ids->first != 0) {
      me.uid = ids->first;
      me.gid = ids->second;
      me.sudo = true;
    }
  }
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = getpwuid_r(me.uid, &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr) {
    if (me.sudo) {
      return MakeError("SUDO_UID " + std::to_string(me.uid) +
                       " has no entry in the password database, so forest cannot tell that user's home; "
                       "run forest through sudo from a real account");
    }
    return me;  // e.g. root in a minimal container: no name, no home
  }
  me.name = found->pw_name ? found->pw_name : "";
  me.home = found->pw_dir ? found->pw_dir : "";
  return me;
}

Status MakeDirsOwned(const std::string& dir, unsigned uid, unsigned gid) {
  if (dir.empty() || dir == "/") return {};
  struct stat st {};
  if (lstat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return MakeError(dir + ": exists and is not a directory");
    return {};
  }
  auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) FOREST_TRY(MakeDirsOwned(dir.substr(0, slash), uid, gid));
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return MakeError("mkdir " + dir + ": " + std::strerror(errno));
  }
  if (lchown(dir.c_str(), uid, gid) != 0) return MakeError("chown " + dir + ": " + std::strerror(errno));
  return {};
}

}  // namespace forest
