#include "up/node_binary.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "base/files.h"

namespace forest::up {

namespace fs = std::filesystem;

std::string NodeBinary(const std::string& self, const std::string& cache_dir, ProcessRunner& run) {
  std::error_code ec;
  auto size = fs::file_size(self, ec);
  if (ec) return self;
  auto mtime = fs::last_write_time(self, ec);
  if (ec) return self;
  const std::string prefix = "forest-";
  std::string name = prefix + std::to_string(size) + "-" + std::to_string(mtime.time_since_epoch().count());
  std::string out = cache_dir + "/" + name;
  if (fs::is_regular_file(out, ec)) return out;
  if (!MakeDirs(cache_dir).ok()) return self;
  std::string tmp = out + ".strip." + std::to_string(getpid());
  auto r = run.Run({.argv = {"strip", "--strip-debug", "-o", tmp, self}, .timeout = std::chrono::minutes(2)});
  auto stripped =
      r.ok() && r->ok() ? ReadFile(tmp, size_t{1} << 30) : Result<std::string>(MakeError("strip"));
  fs::remove(tmp, ec);
  if (!stripped.ok() || stripped->empty() || !WriteFileAtomic(out, *stripped, 0755).ok()) return self;
  for (const auto& e : fs::directory_iterator(cache_dir, ec)) {
    std::string f = e.path().filename().string();
    if (f != name && f.rfind(prefix, 0) == 0) fs::remove(e.path(), ec);
  }
  return out;
}

}  // namespace forest::up
