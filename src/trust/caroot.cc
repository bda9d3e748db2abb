#include "trust/caroot.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "base/clock.h"
#include "base/files.h"
#include "base/invoker.h"

namespace forest::trust {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

}  // namespace

std::string DefaultCaroot() {
  if (const char* c = std::getenv("CAROOT"); c && *c) return c;
  // Under sudo the invoking user's root, from their home in the password
  // database: `sudo` and `sudo -E` pass different HOME and XDG_DATA_HOME,
  // and the forest's trust anchor must not depend on which was typed.
  if (auto me = CurrentInvoker(); me.ok() && me->sudo && !me->home.empty()) {
    return me->home + "/.local/share/mkcert";
  }
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/mkcert";
  const char* home = std::getenv("HOME");
  std::string h = home && *home ? home : "/root";
  return h + "/.local/share/mkcert";
}

std::optional<FileOwner> InvokerOwner() {
  auto me = CurrentInvoker();
  if (!me.ok() || !me->sudo) return std::nullopt;
  return FileOwner{me->uid, me->gid};
}

std::string UserAndHostname() {
  std::string user = "unknown";
  // Under sudo the root is the invoking user's, and named for them.
  if (auto me = CurrentInvoker(); me.ok() && !me->name.empty()) {
    user = me->name;
  } else if (const passwd* pw = getpwuid(getuid())) {
    user = pw->pw_name;
  }
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return user + "@" + (host[0] ? host : "localhost");
}

Result<HostRoot> LoadOrCreateRoot(const std::string& dir, bool create, std::optional<FileOwner> owner) {
  HostRoot r;
  r.dir = dir;
  std::string cert_path = dir + "/" + kRootCertFile, key_path = dir + "/" + kRootKeyFile;
  bool has_cert = Exists(cert_path), has_key = Exists(key_path);
  if (!has_cert && !has_key) {
    if (!create) {
      return MakeError(dir + ": no mkcert root here (" + kRootCertFile + ", " + kRootKeyFile +
                       "); run `mkcert -install` or `forest ca stage` to create one");
    }
    FOREST_ASSIGN_OR_RETURN(r.files, CreateRoot(UserAndHostname(), UnixNow()));
    if (owner) {
      FOREST_TRY(MakeDirsOwned(dir, owner->uid, owner->gid));
    } else {
      FOREST_TRY(MakeDirs(dir));
    }
    FOREST_TRY(WriteFileAtomic(key_path, r.files.key_pem, 0400));
    FOREST_TRY(WriteFileAtomic(cert_path, r.files.cert_pem, 0644));
    for (const auto& f : {key_path, cert_path}) {
      if (owner && chown(f.c_str(), owner->uid, owner->gid) != 0) {
        return MakeError("chown " + f + " to " + std::to_string(owner->uid) + ":" + std::to_string(owner->gid) +
                         ": " + std::strerror(errno));
      }
    }
    r.created = true;
    return r;
  }
  if (!has_cert || !has_key) {
    return MakeError(dir + ": " + (has_cert ? key_path : cert_path) + " is missing while " +
                     (has_cert ? cert_path : key_path) +
                     " exists; restore it, or move both away to have a new root made");
  }
  FOREST_ASSIGN_OR_RETURN(r.files.cert_pem, ReadFile(cert_path, kMaxPemBytes));
  FOREST_ASSIGN_OR_RETURN(r.files.key_pem, ReadFile(key_path, kMaxPemBytes));
  auto loaded = CaRoot::Load(r.files.cert_pem, r.files.key_pem);
  if (!loaded.ok()) return loaded.error().Wrap(dir);
  return r;
}

}  // namespace forest::trust
