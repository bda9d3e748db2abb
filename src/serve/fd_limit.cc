#include "serve/fd_limit.h"

#include <dirent.h>
#include <sys/resource.h>

namespace forest::serve {

std::optional<FdLimit> CurrentFdLimit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) != 0) return std::nullopt;
  return FdLimit{static_cast<uint64_t>(l.rlim_cur), static_cast<uint64_t>(l.rlim_max)};
}

std::optional<FdLimit> RaiseFdLimit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);  // best effort: the limits in force are reported either way
  }
  return CurrentFdLimit();
}

std::string DescribeFdLimit(const std::optional<FdLimit>& l) {
  if (!l) return "file descriptors: limit unknown";
  return "file descriptors: soft " + std::to_string(l->soft) + ", hard " + std::to_string(l->hard);
}

std::optional<uint64_t> OpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return std::nullopt;
  uint64_t n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n > 0 ? n - 1 : 0;  // the directory's own descriptor
}

}  // namespace forest::serve
