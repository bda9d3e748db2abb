#include "render/template.h"

#include <algorithm>

namespace forest::render {
namespace {

bool IsVarChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

int LineAt(std::string_view text, size_t pos) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

}  // namespace

Result<std::string> Expand(std::string_view text, const Vars& vars, std::string_view template_name) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    auto where = [&] { return std::string(template_name) + ":" + std::to_string(LineAt(text, open)) + ": "; };
    if (close == std::string_view::npos) return MakeError(where() + "'{{' is never closed with '}}'");
    std::string_view name = text.substr(open + 2, close - open - 2);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsVarChar)) {
      return MakeError(where() + "'{{" + std::string(name) + "}}' is not a variable name; expected [a-z0-9_]+");
    }
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return MakeError(where() + "no value for template variable '" + std::string(name) + "'");
    out.append(it->second);
    pos = close + 2;
  }
  return out;
}

std::string Indent(std::string_view text, int spaces) {
  std::string pad(static_cast<size_t>(spaces), ' ');
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (end == text.size() && line.empty()) break;  // trailing newline
    if (!out.empty()) out.push_back('\n');
    if (!line.empty()) out.append(pad).append(line);
    start = end + 1;
  }
  return out;
}

}  // namespace forest::render
