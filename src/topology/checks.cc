#include "topology/checks.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace forest::topology::internal {
namespace {

constexpr std::string_view kLabelRule =
    "a label is 1..63 characters of [a-z0-9-], starting and ending with a letter or digit";

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

std::string Show(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string ShowChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u >= 0x7f) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", u);
    return buf;
  }
  return std::string("'") + c + "'";
}

bool AllDigits(std::string_view v) { return !v.empty() && std::all_of(v.begin(), v.end(), IsDigit); }

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Length of the valid UTF-8 sequence at `i`, or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff) return 0;  // overlong / too big
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;                                         // surrogate
  return n;
}

// "4GiB" → number and unit. False if there is no leading integer.
bool SplitNumberUnit(std::string_view v, std::string_view& number, std::string_view& unit) {
  size_t i = 0;
  while (i < v.size() && IsDigit(v[i])) ++i;
  if (i == 0 || i > 18) return false;
  number = v.substr(0, i);
  unit = v.substr(i);
  return true;
}

bool IsSizeUnit(std::string_view unit) {
  static const std::string_view kUnits[] = {"",   "B",   "kB",  "KB",  "MB",  "GB",  "TB", "PB",
                                            "EB", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  return std::find(std::begin(kUnits), std::end(kUnits), unit) != std::end(kUnits);
}

}  // namespace

Status CheckLabel(std::string_view label) {
  if (label.empty()) return MakeError("the label is empty; " + std::string(kLabelRule));
  if (label.size() > 63) {
    return MakeError(Show(label.substr(0, 20)) + "... is " + std::to_string(label.size()) +
                     " characters long; " + std::string(kLabelRule));
  }
  for (size_t i = 0; i < label.size(); ++i) {
    char c = label[i];
    if (IsLower(c) || IsDigit(c) || c == '-') continue;
    std::string where = " at position " + std::to_string(i + 1);
    if (IsUpper(c)) {
      std::string lower(label);
      for (char& ch : lower)
        if (IsUpper(ch)) ch = static_cast<char>(ch - 'A' + 'a');
      bool lower_ok = CheckLabel(lower).ok();
      return MakeError(Show(label) + " has the uppercase letter " + ShowChar(c) + where +
                       "; labels are lowercase" +
                       (lower_ok ? " (write " + Show(lower) + ")" : ", " + std::string(kLabelRule)));
    }
    return MakeError(Show(label) + " has " + ShowChar(c) + where + ", which labels do not allow; " +
                     std::string(kLabelRule));
  }
  if (label.front() == '-') return MakeError(Show(label) + " starts with '-'; " + std::string(kLabelRule));
  if (label.back() == '-') return MakeError(Show(label) + " ends with '-'; " + std::string(kLabelRule));
  return {};
}

Status CheckInterfaceName(std::string_view name) {
  constexpr std::string_view kRule = "an interface name is 1..15 characters of [a-z0-9_.-] (kernel limit)";
  if (name.empty() || name.size() > 15) {
    return MakeError(Show(name) + " is " + std::to_string(name.size()) + " characters long; " +
                     std::string(kRule));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (IsLower(c) || IsDigit(c) || c == '_' || c == '.' || c == '-') continue;
    return MakeError(Show(name) + " has " + ShowChar(c) + " at position " + std::to_string(i + 1) + "; " +
                     std::string(kRule));
  }
  if (name == "." || name == "..")
    return MakeError(Show(name) + " is not a usable name; " + std::string(kRule));
  return {};
}

Status CheckPoolName(std::string_view name) {
  constexpr std::string_view kRule =
      "a storage pool name is 1..63 characters of [A-Za-z0-9_.-], not starting with '.' or '-'";
  if (name.empty() || name.size() > 63) {
    return MakeError(Show(name) + " is " + std::to_string(name.size()) + " characters long; " +
                     std::string(kRule));
  }
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (IsLower(c) || IsUpper(c) || IsDigit(c) || c == '_' || c == '.' || c == '-') continue;
    return MakeError(Show(name) + " has " + ShowChar(c) + " at position " + std::to_string(i + 1) + "; " +
                     std::string(kRule));
  }
  if (name.front() == '.' || name.front() == '-') {
    return MakeError(Show(name) + " starts with " + ShowChar(name.front()) + "; " + std::string(kRule));
  }
  return {};
}

Status CheckAbsolutePath(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return MakeError(Show(path) + " is a relative path; give an absolute path starting with '/'");
  }
  if (path.size() > 4095) {
    return MakeError("the path is " + std::to_string(path.size()) +
                     " bytes long; paths are at most 4095 bytes");
  }
  for (std::string_view part : Split(path.substr(1), '/')) {
    if (part == "..") {
      return MakeError(Show(path) + " has a \"..\" component; give the plain absolute path without \"..\"");
    }
    if (part == ".") {
      return MakeError(Show(path) + " has a \".\" component; give the plain absolute path without \".\"");
    }
  }
  return {};
}

Status CheckServicePath(std::string_view path) {
  auto parts = Split(path, '.');
  if (parts.size() > 2) {
    return MakeError(Show(path) + " has " + std::to_string(parts.size()) +
                     " labels; a service is one label or two joined by '.' (e.g. auth or api.auth)");
  }
  for (std::string_view part : parts) {
    auto s = CheckLabel(part);
    if (!s.ok()) return parts.size() == 1 ? s.error() : s.error().Wrap("in " + Show(path));
  }
  return {};
}

Status CheckImageName(std::string_view image) {
  if (image.empty() || image.size() > 255) {
    return MakeError("the image name is " + std::to_string(image.size()) +
                     " characters long; give an image alias or fingerprint of 1..255 characters");
  }
  for (char c : image) {
    if (c == ' ' || c == '\t') {
      return MakeError(Show(image) +
                       " contains whitespace; give an image alias or fingerprint without spaces");
    }
  }
  return {};
}

Status CheckCpu(std::string_view v) {
  bool ok = !v.empty();
  if (ok && !AllDigits(v)) {
    for (std::string_view range : Split(v, ',')) {
      auto ends = Split(range, '-');
      ok = ok && ends.size() <= 2 &&
           std::all_of(ends.begin(), ends.end(), [](auto e) { return AllDigits(e) && e.size() <= 6; });
    }
  }
  if (ok && AllDigits(v)) ok = v.size() <= 6 && v.find_first_not_of('0') != std::string_view::npos;
  if (!ok)
    return MakeError(Show(v) +
                     " is not a CPU count or set; write a count like \"2\" or a set like \"0-3,6\"");
  return {};
}

Status CheckMemory(std::string_view v) {
  std::string_view number, unit;
  if (SplitNumberUnit(v, number, unit) && unit == "%" && number.size() <= 3) {
    int pct = std::stoi(std::string(number));
    if (pct >= 1 && pct <= 100) return {};
  }
  if (SplitNumberUnit(v, number, unit) && IsSizeUnit(unit)) return {};
  return MakeError(Show(v) + " is not a memory size; write a size like 4GiB or 512MiB, or a share like 50%");
}

Status CheckCount(std::string_view v) {
  if (AllDigits(v) && v.size() <= 18 && v.find_first_not_of('0') != std::string_view::npos) return {};
  return MakeError(Show(v) + " is not a positive whole number; write a count like 2000");
}

Status CheckSize(std::string_view v) {
  std::string_view number, unit;
  if (SplitNumberUnit(v, number, unit) && IsSizeUnit(unit)) return {};
  return MakeError(Show(v) + " is not a size; write a size like 20GiB or 500MB");
}

std::optional<BadByte> FindBadByte(std::string_view text, bool allow_line_breaks) {
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      if (allow_line_breaks && (c == '\t' || c == '\n' || c == '\r')) {
        ++i;
        continue;
      }
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", c);
      return BadByte{i, std::string("control character ") + buf};
    }
    size_t n = Utf8Length(text, i);
    if (n == 0) return BadByte{i, "invalid UTF-8"};
    i += n;
  }
  return std::nullopt;
}

Status CheckText(std::string_view text) {
  auto bad = FindBadByte(text, false);
  if (!bad) return {};
  return MakeError("the value has a " + bad->reason + " at byte " + std::to_string(bad->offset + 1) +
                   "; use printable UTF-8 text on one line");
}

std::string NameFromFile(std::string_view file_name) {
  std::string_view base = file_name.substr(
      file_name.find_last_of('/') == std::string_view::npos ? 0 : file_name.find_last_of('/') + 1);
  size_t dot = base.find_last_of('.');
  if (dot != std::string_view::npos && dot > 0) base = base.substr(0, dot);
  std::string name;
  for (char c : base) {
    if (IsUpper(c)) c = static_cast<char>(c - 'A' + 'a');
    name += (IsLower(c) || IsDigit(c)) ? c : '-';
  }
  auto trim = [](std::string& s) {
    size_t b = s.find_first_not_of('-');
    if (b == std::string::npos) return s.clear();
    s = s.substr(b, s.find_last_not_of('-') - b + 1);
  };
  trim(name);
  if (name.size() > 63) {
    name.resize(63);
    trim(name);
  }
  return name.empty() ? "forest" : name;
}

}  // namespace forest::topology::internal
