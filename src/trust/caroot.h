// The host's mkcert root on disk (DESIGN.md, Trust): where mkcert keeps it
// ($CAROOT, else $XDG_DATA_HOME/mkcert, else ~/.local/share/mkcert), read or
// created in mkcert's layout (rootCA.pem 0644, rootCA-key.pem 0400).
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "trust/x509.h"

namespace forest::trust {

inline constexpr char kRootCertFile[] = "rootCA.pem";
inline constexpr char kRootKeyFile[] = "rootCA-key.pem";

// mkcert's CAROOT for this process's environment: $CAROOT; under sudo the
// invoking user's ~/.local/share/mkcert (home from the password database);
// else $XDG_DATA_HOME/mkcert or ~/.local/share/mkcert.
std::string DefaultCaroot();

// "user@host" the way mkcert names its roots.
std::string UserAndHostname();

struct HostRoot {
  std::string dir;
  RootFiles files;
  bool created = false;  // true when this call made it
};

// Who owns a root forest makes: under sudo the invoking user (it is made in
// their home), else nobody in particular (nullopt: the process's own ids).
struct FileOwner {
  unsigned uid = 0;
  unsigned gid = 0;
};
std::optional<FileOwner> InvokerOwner();

// Reads the root in `dir`; when both files are missing and `create` is set,
// makes a new mkcert-compatible root there first, its files and the folders
// it makes owned by `owner` when given (forest never leaves root-owned files
// in a user's home). A half-present root (one file without the other) or one
// that does not load is an error that says what to do; nothing is overwritten.
Result<HostRoot> LoadOrCreateRoot(const std::string& dir, bool create,
                                  std::optional<FileOwner> owner = std::nullopt);

}  // namespace forest::trust
