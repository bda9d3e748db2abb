// Fuzz target for the helper's issuance log, ca/issued.jsonl, replayed at
// start (helper::ParseIssuedLog). Every line is an issuance or counted as
// skipped; the issuances written back as a log read back the same, none
// skipped.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "helper/revocations.h"

namespace {
[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_issued_log: %s\n", what);
  std::abort();
}

std::string LogText(const forest::helper::IssuedLog& log) {
  std::string out;
  for (const auto& i : log.issued) out += i.ToJson().dump() + "\n";
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  forest::helper::IssuedLog log = forest::helper::ParseIssuedLog(text);
  size_t lines = 0;
  for (std::string_view rest = text; !rest.empty();) {
    size_t end = rest.find('\n');
    if (end != 0) ++lines;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  if (log.issued.size() + log.skipped != lines) Fail("an issuance per non-empty line, or a skip");
  std::string once = LogText(log);
  forest::helper::IssuedLog again = forest::helper::ParseIssuedLog(once);
  if (again.skipped != 0 || again.issued.size() != log.issued.size() || LogText(again) != once) {
    Fail("the log does not round-trip");
  }
  return 0;
}
