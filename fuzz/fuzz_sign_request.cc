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
#include "round_trip.h"
#include "trust/ca_endpoint.h"
#include "trust/mkcert_args.h"
#include "trust/san_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_round_trip::Check(
      "fuzz_sign_request", "request does not round-trip", text,
      [](std::string_view t) { return forest::api::ParseSignRequest(t); },
      [](const forest::api::SignRequest& r) { return forest::api::SerializeSignRequest(r); });
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
