// The helper's CA state on disk, <state>/ca (0700): the staged root
// (rootCA.pem, rootCA-key.pem), the issuance log issued.jsonl (appended with
// fsync) and the revocations revoked.json (read-modify-write under
// ca/revoked.lock, written atomically). forestd --role helper and
// `forest helper-revoke` (run in the helper by `forest cert revoke`) share it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "helper/revocations.h"

namespace forest::helper {

class CaFiles {
 public:
  explicit CaFiles(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string Path(const char* file) const { return dir_ + "/" + file; }

  Status AppendIssued(const Issuance& i) const;
  // No file yet: an empty log.
  Result<IssuedLog> ReadIssued() const;
  // No file yet: none revoked.
  Result<std::vector<Revocation>> ReadRevoked() const;
  // Adds the revocations whose serial is not revoked yet; returns those.
  Result<std::vector<Revocation>> AddRevoked(const std::vector<Revocation>& add) const;
  // `forest helper-revoke`: the leaves of the issuance log that `s` selects
  // (SelectForRevocation at `now`) added to the revocations, unless
  // `dry_run`; returns those it revoked (or would revoke).
  Result<std::vector<Revocation>> Revoke(const RevokeSelector& s, int64_t now, bool dry_run) const;

 private:
  std::string dir_;
};

// Modification time and size of `path` as text, "" when it does not exist:
// tells a daemon that another process changed the file.
std::string FileStamp(const std::string& path);

}  // namespace forest::helper
