// Copying trees between the host and an instance over the files API.
// Pulling never follows a symlink on the host: every component is opened
// relative to its directory with O_NOFOLLOW, and symlinks whose targets leave
// the pulled tree (absolute, or too many "..") are skipped and reported.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "incus/client.h"

namespace forest::incus {

struct FileEntry {
  std::string type;  // "file", "directory" or "symlink"
  unsigned mode = 0644;
  unsigned uid = 0;
  unsigned gid = 0;
  std::string content;               // file bytes, or a symlink's target
  std::vector<std::string> entries;  // a directory's names
};
Result<FileEntry> GetFileEntry(Client& c, const std::string& instance, const std::string& path);

// What a copy did, for the user: counts and what it left out.
struct CopyReport {
  int files = 0;
  int directories = 0;
  int symlinks = 0;
  std::vector<std::string> skipped;  // "path: why"
};

// Copies the instance's `src` (file, or directory with `recursive`) to
// `dest` on the host: into `dest` when it is an existing directory, else as
// `dest`. Files get their mode bits, not their owner.
Result<CopyReport> PullTree(Client& c, const std::string& instance, const std::string& src,
                            const std::string& dest, bool recursive);

// Copies host `src` (file, or directory with `recursive`) to `dest` in the
// instance (into it when `dest` ends in '/'), owned by uid:gid.
Result<CopyReport> PushTree(Client& c, const std::string& instance, const std::string& src,
                            const std::string& dest, bool recursive, unsigned uid, unsigned gid);

}  // namespace forest::incus
