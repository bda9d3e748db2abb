// What the shellhost unit tests share: a scratch directory removed at the
// end, and a session on it whose Incus is an incus::FakeTransport.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "base/temp_dir.h"
#include "incus/fake_transport.h"
#include "shellhost/session.h"

namespace forest::shellhost::testing {

// A scratch directory, removed with all it holds at the end.
class Scratch : public TempDir {
 public:
  Scratch() : TempDir("forest-shellhost") {}
};

// A session for `workspace` with its state under `root`, as Open makes it,
// without reading config layers or the invoker.
inline Session FakeSession(const std::string& workspace, const std::string& root,
                           std::shared_ptr<incus::FakeTransport> incus = nullptr) {
  Session s;
  s.config = shell::Builtin();
  s.workspace = workspace;
  s.me = {1000, 1000, "dev"};
  s.state_root = root;
  s.dir = root + "/" + s.config.forest;
  s.sessions_dir = root + "/" + s.config.forest + "-sessions";
  s.transport = std::move(incus);
  return s;
}

}  // namespace forest::shellhost::testing
