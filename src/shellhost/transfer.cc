#include "shellhost/transfer.h"

namespace forest::shellhost {

std::pair<std::string, std::string> SplitRemote(const std::string& s) {
  auto colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || s.find('/') < colon) return {"", s};
  return {s.substr(0, colon), s.substr(colon + 1)};
}

Result<incus::CopyReport> Copy(const Session& s, const shell::Jail& jail, bool push, const std::string& from,
                               const std::string& to, bool recursive) {
  auto c = s.Client();
  return push ? incus::PushTree(c, jail.name, from, to, recursive, jail.user.uid, jail.user.gid)
              : incus::PullTree(c, jail.name, from, to, recursive);
}

}  // namespace forest::shellhost
