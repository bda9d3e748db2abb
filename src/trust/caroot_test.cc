#include "trust/caroot.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace forest::trust {
namespace {

// Sets environment variables for one test and puts them back after.
class Env {
 public:
  void Set(const char* k, const char* v) {
    if (!saved_.count(k)) {
      const char* old = std::getenv(k);
      saved_[k] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (v) {
      setenv(k, v, 1);
    } else {
      unsetenv(k);
    }
  }
  ~Env() {
    for (const auto& [k, v] : saved_) {
      if (v) {
        setenv(k.c_str(), v->c_str(), 1);
      } else {
        unsetenv(k.c_str());
      }
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST(Caroot, UnderSudoTheInvokersHomeWhateverHomeSays) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (sudo's view)";
  Env env;
  env.Set("CAROOT", nullptr);
  env.Set("SUDO_UID", "65534");  // nobody: home /nonexistent in Debian's passwd
  env.Set("SUDO_GID", "65534");
  for (const char* home : {"/root", "/tmp/someone-else"}) {
    env.Set("HOME", home);
    env.Set("XDG_DATA_HOME", (std::string(home) + "/.local/share").c_str());
    EXPECT_EQ(DefaultCaroot(), "/nonexistent/.local/share/mkcert") << home;
  }
  env.Set("CAROOT", "/srv/ca");  // an explicit CAROOT still wins
  EXPECT_EQ(DefaultCaroot(), "/srv/ca");
  env.Set("CAROOT", nullptr);
  env.Set("SUDO_UID", nullptr);
  env.Set("HOME", "/tmp/h");
  env.Set("XDG_DATA_HOME", nullptr);
  EXPECT_EQ(DefaultCaroot(), "/tmp/h/.local/share/mkcert");
}

TEST(Caroot, ARootMadeForTheInvokerIsTheirs) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (chown)";
  namespace fs = std::filesystem;
  fs::path base = fs::temp_directory_path() / ("caroot-test-" + std::to_string(getpid()));
  fs::create_directories(base);
  std::string dir = (base / "home/.local/share/mkcert").string();
  auto r = LoadOrCreateRoot(dir, true, FileOwner{2345, 2346});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->created);
  for (const auto& p : {base / "home", base / "home/.local", base / "home/.local/share", fs::path(dir),
                        fs::path(dir) / kRootCertFile, fs::path(dir) / kRootKeyFile}) {
    struct stat st {};
    ASSERT_EQ(lstat(p.c_str(), &st), 0) << p;
    EXPECT_EQ(st.st_uid, 2345u) << p;
    EXPECT_EQ(st.st_gid, 2346u) << p;
  }
  // Loaded again, not made again.
  auto again = LoadOrCreateRoot(dir, true, FileOwner{2345, 2346});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->files.cert_pem, r->files.cert_pem);
  fs::remove_all(base);
}

}  // namespace
}  // namespace forest::trust
