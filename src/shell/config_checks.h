// Checks of single forest shell config values, shared by the layer reader
// (config.cc) and whoever sets Config fields from elsewhere (command-line
// flags). Pure. Each error reads "<what is wrong>; <what to do>", without the
// file position or key path, which the caller adds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "shell/config.h"

namespace forest::shell {

// "restricted", "allowlist" or "open" (with a did-you-mean).
Result<NetMode> ParseNetMode(std::string_view s);

// An allowlist entry: a plain domain name (RFC 1123 labels, optional trailing
// dot, no wildcards), an IPv4/IPv6 address, or a prefix without host bits.
Status CheckAllowEntry(std::string_view s);

// [A-Za-z_][A-Za-z0-9_]*, at most 255 characters.
Status CheckEnvName(std::string_view name);

// Non-empty paths relative to the workspace / the jail user's home: no
// leading '/', no ".." component.
Status CheckWorkspacePath(std::string_view path);
Status CheckHomePath(std::string_view path);

// A mount's source or target: absolute, no "." or ".." component, not "/".
Status CheckMountPath(std::string_view path);

// Interface name: 1..15 characters of [A-Za-z0-9_.-].
Status CheckBridge(std::string_view name);

// An IPv4 or IPv6 address.
Status CheckIpLiteral(std::string_view s);

// `fix`, preceded by "did you mean "x"? " (and capitalised) when `word` is
// close to one of `valid`.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& valid, std::string fix);

}  // namespace forest::shell
