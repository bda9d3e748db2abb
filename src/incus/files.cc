#include "incus/files.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "base/files.h"
#include "incus/api.h"

namespace forest::incus {

namespace {

namespace fs = std::filesystem;

std::string FilesPath(const std::string& instance, const std::string& path) {
  return "/1.0/instances/" + Escape(instance) + "/files?path=" + Escape(path);
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  }
  return "";
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// A name from the instance's listing that is safe as one path component.
bool SafeName(const std::string& n) {
  return !n.empty() && n != "." && n != ".." && n.find('/') == std::string::npos &&
         n.find('\0') == std::string::npos;
}

// Whether a relative symlink target stays inside the tree when the link sits
// `depth` directories below the tree's top.
bool StaysInside(const std::string& target, int depth) {
  if (target.empty() || target[0] == '/') return false;
  int level = depth;
  size_t i = 0;
  while (i <= target.size()) {
    size_t j = target.find('/', i);
    if (j == std::string::npos) j = target.size();
    std::string part = target.substr(i, j - i);
    if (part == "..") {
      if (--level < 0) return false;
    } else if (!part.empty() && part != ".") {
      ++level;
    }
    i = j + 1;
  }
  return true;
}

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status WriteAll(int fd, const std::string& data, const std::string& what) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeError(Errno("write " + what));
    }
    off += static_cast<size_t>(n);
  }
  return {};
}

// Creates `name` in directory `dirfd` from the instance's `path`.
Status PullInto(Client& c, const std::string& instance, const std::string& path, int dirfd,
                const std::string& name, const std::string& shown, int depth, bool recursive,
                CopyReport& rep) {
  FOREST_ASSIGN_OR_RETURN(FileEntry e, GetFileEntry(c, instance, path));
  if (e.type == "symlink") {
    // Incus reports a relative target joined to the link's directory
    // (/home/u/out/sub/f for "sub/f"): make it relative again.
    const std::string reported = e.content;
    if (!e.content.empty() && e.content[0] == '/') {
      auto rel = fs::path(e.content).lexically_normal().lexically_relative(fs::path(path).parent_path());
      if (!rel.empty()) e.content = rel.string();
    }
    if (!StaysInside(e.content, depth)) {
      rep.skipped.push_back(shown + ": symlink to " + reported + " leaves the pulled tree");
      return {};
    }
    if (symlinkat(e.content.c_str(), dirfd, name.c_str()) != 0) return MakeError(Errno("symlink " + shown));
    ++rep.symlinks;
    return {};
  }
  if (e.type == "directory") {
    if (!recursive) return MakeError(path + " is a directory; pass -r to copy it");
    if (mkdirat(dirfd, name.c_str(), 0700) != 0 && errno != EEXIST) {
      return MakeError(Errno("mkdir " + shown));
    }
    FdCloser sub(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (sub.get() < 0) return MakeError(Errno("open " + shown + " (not following symlinks)"));
    ++rep.directories;
    for (const auto& n : e.entries) {
      if (!SafeName(n)) {
        rep.skipped.push_back(shown + "/" + n + ": not a plain file name");
        continue;
      }
      FOREST_TRY(PullInto(c, instance, path + "/" + n, sub.get(), n, shown + "/" + n, depth + 1,
                          recursive, rep));
    }
    fchmod(sub.get(), e.mode & 07777 & ~06000u);
    return {};
  }
  if (e.type != "file") {
    rep.skipped.push_back(shown + ": " + e.type + " is not copied");
    return {};
  }
  FdCloser fd(openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return MakeError(Errno("create " + shown + " (not following symlinks)"));
  FOREST_TRY(WriteAll(fd.get(), e.content, shown));
  fchmod(fd.get(), e.mode & 0777);
  ++rep.files;
  return {};
}

std::string ModeString(unsigned mode) {
  char m[8];
  std::snprintf(m, sizeof m, "%04o", mode & 07777);
  return m;
}

Status PushOne(Client& c, const std::string& instance, const fs::path& src, const std::string& dest,
               bool recursive, unsigned uid, unsigned gid, CopyReport& rep) {
  struct stat st {};
  if (lstat(src.c_str(), &st) != 0) return MakeError(Errno(src.string()));
  Headers h = {{"Content-Type", "application/octet-stream"},
               {"X-Incus-uid", std::to_string(uid)},
               {"X-Incus-gid", std::to_string(gid)},
               {"X-Incus-mode", ModeString(st.st_mode)},
               {"X-Incus-write", "overwrite"}};
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    auto target = fs::read_symlink(src, ec);
    if (ec) return MakeError(src.string() + ": " + ec.message());
    h.push_back({"X-Incus-type", "symlink"});
    FOREST_TRY(c.PostRaw(FilesPath(instance, dest), target.string(), h));
    ++rep.symlinks;
    return {};
  }
  if (S_ISDIR(st.st_mode)) {
    if (!recursive) return MakeError(src.string() + " is a directory; pass -r to copy it");
    h.push_back({"X-Incus-type", "directory"});
    FOREST_TRY(c.PostRaw(FilesPath(instance, dest), "", h));
    ++rep.directories;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(src, ec)) {
      FOREST_TRY(PushOne(c, instance, e.path(), dest + "/" + e.path().filename().string(), recursive,
                         uid, gid, rep));
    }
    if (ec) return MakeError(src.string() + ": " + ec.message());
    return {};
  }
  if (!S_ISREG(st.st_mode)) {
    rep.skipped.push_back(src.string() + ": not a regular file");
    return {};
  }
  FOREST_ASSIGN_OR_RETURN(std::string body, ReadFile(src.string(), 1ull << 32));
  h.push_back({"X-Incus-type", "file"});
  FOREST_TRY(c.PostRaw(FilesPath(instance, dest), body, h));
  ++rep.files;
  return {};
}

}  // namespace

Result<FileEntry> GetFileEntry(Client& c, const std::string& instance, const std::string& path) {
  FOREST_ASSIGN_OR_RETURN(HttpResponse r, c.GetResponse(FilesPath(instance, path)));
  FileEntry e;
  e.type = Header(r, "X-Incus-Type");
  if (e.type.empty()) e.type = "file";
  auto num = [&](const char* name, unsigned base, unsigned fallback) {
    std::string v = Header(r, name);
    return v.empty() ? fallback : static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, base));
  };
  e.mode = num("X-Incus-Mode", 8, 0644);
  e.uid = num("X-Incus-Uid", 10, 0);
  e.gid = num("X-Incus-Gid", 10, 0);
  if (e.type == "directory") {
    Json j = Json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("metadata") || !j["metadata"].is_array()) {
      return MakeError(instance + ":" + path + ": the directory listing is not JSON");
    }
    for (const auto& n : j["metadata"]) {
      if (n.is_string()) e.entries.push_back(n.get<std::string>());
    }
  } else {
    e.content = std::move(r.body);
  }
  return e;
}

Result<CopyReport> PullTree(Client& c, const std::string& instance, const std::string& src,
                            const std::string& dest, bool recursive) {
  std::string clean = src;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  std::string base = clean.substr(clean.find_last_of('/') + 1);
  if (!SafeName(base)) return MakeError(src + ": name a file or directory, not " + clean);
  std::error_code ec;
  fs::path parent;
  std::string name;
  if (fs::is_directory(dest, ec)) {
    parent = dest;
    name = base;
  } else {
    fs::path d(dest);
    parent = d.has_parent_path() ? d.parent_path() : fs::path(".");
    name = d.filename().string();
    if (!SafeName(name)) return MakeError(dest + ": name the destination file or directory");
  }
  FdCloser dir(open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return MakeError(Errno(parent.string()));
  CopyReport rep;
  FOREST_TRY(PullInto(c, instance, clean, dir.get(), name, (parent / name).string(), 0, recursive, rep));
  return rep;
}

Result<CopyReport> PushTree(Client& c, const std::string& instance, const std::string& src,
                            const std::string& dest, bool recursive, unsigned uid, unsigned gid) {
  fs::path s(src);
  while (s.string().size() > 1 && s.string().back() == '/') s = s.string().substr(0, s.string().size() - 1);
  std::string target = dest;
  if (!target.empty() && target.back() == '/') target += s.filename().string();
  if (target.empty() || target[0] != '/') return MakeError(dest + ": give an absolute path in the jail");
  CopyReport rep;
  FOREST_TRY(PushOne(c, instance, s, target, recursive, uid, gid, rep));
  return rep;
}

}  // namespace forest::incus
