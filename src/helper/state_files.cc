#include "helper/state_files.h"

#include "base/files.h"
#include "helper/helper_state.h"

namespace forest::helper {

std::optional<uint32_t> StateFiles::ReadSerial(std::string* problem) const {
  std::string file = dir_ + "/serial";
  auto text = ReadFile(file, 64);
  if (!text.ok()) return std::nullopt;
  auto parsed = HelperState::ParseSerial(*text, file);
  if (!parsed.ok()) {
    if (problem) *problem = parsed.error().message;
    return std::nullopt;
  }
  return *parsed;
}

Status StateFiles::SaveSerial(uint32_t serial) const {
  FOREST_TRY(MakeDirs(dir_));
  return WriteFileAtomic(dir_ + "/serial", HelperState::SerialText(serial));
}

}  // namespace forest::helper
