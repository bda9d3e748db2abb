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
#include <string_view>

#include "api/helper_api.h"
#include "api/node_api.h"
#include "round_trip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace api = forest::api;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto dump = [](const auto& v) { return api::ToJson(v).dump(); };
  fuzz_round_trip::Check(
      "fuzz_api_replies", "sign reply does not round-trip", text,
      [](std::string_view t) { return api::ParseSignReply(t); }, dump);
  fuzz_round_trip::Check(
      "fuzz_api_replies", "publish reply does not round-trip", text,
      [](std::string_view t) { return api::ParsePublishReply(t); }, dump);
  fuzz_round_trip::Check(
      "fuzz_api_replies", "node status does not round-trip", text,
      [](std::string_view t) { return api::ParseNodeStatus(t); }, dump);
  fuzz_round_trip::Check(
      "fuzz_api_replies", "forest view does not round-trip", text,
      [](std::string_view t) { return api::ParseForestReply(t); }, dump);
  (void)api::ErrorMessage(text);
  return 0;
}
