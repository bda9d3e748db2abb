// Writes a materialization: NAME/ stays, NAME/content/ is replaced wholesale
// (built beside it, then swapped in by rename), NAME/slots.json remembers slot
// assignments across regenerations.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "plan/plan.h"
#include "render/materialize.h"

namespace forest::render {

Status WriteMaterialization(const std::string& dir, const FileTree& tree);

// Slots remembered in NAME/slots.json (empty when absent).
Result<plan::SlotMemory> ReadSlotMemory(const std::string& dir);
Status WriteSlotMemory(const std::string& dir, const plan::SlotMemory& slots);
// The file's text: a JSON object of canonical name → slot. Errors name `file`.
Result<plan::SlotMemory> ParseSlotMemory(std::string_view text, const std::string& file);
std::string SlotMemoryJson(const plan::SlotMemory& slots);

// The runtime bundle of a materialization (artifacts/bin/): the forest
// binary SELF and the forestd beside it.
Result<std::map<std::string, std::string>> ReadRuntimeBundle(const std::string& self);

}  // namespace forest::render
