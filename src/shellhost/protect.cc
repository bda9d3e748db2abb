#include "shellhost/protect.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/files.h"
#include "shell/protect.h"

namespace forest::shellhost {

namespace {

// An fd closed on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd >= 0) close(fd);
      fd = o.fd;
      o.fd = -1;
    }
    return *this;
  }
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

std::vector<std::string> Split(const std::string& rel) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string::npos) slash = rel.size();
    if (slash > start) parts.push_back(rel.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// The directory `rel` under `root`, every component opened without following
// a symlink; with `make`, missing components are made (0755, owned uid:gid).
Result<Fd> OpenDir(int root, const std::string& ws, const std::vector<std::string>& parts, bool make,
                   unsigned uid, unsigned gid) {
  Fd cur(dup(root));
  std::string at = ws;
  for (const auto& p : parts) {
    at += "/" + p;
    int next = openat(cur.fd, p.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0 && errno == ENOENT && make) {
      if (mkdirat(cur.fd, p.c_str(), 0755) != 0 && errno != EEXIST) return MakeError(Errno("mkdir " + at));
      if (fchownat(cur.fd, p.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
        return MakeError(Errno("chown " + at));
      next = openat(cur.fd, p.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (next < 0) {
      if (errno == ELOOP || errno == ENOTDIR) {
        return MakeError(at +
                         " is a symlink or not a directory; forest shell mounts protected paths read-only "
                         "and will not follow one (replace it, or list the path under `writable:`)");
      }
      return MakeError(Errno("open " + at));
    }
    cur = Fd(next);
  }
  return cur;
}

shell::PathKind KindAt(int root, const std::string& rel) {
  struct stat st {};
  if (fstatat(root, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return shell::PathKind::kMissing;
  if (S_ISDIR(st.st_mode)) return shell::PathKind::kDir;
  if (S_ISREG(st.st_mode)) return shell::PathKind::kFile;
  return shell::PathKind::kOther;
}

}  // namespace

Result<std::vector<std::string>> ProtectWorkspace(const std::string& workspace, const shell::Config& c,
                                                  const shell::Tool& tool) {
  Fd root(open(workspace.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.fd < 0) return MakeError(Errno("open " + workspace));
  shell::WorkspaceView view;
  // Lookups through a symlinked component find nothing there (kMissing or
  // kOther): only what is really inside the workspace counts.
  view.kind = [&](const std::string& rel) {
    std::vector<std::string> parts = Split(rel);
    if (parts.empty()) return shell::PathKind::kDir;
    std::string parent;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      parent += (parent.empty() ? "" : "/") + parts[i];
      if (KindAt(root.fd, parent) != shell::PathKind::kDir) return shell::PathKind::kMissing;
    }
    return KindAt(root.fd, rel);
  };
  view.subdirs = [&](const std::string& rel) {
    std::vector<std::string> out;
    auto dir = OpenDir(root.fd, workspace, Split(rel), false, 0, 0);
    if (!dir.ok()) return out;
    DIR* d = fdopendir(dup(dir->fd));
    if (!d) return out;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != ".." && KindAt(dir->fd, n) == shell::PathKind::kDir) out.push_back(n);
    }
    closedir(d);
    return out;
  };
  // What forest makes belongs to the owner of .git (else of the workspace).
  struct stat owner {};
  if (fstatat(root.fd, ".git", &owner, AT_SYMLINK_NOFOLLOW) != 0 && fstat(root.fd, &owner) != 0) {
    return MakeError(Errno("stat " + workspace));
  }
  std::vector<std::string> paths;
  for (const auto& p : shell::ProtectedPaths(c, tool, view)) {
    std::vector<std::string> parts = Split(p.path);
    std::string name = parts.back();
    parts.pop_back();
    FOREST_ASSIGN_OR_RETURN(Fd dir, OpenDir(root.fd, workspace, parts, p.make != shell::Protection::kKeep,
                                            owner.st_uid, owner.st_gid));
    std::string at = workspace + "/" + p.path;
    shell::PathKind k = KindAt(dir.fd, name);
    if (k == shell::PathKind::kOther) {
      return MakeError(at +
                       " is a symlink (or not a plain file or folder); forest shell mounts protected paths "
                       "read-only and will not follow it (replace it, or list it under `writable:`)");
    }
    if (k == shell::PathKind::kMissing && p.make == shell::Protection::kMakeDir) {
      if (mkdirat(dir.fd, name.c_str(), 0755) != 0) return MakeError(Errno("mkdir " + at));
      if (fchownat(dir.fd, name.c_str(), owner.st_uid, owner.st_gid, AT_SYMLINK_NOFOLLOW) != 0) {
        return MakeError(Errno("chown " + at));
      }
    } else if (k == shell::PathKind::kMissing && p.make == shell::Protection::kMakeFile) {
      Fd f(openat(dir.fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
      if (f.fd < 0) return MakeError(Errno("create " + at));
      if (write(f.fd, p.content.data(), p.content.size()) != static_cast<ssize_t>(p.content.size()) ||
          fchown(f.fd, owner.st_uid, owner.st_gid) != 0) {
        return MakeError(Errno("write " + at));
      }
    } else if (k == shell::PathKind::kMissing) {
      continue;  // gone since it was listed
    }
    paths.push_back(p.path);
  }
  return paths;
}

void DropPlaceholders(const std::string& workspace, const std::vector<std::string>& paths) {
  Fd root(open(workspace.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.fd < 0) return;
  for (const auto& rel : paths) {
    std::vector<std::string> parts = Split(rel);
    if (parts.empty()) continue;
    std::string name = parts.back();
    parts.pop_back();
    auto dir = OpenDir(root.fd, workspace, parts, false, 0, 0);
    if (!dir.ok() || KindAt(dir->fd, name) != shell::PathKind::kFile) continue;
    Fd f(openat(dir->fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    char buf[16];
    ssize_t n = f.fd < 0 ? -1 : read(f.fd, buf, sizeof buf);
    if (n >= 0 && shell::IsPlaceholder(rel, std::string(buf, static_cast<size_t>(n)))) {
      unlinkat(dir->fd, name.c_str(), 0);
    }
  }
}

shell::HostFacts ReadHostFacts() {
  shell::HostFacts h;
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n > 0) h.cpus = static_cast<unsigned>(n);
  if (auto t = ReadFile("/proc/sys/kernel/pid_max", 64); t.ok()) {
    long v = std::atol(t->c_str());
    if (v > 0) h.pid_max = v;
  }
  return h;
}

}  // namespace forest::shellhost
