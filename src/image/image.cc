#include "image/image.h"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "base/files.h"
#include "incus/api.h"
#include "render/embedded.h"
#include "render/sha256.h"

namespace forest::image {

namespace {

Result<std::string> BuildScript() {
  for (const auto& f : render::EmbeddedTemplates()) {
    if (std::string(f.path) == "image/build.sh") return std::string(f.contents);
  }
  return MakeError("internal: templates/image/build.sh is not embedded");
}

std::string Mirror() {
  const char* m = std::getenv("FOREST_DEBIAN_MIRROR");
  return m && *m ? m : "http://deb.debian.org/debian";
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

const char* KindName(Kind k) { return k == Kind::kNode ? "node" : "workload"; }
std::string Alias(Kind k) { return std::string("forest-") + KindName(k); }

std::string CacheDir() {
  const char* d = std::getenv("FOREST_IMAGE_CACHE");
  return d && *d ? d : "/var/cache/forest/images";
}

std::string RecipeHash(Kind k) {
  auto script = BuildScript();
  std::string recipe = (script.ok() ? *script : std::string()) + "\nkind=" + KindName(k) +
                       "\nmirror=" + Mirror() + "\n";
  return render::Sha256Hex(recipe);
}

std::string CachedTarball(Kind k) {
  return CacheDir() + "/" + KindName(k) + "-" + RecipeHash(k).substr(0, 16) + ".tar.gz";
}

Result<std::string> EnsureBuilt(Kind k, const Progress& progress, bool force) {
  std::string out = CachedTarball(k);
  if (!force && std::filesystem::exists(out)) return out;
  if (geteuid() != 0) {
    return MakeError(std::string("building the ") + KindName(k) +
                     " image needs root (debootstrap, chroot); run `sudo forest image build`");
  }
  FOREST_ASSIGN_OR_RETURN(std::string script, BuildScript());
  std::string work = CacheDir() + "/work-" + KindName(k);
  FOREST_TRY(MakeDirs(work));
  std::string script_path = work + "/build.sh";
  FOREST_TRY(WriteFileAtomic(script_path, script, 0755));
  std::string cmd = "bash " + ShellQuote(script_path) + " " + KindName(k) + " " + ShellQuote(work) +
                    " " + ShellQuote(out) + " 2>&1";
  auto start = std::chrono::steady_clock::now();
  progress(std::string("building ") + KindName(k) + " image (recipe " +
           RecipeHash(k).substr(0, 12) + ", log " + work + "/build.log)");
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return MakeError("cannot run " + script_path);
  std::string tail;
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now() - start).count();
    progress("  [" + std::to_string(secs) + "s] " + line);
    tail += line + "\n";
    if (tail.size() > 8000) tail.erase(0, tail.size() - 8000);
  }
  int rc = pclose(p);
  if (rc != 0 || !std::filesystem::exists(out)) {
    return MakeError(std::string("building the ") + KindName(k) + " image failed (exit " +
                     std::to_string(WEXITSTATUS(rc)) + "); see " + work + "/build.log");
  }
  return out;
}

Result<std::string> EnsureImported(incus::Client& c, Kind k, const Progress& progress) {
  FOREST_ASSIGN_OR_RETURN(std::string tarball, EnsureBuilt(k, progress));
  // The fingerprint of a unified tarball is its sha256; remember it beside it.
  std::string fp_path = tarball + ".sha256";
  std::string fp;
  if (auto r = ReadFile(fp_path); r.ok() && r->size() >= 64) {
    fp = r->substr(0, 64);
  } else {
    FOREST_ASSIGN_OR_RETURN(std::string bytes, ReadFile(tarball, size_t{8} << 30));
    fp = render::Sha256Hex(bytes);
    FOREST_TRY(WriteFileAtomic(fp_path, fp + "\n"));
  }
  FOREST_ASSIGN_OR_RETURN(bool have, incus::ImageExists(c, fp));
  if (!have) {
    progress(std::string("importing ") + KindName(k) + " image " + fp.substr(0, 12));
    FOREST_ASSIGN_OR_RETURN(std::string got, incus::ImportImage(c, tarball, /*public=*/true));
    if (got != fp) {
      return MakeError(tarball + ": Incus computed fingerprint " + got + ", expected " + fp);
    }
  }
  FOREST_TRY(incus::SetImageAlias(c, Alias(k), fp));
  return fp;
}

}  // namespace forest::image
