#include "render/writer.h"

#include <climits>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/files.h"

namespace forest::render {

namespace fs = std::filesystem;

Status WriteMaterialization(const std::string& dir, const FileTree& tree) {
  FOREST_TRY(MakeDirs(dir));
  const fs::path base(dir);
  const fs::path next = base / ".content.next";
  const fs::path old = base / ".content.old";
  FOREST_TRY(RemoveTree(next.string()));
  FOREST_TRY(RemoveTree(old.string()));
  for (const auto& [rel, file] : tree) {
    fs::path p = next / rel;
    FOREST_TRY(MakeDirs(p.parent_path().string()));
    FOREST_TRY(WriteFileAtomic(p.string(), file.contents, file.mode));
  }
  std::error_code ec;
  const fs::path content = base / "content";
  if (fs::exists(content)) {
    fs::rename(content, old, ec);
    if (ec) return MakeError(content.string() + ": cannot move aside: " + ec.message());
  }
  fs::rename(next, content, ec);
  if (ec) return MakeError(next.string() + ": cannot move into place: " + ec.message());
  return RemoveTree(old.string());
}

Result<plan::SlotMemory> ParseSlotMemory(std::string_view text, const std::string& file) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return MakeError(file + ": not a JSON object of canonical name → slot; remove it to reassign slots");
  }
  plan::SlotMemory slots;
  for (const auto& [name, slot] : j.items()) {
    // An integer that does not fit an int is refused, not truncated.
    bool fits = slot.is_number_unsigned() ? slot.get<uint64_t>() <= uint64_t{INT_MAX}
                                          : slot.is_number_integer() && slot.get<int64_t>() >= INT_MIN &&
                                                slot.get<int64_t>() <= INT_MAX;
    if (!fits) return MakeError(file + ": " + name + ": slot is not an integer");
    slots[name] = slot.get<int>();
  }
  return slots;
}

std::string SlotMemoryJson(const plan::SlotMemory& slots) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, slot] : slots) j[name] = slot;
  return j.dump(2) + "\n";
}

Result<plan::SlotMemory> ReadSlotMemory(const std::string& dir) {
  std::string path = (fs::path(dir) / "slots.json").string();
  if (!fs::exists(path)) return plan::SlotMemory{};
  FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 1u << 20));
  return ParseSlotMemory(text, path);
}

Status WriteSlotMemory(const std::string& dir, const plan::SlotMemory& slots) {
  return WriteFileAtomic((fs::path(dir) / "slots.json").string(), SlotMemoryJson(slots));
}

Result<std::map<std::string, std::string>> ReadRuntimeBundle(const std::string& self) {
  if (self.empty()) return MakeError("/proc/self/exe: cannot find the forest binary");
  std::map<std::string, std::string> files;
  for (const char* name : {"forest", "forestd"}) {
    fs::path p = fs::path(self).parent_path() / name;
    auto bytes = ReadFile(p.string(), 512u << 20);
    if (!bytes.ok()) {
      return bytes.error().Wrap(std::string("runtime bundle needs ") + name +
                                " next to forest (or pass --no-runtime)");
    }
    files[std::string("bin/") + name] = std::move(bytes).value();
  }
  return files;
}

}  // namespace forest::render
