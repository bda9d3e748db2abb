// The helper's own state on disk, besides the CA's (helper/ca_files.h) and
// the roots' last good exports (<state>/roots/<label>.json, kept by the
// parent role, parent/child_exports.h): the zone serial, <state>/serial.
// Written atomically; forestd --role helper reads it at start, so a restart
// (even kill -9) serves the same view at once and the serial only grows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"

namespace forest::helper {

class StateFiles {
 public:
  explicit StateFiles(std::string dir) : dir_(std::move(dir)) {}

  // The saved serial; nullopt when there is none, or when the file is
  // unreadable (`problem` then says why).
  std::optional<uint32_t> ReadSerial(std::string* problem) const;
  Status SaveSerial(uint32_t serial) const;

 private:
  std::string dir_;
};

}  // namespace forest::helper
