// What the shellhost unit tests share: a scratch directory removed at the
// end, and a session on it whose Incus is an incus::FakeTransport.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "incus/fake_transport.h"
#include "shellhost/session.h"

namespace forest::shellhost::testing {

class Scratch {
 public:
  Scratch() {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/forest-shellhost-XXXXXX";
    path_ = mkdtemp(tmpl.data()) ? tmpl : "";
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
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
