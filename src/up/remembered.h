// What `forest up` remembers of a forest in its state directory
// (StateRoot()/NAME): the topology it last brought up and the slots its
// children hold for life. `plan`, `generate`, `up` and `down` read it here.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "up/inputs.h"

namespace forest::up {

// A topology planned with remembered slots.
struct Remembered {
  std::unique_ptr<Loaded> loaded;
  std::string slots_dir;   // where the slots came from (and where `up` writes them)
  bool had_slots = false;  // SLOTS_DIR/slots.json was there
};

// FILE planned with the slots in SLOTS_DIR/slots.json; with SLOTS_DIR empty,
// with those `forest up` remembered for the forest FILE names. A missing
// slots.json means no slots yet; with MUST_EXIST, a missing SLOTS_DIR is an
// error (`forest plan -m NAME` of a materialization that is not there).
Result<Remembered> LoadAndPlanRemembered(const std::string& file, const std::string& slots_dir = "",
                                         bool must_exist = false);

// `forest up`'s record before it builds: SLOTS_DIR/slots.json (the plan's
// slots) and SLOTS_DIR/topology.yaml (the file's bytes), atomically.
Status Remember(const Remembered& r);

// For `forest down ARG`: ARG when it is a file; else, for a bare name, the
// topology remembered for the forest of that name.
Result<std::string> TopologyOrRemembered(const std::string& arg);

// Removes what `up` remembered in DIR; true when it was forest shell's
// forest (it held shell.json), whose policy table goes with it.
bool Forget(const std::string& dir);

}  // namespace forest::up
