// libFuzzer target: a CRL from the wire (what a node's forestd fetches from
// the helper's GET /v1/crl) → trust::InspectCrl and trust::CrlDer. Any input
// must give a result or an error with a message, never a crash or a hang;
// an accepted CRL lists lower-case hex serials, sorted.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_trust_root.h"
#include "trust/crl.h"

namespace {

using forest::trust::CaRoot;
using fuzz_trust::kNow;

[[noreturn]] void Fail(const char* what, const std::string& detail) { fuzz_trust::Fail("fuzz_crl", what, detail); }
const CaRoot& Root() { return fuzz_trust::Root("fuzz_crl"); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto der = forest::trust::CrlDer(text);
  if (!der.ok() && der.error().message.empty()) Fail("empty error message (CrlDer)", std::string(text));
  auto info = forest::trust::InspectCrl(text, Root().cert_pem());
  if (!info.ok()) {
    if (info.error().message.empty()) Fail("empty error message (InspectCrl)", std::string(text));
    return 0;
  }
  for (size_t i = 0; i < info->serials.size(); ++i) {
    const std::string& s = info->serials[i];
    if (s.empty() || s.find_first_not_of("0123456789abcdef-") != std::string::npos) Fail("bad serial text", s);
    if (i > 0 && info->serials[i - 1] > s) Fail("serials not sorted", s);
  }
  return 0;
}
