// For tests: a directory of their own under $TMPDIR (or /tmp), removed with
// all it holds when the TempDir goes.
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

namespace forest {

class TempDir {
 public:
  // PREFIX names the test ("forest-doctor"): PREFIX-XXXXXX.
  explicit TempDir(const std::string& prefix) {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/" + prefix + "-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      std::perror(("mkdtemp " + tmpl).c_str());
      std::abort();
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace forest
