// libFuzzer target: the forestd replies a node reads from the network
// (api/): the helper's answer to POST /v1/sign-csr (api::ParseSignReply) and
// to a publication (api::ParsePublishReply), a node's status (GET /v1/node,
// api::ParseNodeStatus), the helper's forest view (GET /v1/forest, which
// `forest tree` and register-local-record read: api::ParseForestReply) and
// any error body (api::ErrorMessage). Any input
// gives a value or an error with a message, never a crash; what parses
// serialises and parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "api/helper_api.h"
#include "api/node_api.h"

namespace {

void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_api_replies: %s does not round-trip\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = forest::api;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto s = api::ParseSignReply(text); s.ok()) {
    auto again = api::ParseSignReply(api::ToJson(*s).dump());
    if (!again.ok() || again->certificate != s->certificate || again->serial != s->serial ||
        again->names != s->names || again->withheld != s->withheld || again->not_after != s->not_after ||
        again->not_before != s->not_before) {
      Fail("sign reply");
    }
  } else if (s.error().message.empty()) {
    std::abort();
  }
  if (auto p = api::ParsePublishReply(text); p.ok()) {
    auto again = api::ParsePublishReply(api::ToJson(*p).dump());
    if (!again.ok() || again->accepted != p->accepted || again->changed != p->changed ||
        again->serial != p->serial) {
      Fail("publish reply");
    }
  } else if (p.error().message.empty()) {
    std::abort();
  }
  if (auto n = api::ParseNodeStatus(text); n.ok()) {
    auto again = api::ParseNodeStatus(api::ToJson(*n).dump());
    if (!again.ok() || again->node != n->node || again->waiting != n->waiting || again->rounds != n->rounds) {
      Fail("node status");
    }
  } else if (n.error().message.empty()) {
    std::abort();
  }
  if (auto f = api::ParseForestReply(text); f.ok()) {
    auto again = api::ParseForestReply(api::ToJson(*f).dump());
    if (!again.ok() || !(*again == *f)) Fail("forest view");
  } else if (f.error().message.empty()) {
    std::abort();
  }
  (void)api::ErrorMessage(text);
  return 0;
}
