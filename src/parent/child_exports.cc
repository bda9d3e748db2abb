#include "parent/child_exports.h"

#include <filesystem>

#include "base/files.h"

namespace forest::parent {

namespace fs = std::filesystem;

ChildExports::ChildExports(std::map<std::string, registration::Delegation> delegations, std::string dir)
    : delegations_(std::move(delegations)), dir_(std::move(dir)) {}

const registration::Delegation* ChildExports::Find(std::string_view label) const {
  auto it = delegations_.find(std::string(label));
  return it == delegations_.end() ? nullptr : &it->second;
}

Result<registration::Export> ChildExports::Check(const std::string& label, registration::Export e) const {
  const registration::Delegation* d = Find(label);
  if (!d) return MakeError(label + " is not a child this parent delegated to in the plan");
  FOREST_TRY(registration::ValidateChildExport(e, *d));
  registration::Normalize(e);
  return e;
}

Result<registration::Export> ChildExports::Check(const std::string& label, std::string_view text) const {
  if (!Find(label)) return MakeError(label + " is not a child this parent delegated to in the plan");
  FOREST_ASSIGN_OR_RETURN(registration::Export e, registration::Parse(text));
  return Check(label, std::move(e));
}

Result<ChildExports::Offered> ChildExports::Offer(const std::string& label, const registration::Export& e) {
  FOREST_ASSIGN_OR_RETURN(registration::Export valid, Check(label, e));
  Offered out;
  auto it = last_good_.find(label);
  if (it != last_good_.end() && it->second == valid) return out;
  out.changed = true;
  if (!dir_.empty()) {
    out.saved = MakeDirs(dir_);
    if (out.saved.ok()) out.saved = WriteFileAtomic(PathOf(label), registration::Serialize(valid));
  }
  last_good_[label] = std::move(valid);
  return out;
}

Result<ChildExports::Offered> ChildExports::Offer(const std::string& label, std::string_view text) {
  if (!Find(label)) return MakeError(label + " is not a child this parent delegated to in the plan");
  FOREST_ASSIGN_OR_RETURN(registration::Export e, registration::Parse(text));
  return Offer(label, e);
}

Status ChildExports::Restore(const std::string& label, std::string_view text) {
  FOREST_ASSIGN_OR_RETURN(registration::Export e, Check(label, text));
  last_good_[label] = std::move(e);
  return {};
}

bool ChildExports::Drop(const std::string& label) {
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove(PathOf(label), ec);
  }
  return last_good_.erase(label) > 0;
}

ChildExports::Loaded ChildExports::Load() {
  Loaded out;
  if (dir_.empty()) return out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    std::string path = entry.path().string();
    if (entry.path().extension() != ".json") continue;  // a writer's temporary file, say
    std::string label = entry.path().stem().string();
    auto text = ReadFile(path);
    Status s = text.ok() ? Restore(label, *text) : Status(text.error());
    if (s.ok()) {
      out.labels.push_back(label);
      continue;
    }
    out.log.push_back(path + ": ignored and removed: " + s.error().message);
    fs::remove(entry.path(), ec);
  }
  return out;
}

}  // namespace forest::parent
