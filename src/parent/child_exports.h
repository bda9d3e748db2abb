// The parent's half of upward publication (DESIGN.md, Upward publication),
// for both kinds of parent: a node with its children (node/reconcile.h) and
// the helper with the forest's roots (helper/helper_state.h). For each child
// it knows what it delegated; an export the child offers is checked against
// that (registration::ValidateChildExport: source_node is the child, names
// and prefixes inside its delegation), kept as the child's last good one when
// valid and refused whole when not, the last good one staying. With a
// directory, every new last good export is saved there atomically
// (<dir>/<label>.json: write, fsync, rename) and Load() reads them back at
// start, each checked again. Without one it does no I/O.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "registration/registration.h"

namespace forest::parent {

class ChildExports {
 public:
  // `delegations`: child label → what the parent delegated to it. `dir` ""
  // keeps everything in memory.
  explicit ChildExports(std::map<std::string, registration::Delegation> delegations, std::string dir = "");

  const std::map<std::string, registration::Delegation>& delegations() const { return delegations_; }
  const registration::Delegation* Find(std::string_view label) const;
  // label → last valid export, normalised.
  const std::map<std::string, registration::Export>& last_good() const { return last_good_; }

  // Checks an export of child `label`: an error says why it is refused.
  Result<registration::Export> Check(const std::string& label, registration::Export e) const;
  Result<registration::Export> Check(const std::string& label, std::string_view text) const;

  struct Offered {
    bool changed = false;  // a new last good export (saved, when there is a directory)
    Status saved;          // why saving it failed; it is kept in memory all the same
  };
  // A refused export is an error and leaves the last good one in place.
  Result<Offered> Offer(const std::string& label, const registration::Export& e);
  Result<Offered> Offer(const std::string& label, std::string_view text);

  // Keeps a saved export without saving it again (checked like an offered one).
  Status Restore(const std::string& label, std::string_view text);

  // The child's names go: its last good export and its file. False when it
  // had none.
  bool Drop(const std::string& label);

  struct Loaded {
    std::vector<std::string> labels;  // restored
    std::vector<std::string> log;     // files ignored (and removed), with why
  };
  // Restores every export saved in the directory; a file that no longer
  // passes the check (the plan changed, say) is removed.
  Loaded Load();

 private:
  std::string PathOf(const std::string& label) const { return dir_ + "/" + label + ".json"; }

  std::map<std::string, registration::Delegation> delegations_;
  std::string dir_;
  std::map<std::string, registration::Export> last_good_;
};

}  // namespace forest::parent
