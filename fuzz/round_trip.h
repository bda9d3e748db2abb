// Shared by the fuzz targets of parsers that have a writer: any input parses
// to a value or to an error with a message, and what parses is written and
// parsed back to the same value (the same text, for a type without ==).
#pragma once

#include <concepts>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz_round_trip {

[[noreturn]] inline void Fail(const char* target, const char* what) {
  std::fprintf(stderr, "%s: %s\n", target, what);
  std::abort();
}

// `parse(text)` gives a forest::Result<T>, `write(value)` a std::string. Returns
// the first parse's result, for checks of the target's own.
// `by_text`: compare what is written, not the values (for a writer that puts
// its value in a canonical order).
template <class Parse, class Write>
auto Parsed(const char* target, const char* what, std::string_view text, Parse parse, Write write,
            bool by_text = false) {
  auto first = parse(text);
  if (!first.ok()) {
    if (first.error().message.empty()) Fail(target, "an error without a message");
    return first;
  }
  std::string once = write(*first);
  auto again = parse(once);
  bool same;
  if constexpr (std::equality_comparable<std::decay_t<decltype(*first)>>) {
    same = again.ok() && (by_text ? write(*again) == once : *again == *first);
  } else {
    same = again.ok() && write(*again) == once;
  }
  if (!same) Fail(target, what);
  return first;
}

// Parsed, for a target with no checks of its own.
template <class Parse, class Write>
void Check(const char* target, const char* what, std::string_view text, Parse parse, Write write,
           bool by_text = false) {
  (void)Parsed(target, what, text, parse, write, by_text);
}

}  // namespace fuzz_round_trip
