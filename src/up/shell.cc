#include "up/shell.h"

#include "base/process.h"

namespace forest::up {

std::string Shell(const std::string& cmd, int* rc) {
  auto r = SystemRunner().Run({.argv = {"sh", "-c", cmd}, .merge_stderr = true});
  if (!r.ok()) {
    *rc = -1;
    return "";
  }
  *rc = r->exit_code;
  return r->out;
}

}  // namespace forest::up
