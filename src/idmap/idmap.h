// The nested-node contract for a shared folder's owner, once: a node without
// idmapped mounts lets its child see a folder with the owner's ids by
// allowing root:<id>:1 in /etc/subuid and /etc/subgid and mapping the ids to
// themselves in the child's raw.idmap. Root is never mapped through.
// Pure; owner.h reads the folder and writes the files.
#pragma once

#include <optional>
#include <string>

namespace forest::idmap {

struct Owner {
  unsigned uid = 0;
  unsigned gid = 0;
  bool operator==(const Owner&) const = default;
};

// Whether the owner can be mapped: neither id is root's.
bool Mappable(const Owner& o);

// A subordinate-id file's text with "root:<id>:1" added (a newline ended
// first when the text lacks one); nullopt when that line is there already.
std::optional<std::string> WithRootId(const std::string& text, unsigned id);

// The raw.idmap lines that map `o` to itself: "uid U U\ngid G G\n".
std::string SelfMap(const Owner& o);

}  // namespace forest::idmap
