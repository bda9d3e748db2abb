#include "up/remembered.h"

#include <filesystem>

#include "base/files.h"
#include "render/writer.h"
#include "up/registry.h"

namespace forest::up {

namespace fs = std::filesystem;

Result<Remembered> LoadAndPlanRemembered(const std::string& file, const std::string& slots_dir,
                                         bool must_exist) {
  Remembered r;
  r.slots_dir = slots_dir;
  if (r.slots_dir.empty()) {
    FOREST_ASSIGN_OR_RETURN(auto first, LoadAndPlan(file));
    r.slots_dir = ForestStateDir(first->topology.name);
  }
  std::error_code ec;
  r.had_slots = fs::exists(r.slots_dir + "/slots.json", ec);
  if (must_exist && !r.had_slots && !fs::is_directory(r.slots_dir, ec)) {
    return MakeError(r.slots_dir + ": no such materialization; give the NAME `forest generate` wrote");
  }
  FOREST_ASSIGN_OR_RETURN(auto slots, render::ReadSlotMemory(r.slots_dir));
  FOREST_ASSIGN_OR_RETURN(r.loaded, LoadAndPlan(file, slots));
  return r;
}

Status Remember(const Remembered& r) {
  FOREST_TRY(MakeDirs(r.slots_dir));
  FOREST_TRY(render::WriteSlotMemory(r.slots_dir, r.loaded->plan.Slots()));
  return WriteFileAtomic(r.slots_dir + "/topology.yaml", r.loaded->text);
}

Result<std::string> TopologyOrRemembered(const std::string& arg) {
  std::error_code ec;
  if (fs::exists(arg, ec) || arg.find('/') != std::string::npos) return arg;
  std::string saved = ForestStateDir(arg) + "/topology.yaml";
  if (!fs::exists(saved, ec)) {
    return MakeError("no topology file '" + arg + "' and no forest named '" + arg + "' brought up here (" +
                     StateRoot() + "); `forest status` lists them");
  }
  return saved;
}

bool Forget(const std::string& dir) {
  std::error_code ec;
  bool shell = fs::exists(dir + "/shell.json", ec);
  fs::remove_all(dir, ec);
  return shell;
}

}  // namespace forest::up
