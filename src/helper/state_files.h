// The helper's own state on disk, besides the CA's (helper/ca_files.h):
// the last good export of each root, <state>/roots/<label>.json, and the
// zone serial, <state>/serial. Both are written atomically; forestd --role
// helper reads them at start, so a restart (even kill -9) serves the same
// view at once and the serial only grows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace forest::helper {

struct SavedRoot {
  std::string label;
  std::string path;  // for messages
  std::string text;
};

class StateFiles {
 public:
  explicit StateFiles(std::string dir) : dir_(std::move(dir)) {}

  // Every saved root export that can be read (none yet: empty).
  std::vector<SavedRoot> ReadRoots() const;
  Status SaveRoot(const std::string& label, const std::string& text) const;
  // A root whose names were withdrawn: its export goes too.
  void RemoveRoot(const std::string& label) const;

  // The saved serial; nullopt when there is none, or when the file is
  // unreadable (`problem` then says why).
  std::optional<uint32_t> ReadSerial(std::string* problem) const;
  Status SaveSerial(uint32_t serial) const;

 private:
  std::string RootPath(const std::string& label) const { return dir_ + "/roots/" + label + ".json"; }
  std::string dir_;
};

}  // namespace forest::helper
