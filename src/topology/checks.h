// Pure validators for single forest.yaml values. Each returns an error whose
// message reads "<what is wrong>; <what was expected>" without position or
// key path; the reader adds those. Private to src/topology/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "naming/names.h"

namespace forest::topology::internal {

// RFC 1123 label: [a-z0-9-], 1..63 chars, no leading/trailing '-'. Says which
// character or rule failed.
Status CheckLabel(std::string_view label);

// The helper's reserved labels are naming's (one list for the whole project).
using naming::IsReservedLabel;
inline const std::vector<std::string>& ReservedLabels() { return naming::ReservedHelperLabels(); }

// Linux interface name: 1..15 chars of [a-z0-9_.-].
Status CheckInterfaceName(std::string_view name);

// Incus storage pool name: 1..63 chars of [A-Za-z0-9_.-], not starting with '.' or '-'.
Status CheckPoolName(std::string_view name);

// Absolute path without "." or ".." components, at most 4095 bytes.
Status CheckAbsolutePath(std::string_view path);

// A service label path: "a" or "a.b", every part a label.
Status CheckServicePath(std::string_view path);

// Image alias or fingerprint: 1..255 chars, no whitespace or control bytes.
Status CheckImageName(std::string_view image);

// Incus limits values.
Status CheckCpu(std::string_view v);     // count "2" or set "0-3,6"
Status CheckMemory(std::string_view v);  // "4GiB", "512MB", "1073741824", "50%"
Status CheckCount(std::string_view v);   // "2000"
Status CheckSize(std::string_view v);    // "20GiB", "10GB", "1073741824"

// The first byte of `text` that is a control character (tab, LF and CR
// allowed only with `allow_line_breaks`), DEL, or not valid UTF-8.
struct BadByte {
  size_t offset = 0;
  std::string reason;  // "control character 0x07", "invalid UTF-8"
};
std::optional<BadByte> FindBadByte(std::string_view text, bool allow_line_breaks);

// A value with a control character or invalid UTF-8 is refused.
Status CheckText(std::string_view text);

// The forest name used when the file has none: the file's stem, lower-cased,
// with characters outside [a-z0-9-] turned into '-'; "forest" if nothing is left.
std::string NameFromFile(std::string_view file_name);

}  // namespace forest::topology::internal
