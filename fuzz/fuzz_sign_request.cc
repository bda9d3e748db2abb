// libFuzzer target: the trust plane's small parsers on hostile input. The
// body of POST /v1/sign-csr (api::ParseSignRequest), the node's CA settings
// file (trust::ParseCaEndpoint), the mkcert shim's command line
// (trust::ParseMkcertArgs, input split at newlines) and the shim's
// name → label path mapping. Any input gives a value or an error, never a
// crash; a parsed request serialises and parses back to the same request.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "api/helper_api.h"
#include "trust/ca_endpoint.h"
#include "trust/mkcert_args.h"
#include "trust/san_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = forest::api::ParseSignRequest(text);
  if (r.ok()) {
    auto again = forest::api::ParseSignRequest(forest::api::SerializeSignRequest(*r));
    if (!again.ok() || again->csr_pem != r->csr_pem || again->label_paths != r->label_paths ||
        again->client != r->client) {
      std::fprintf(stderr, "fuzz_sign_request: request does not round-trip\n");
      std::abort();
    }
  } else if (r.error().message.empty()) {
    std::abort();
  }
  auto e = forest::trust::ParseCaEndpoint(text, "mkcert.json");
  if (!e.ok() && e.error().message.empty()) std::abort();

  std::vector<std::string> argv;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      argv.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  argv.push_back(cur);
  auto p = forest::trust::ParseMkcertArgs(argv);
  if (p.error && p.error->message.empty()) std::abort();
  for (const std::string& a : argv) {
    auto path = forest::trust::LabelPathForName("c0-2-1.c0-2.c0.incus", a);
    if (!path.ok() && path.error().message.empty()) std::abort();
  }
  return 0;
}
