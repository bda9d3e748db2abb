#include "topology/reader.h"

#include <algorithm>
#include <cstdio>

#include "base/strings.h"
#include "topology/checks.h"
#include "topology/keys.h"

namespace forest::topology::internal {
namespace {

std::string Position(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return "1:1";
  return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

bool IsPlain(const YAML::Node& n) { return n.Tag() == "?"; }

}  // namespace

Error Reader::FailAt(const YAML::Mark& mark, std::string_view path, std::string_view message) const {
  return MakeError(file_ + ":" + Position(mark) + ": " + (path.empty() ? "top level" : std::string(path)) +
                   ": " + std::string(message));
}

Error Reader::Fail(const Field& at, std::string_view message) const {
  return FailAt(at.mark, at.path, message);
}

Error Reader::FailPath(std::string_view path, std::string_view message) const {
  return FailAt(MarkOf(path), path, message);
}

Status Reader::Visit(const Field& at, int n) {
  visited_ += n;
  if (visited_ > kMaxYamlNodes) {
    return Fail(at, "the topology has more than " + std::to_string(kMaxYamlNodes) +
                        " YAML nodes (aliases count each time they are used); split it into several forests");
  }
  return {};
}

YAML::Mark Reader::MarkOf(std::string_view path) const {
  auto it = marks_.find(path);
  return it == marks_.end() ? YAML::Mark::null_mark() : it->second;
}

SourcePos Reader::PosOf(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

Field Child(const Field& parent, const YAML::Node& node, const std::string& suffix) {
  return Field{node, parent.path + suffix, node.IsNull() ? parent.mark : node.Mark()};
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  size_t n = 0;
  for (char c : text) {
    if (++n > 60) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return (IsPlain(node) ? "the value " : "the quoted string ") + Quote(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

Result<std::string> ReadString(Reader& r, const Field& f) {
  if (!f.node.IsScalar()) return r.Fail(f, "expected a string, found " + Describe(f.node));
  const std::string& s = f.node.Scalar();
  if (s.empty()) return r.Fail(f, "the value is empty; give a non-empty value or leave the key out");
  auto text = CheckText(s);
  if (!text.ok()) return r.Fail(f, text.error().message);
  return s;
}

Result<bool> ReadBool(Reader& r, const Field& f) {
  if (f.node.IsScalar() && IsPlain(f.node)) {
    if (f.node.Scalar() == "true") return true;
    if (f.node.Scalar() == "false") return false;
  }
  return r.Fail(f, "expected true or false, found " + Describe(f.node) +
                       "; write the bare word true or false (no quotes, not yes/no/on/off)");
}

Result<int> ReadInt(Reader& r, const Field& f, int min, int max, std::string_view range_hint) {
  std::string expected = "an integer " + std::to_string(min) + ".." + std::to_string(max);
  if (!f.node.IsScalar() || !IsPlain(f.node)) {
    return r.Fail(f, "expected " + expected + ", found " + Describe(f.node));
  }
  const std::string& s = f.node.Scalar();
  bool digits = !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return r.Fail(f, "expected " + expected + ", found " + Describe(f.node));
  int v = std::stoi(s);
  if (v < min || v > max) {
    std::string msg = s + " is out of range " + std::to_string(min) + ".." + std::to_string(max);
    if (!range_hint.empty()) msg += "; " + std::string(range_hint);
    return r.Fail(f, msg);
  }
  return v;
}

Result<std::string> ReadLabel(Reader& r, const Field& f) {
  FOREST_ASSIGN_OR_RETURN(std::string s, ReadString(r, f));
  auto ok = CheckLabel(s);
  if (!ok.ok()) return r.Fail(f, ok.error().message);
  return s;
}

std::string SuggestKey(std::string_view word, const std::vector<std::string>& valid) {
  std::string best;
  if (word.size() > 64) return best;  // no key is that long; skip the quadratic work
  size_t best_distance = std::max<size_t>(2, word.size() / 2) + 1;
  for (const auto& k : valid) {
    size_t d = EditDistance(word, k);
    if (word.size() >= 3 && (k.starts_with(word) || word.starts_with(k))) d = std::min<size_t>(d, 1);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

std::string LineColumn(std::string_view text, size_t offset) {
  int line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace forest::topology::internal
