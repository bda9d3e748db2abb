// libFuzzer target: PEM text from the wire → trust::ParseCsr. Any input must
// give a Csr or an error with a message, never a crash or a hang. An accepted
// CSR must carry a key the policy allows and names without control bytes, and
// a leaf signed for its key must verify against the signing root.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_trust_root.h"
#include "trust/x509.h"

namespace {

using forest::trust::CaRoot;
using forest::trust::KeyKind;
using fuzz_trust::kNow;

[[noreturn]] void Fail(const char* what, const std::string& detail) { fuzz_trust::Fail("fuzz_csr", what, detail); }
const CaRoot& Root() { return fuzz_trust::Root("fuzz_csr"); }

void CheckText(const std::vector<std::string>& names, const char* kind) {
  for (const auto& n : names) {
    if (n.empty()) Fail("accepted an empty name", kind);
    for (unsigned char c : n) {
      if (c < 0x20 || c >= 0x7f) Fail("accepted a name with a control or non-ASCII byte", kind);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto csr = forest::trust::ParseCsr(text);
  if (!csr.ok()) {
    if (csr.error().message.empty()) Fail("empty error message", std::string(text));
    return 0;
  }
  if (!csr->public_key) Fail("accepted a CSR without a key", std::string(text));
  if (csr->kind == KeyKind::kRsa ? (csr->bits < 2048 || csr->bits > 8192) : csr->bits != 256)
    Fail("accepted a key the policy refuses", std::to_string(csr->bits));
  CheckText(csr->dns_names, "DNS");
  CheckText(csr->emails, "email");
  CheckText(csr->uris, "URI");
  CheckText(csr->ip_addresses, "IP");

  forest::trust::LeafSpec spec;
  spec.dns_names = {"auth.app.incus"};
  spec.not_before = kNow;
  spec.not_after = kNow + 86400;
  auto issued = forest::trust::SignLeaf(Root(), *csr, spec);
  if (!issued.ok()) Fail("cannot sign an accepted CSR", issued.error().message);
  auto verified = forest::trust::VerifyLeaf(issued->cert_pem, Root().cert_pem(), "auth.app.incus", kNow + 60);
  if (!verified.ok()) Fail("a leaf for an accepted CSR does not verify", verified.error().message);
  return 0;
}
