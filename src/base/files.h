// File helpers. Writes are atomic: write to a temporary file in the same
// directory, fsync it, rename over the target, fsync the directory.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace forest {

// Reads a whole file, refusing files larger than `max_bytes`.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = 64u << 20);

// Atomically replaces `path` with `contents` (mode 0644 unless `mode` says otherwise).
Status WriteFileAtomic(const std::string& path, const std::string& contents, unsigned mode = 0644);

// WriteFileAtomic only when the file is missing or holds something else;
// returns whether it wrote.
Result<bool> WriteFileIfChanged(const std::string& path, const std::string& contents, unsigned mode = 0644);

// Creates `path` and its parents (like mkdir -p).
Status MakeDirs(const std::string& path);

// Removes `path` recursively if it exists.
Status RemoveTree(const std::string& path);

// An exclusive flock(2) on `path` (created 0600 if missing), held until the
// lock is destroyed: serialises read-modify-write of a state file between
// processes.
class FileLock {
 public:
  static Result<std::unique_ptr<FileLock>> Acquire(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// True when an executable `program` is in one of $PATH's directories.
bool OnPath(const std::string& program);

// This program's own path (/proc/self/exe); "" when it cannot be read.
std::string SelfBinary();

}  // namespace forest
