// SHA-256 through OpenSSL's EVP interface.
#pragma once

#include <string>
#include <string_view>

namespace forest::render {

// Lower-case hex digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace forest::render
