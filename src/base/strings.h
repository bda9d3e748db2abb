// Small string helpers shared by the CLI and the parsers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace forest {

// Levenshtein distance.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a likely typo
// (distance <= max(2, len/3)); empty otherwise.
std::string SuggestClosest(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c"
std::string JoinComma(const std::vector<std::string>& items);

}  // namespace forest
