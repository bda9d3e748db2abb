#include "helper/ca_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "base/files.h"

namespace forest::helper {

Status CaFiles::AppendIssued(const Issuance& i) const {
  std::string path = Path(kIssuedFile);
  std::string line = i.ToJson().dump() + "\n";
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return MakeError(path + ": cannot append (" + std::strerror(errno) + ")");
  bool ok = std::fwrite(line.data(), 1, line.size(), f) == line.size() && std::fflush(f) == 0 && fsync(fileno(f)) == 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) return MakeError(path + ": append failed (" + std::strerror(errno) + ")");
  return {};
}

Result<IssuedLog> CaFiles::ReadIssued() const {
  std::string path = Path(kIssuedFile);
  if (::access(path.c_str(), F_OK) != 0) return IssuedLog{};
  FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 256u << 20));
  return ParseIssuedLog(text);
}

Result<std::vector<Revocation>> CaFiles::ReadRevoked() const {
  std::string path = Path(kRevokedFile);
  if (::access(path.c_str(), F_OK) != 0) return std::vector<Revocation>{};
  FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 64u << 20));
  return ParseRevocations(text, path);
}

Result<std::vector<Revocation>> CaFiles::AddRevoked(const std::vector<Revocation>& add) const {
  FOREST_TRY(MakeDirs(dir_));
  FOREST_ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(Path("revoked.lock")));
  FOREST_ASSIGN_OR_RETURN(std::vector<Revocation> all, ReadRevoked());
  std::set<std::string> have;
  for (const auto& r : all) have.insert(r.serial);
  std::vector<Revocation> added;
  for (const auto& r : add) {
    if (have.insert(r.serial).second) added.push_back(r);
  }
  if (added.empty()) return added;
  all.insert(all.end(), added.begin(), added.end());
  FOREST_TRY(WriteFileAtomic(Path(kRevokedFile), SerializeRevocations(std::move(all)), 0600));
  return added;
}

Result<std::vector<Revocation>> CaFiles::Revoke(const RevokeSelector& s, int64_t now, bool dry_run) const {
  FOREST_ASSIGN_OR_RETURN(IssuedLog issued, ReadIssued());
  FOREST_ASSIGN_OR_RETURN(std::vector<Revocation> revoked, ReadRevoked());
  std::set<std::string> serials;
  for (const auto& r : revoked) serials.insert(r.serial);
  FOREST_ASSIGN_OR_RETURN(std::vector<Revocation> chosen,
                          SelectForRevocation(issued.issued, serials, s, now));
  if (dry_run) return chosen;
  return AddRevoked(chosen);
}

std::string FileStamp(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + "/" +
         std::to_string(st.st_size) + "/" + std::to_string(st.st_ino);
}

}  // namespace forest::helper
