#include "base/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace forest {
namespace {

Error ErrnoError(const std::string& what, const std::string& path) {
  return MakeError(path + ": " + what + ": " + std::strerror(errno));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

}  // namespace

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("cannot open for reading", path);
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) {
    return MakeError(path + ": file is " + std::to_string(size) + " bytes, more than the limit of " +
                     std::to_string(max_bytes));
  }
  // At most one byte past the limit, whatever it is: a pipe or /dev/zero
  // has no size to check first and would otherwise be read without end.
  std::string data;
  char buf[65536];
  while (data.size() <= max_bytes) {
    size_t want = std::min(sizeof buf, max_bytes + 1 - data.size());
    in.read(buf, static_cast<std::streamsize>(want));
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (in.bad()) return ErrnoError("read failed", path);
    if (in.eof() || in.gcount() == 0) break;
  }
  if (data.size() > max_bytes) {
    return MakeError(path + ": more than the limit of " + std::to_string(max_bytes) +
                     " bytes (read stops there; a file, a pipe or a device alike)");
  }
  return data;
}

Status WriteFileAtomic(const std::string& path, const std::string& contents, unsigned mode) {
  std::filesystem::path target(path);
  std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  Fd fd(::mkstemp(tmp.data()));
  if (fd.get() < 0) return ErrnoError("cannot create temporary file", tmp);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd.get(), contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = ErrnoError("write failed", tmp);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0) {
    Error e = ErrnoError("fchmod/fsync failed", tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd.release());
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = ErrnoError("rename failed", path);
    ::unlink(tmp.c_str());
    return e;
  }
  Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY));
  if (dfd.get() >= 0) ::fsync(dfd.get());
  return {};
}

Result<bool> WriteFileIfChanged(const std::string& path, const std::string& contents, unsigned mode) {
  auto cur = ReadFile(path);
  if (cur.ok() && *cur == contents) return false;
  FOREST_TRY(WriteFileAtomic(path, contents, mode));
  return true;
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return MakeError(path + ": cannot create directory: " + ec.message());
  return {};
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return MakeError(path + ": cannot remove: " + ec.message());
  return {};
}

Result<std::unique_ptr<FileLock>> FileLock::Acquire(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(path + ": " + std::strerror(errno));
  ::flock(fd, LOCK_EX);
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

FileLock::~FileLock() { ::close(fd_); }

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream in(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  std::string dir;
  while (std::getline(in, dir, ':')) {
    if (::access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::string SelfBinary() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

}  // namespace forest
