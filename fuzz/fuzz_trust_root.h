// Shared by the trust-plane fuzz targets: a failure that aborts with the
// target's name, and one mkcert-profile root for the whole run (an RSA 3072
// key takes a moment to make).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "trust/x509.h"

namespace fuzz_trust {

inline constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

[[noreturn]] inline void Fail(const char* target, const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n%s\n", target, what, detail.c_str());
  std::abort();
}

inline const forest::trust::CaRoot& Root(const char* target) {
  static const forest::trust::CaRoot root = [target] {
    auto files = forest::trust::CreateRoot("fuzz@forest", kNow);
    if (!files.ok()) Fail(target, "CreateRoot failed", files.error().message);
    auto loaded = forest::trust::CaRoot::Load(files->cert_pem, files->key_pem);
    if (!loaded.ok()) Fail(target, "CaRoot::Load failed", loaded.error().message);
    return *loaded;
  }();
  return root;
}

}  // namespace fuzz_trust
