#include "helper/state_files.h"

#include <filesystem>

#include "base/files.h"
#include "helper/helper_state.h"

namespace forest::helper {

namespace fs = std::filesystem;

std::vector<SavedRoot> StateFiles::ReadRoots() const {
  std::vector<SavedRoot> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_ + "/roots", ec)) {
    auto text = ReadFile(e.path().string());
    if (!text.ok()) continue;
    out.push_back({e.path().stem().string(), e.path().string(), std::move(text).value()});
  }
  return out;
}

Status StateFiles::SaveRoot(const std::string& label, const std::string& text) const {
  FOREST_TRY(MakeDirs(dir_ + "/roots"));
  return WriteFileAtomic(RootPath(label), text);
}

void StateFiles::RemoveRoot(const std::string& label) const {
  std::error_code ec;
  fs::remove(RootPath(label), ec);
}

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
