// Who runs forest: under sudo, the user who ran sudo (SUDO_UID/SUDO_GID, with
// name and home from the password database, never $HOME, which `sudo` and
// `sudo -E` set differently); otherwise this process's own user.
#pragma once

#include <optional>
#include <string>

#include "base/result.h"

namespace forest {

struct Invoker {
  unsigned uid = 0;
  unsigned gid = 0;
  std::string name;   // from the password database ("" when it has none)
  std::string home;   // likewise
  bool sudo = false;  // root acting for SUDO_UID
};

// SUDO_UID / SUDO_GID as sudo sets them: decimal ids. nullopt when `uid` is
// unset or empty (not under sudo); an error when either is malformed.
Result<std::optional<std::pair<unsigned, unsigned>>> ParseSudoIds(const char* uid, const char* gid);

// The invoking user. Under sudo (effective uid 0 and SUDO_UID set to another
// user) that user's ids, and their name and home from getpwuid; an id with no
// password entry is an error that says so. Otherwise the real uid's entry.
Result<Invoker> CurrentInvoker();

// Makes `dir` and its missing parents (mode 0700), each owned by uid:gid;
// directories that exist are left as they are.
Status MakeDirsOwned(const std::string& dir, unsigned uid, unsigned gid);

}  // namespace forest
