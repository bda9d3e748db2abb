// Reading a yaml-cpp tree into the topology model: positions, key paths,
// the visit budget and typed scalar readers. Private to src/topology/.
#pragma once

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "topology/topology.h"

namespace forest::topology::internal {

// Counts parser events without building a tree, and notes where each
// document starts. Throws TooManyNodes past `limit` events, which bounds the
// work (and memory) of the second, tree-building pass. Shared by the
// topology parser and forest shell's configuration layers.
struct TooManyNodes {
  YAML::Mark mark;
};

class Prescan : public YAML::EventHandler {
 public:
  explicit Prescan(int limit = kMaxYamlNodes) : limit_(limit) {}
  std::vector<YAML::Mark> document_starts;

  void OnDocumentStart(const YAML::Mark& mark) override { document_starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    Count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Count(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Count(mark);
  }
  void OnMapEnd() override {}

 private:
  void Count(const YAML::Mark& mark) {
    if (++events_ > limit_) throw TooManyNodes{mark};
  }
  int limit_;
  int events_ = 0;
};

// "<line>:<column>" (1-based) of byte `offset` in `text`.
std::string LineColumn(std::string_view text, size_t offset);

// One value being read: the YAML node, its key path ("roots[0].slot") and the
// position errors point at (the key's, when the value is empty).
struct Field {
  YAML::Node node;
  std::string path;
  YAML::Mark mark;
};

// State of one Parse: file name for messages, the visit budget, and the
// position of every key path read (for checks that span several keys).
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  // `<file>:<line>:<column>: <path>: <message>`; `message` reads
  // "<what is wrong>; <what was expected / what to do>".
  Error Fail(const Field& at, std::string_view message) const;
  Error FailAt(const YAML::Mark& mark, std::string_view path, std::string_view message) const;
  // The same, at the position recorded for `path` (1:1 when unknown).
  Error FailPath(std::string_view path, std::string_view message) const;

  // Counts `n` visited YAML nodes; fails once the total passes kMaxYamlNodes.
  Status Visit(const Field& at, int n = 1);

  void Remember(const Field& f) { marks_[f.path] = f.mark; }
  YAML::Mark MarkOf(std::string_view path) const;
  SourcePos PosOf(const YAML::Mark& mark) const;

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  int visited_ = 0;
  std::map<std::string, YAML::Mark, std::less<>> marks_;
};

// A child field of `parent`: `parent.path` + suffix, at the node's own mark.
Field Child(const Field& parent, const YAML::Node& node, const std::string& suffix);

// "a map", "a list", "nothing (null)", "the string \"x\"" — for messages.
std::string Describe(const YAML::Node& node);
// `text` in double quotes, control bytes escaped, cut after 60 bytes.
std::string Quote(std::string_view text);

// Typed readers. Each fails with the field's position, path, what was found
// and what was expected.
Result<std::string> ReadString(Reader& r, const Field& f);  // any non-empty scalar
Result<bool> ReadBool(Reader& r, const Field& f);           // plain true / false
Result<int> ReadInt(Reader& r, const Field& f, int min, int max, std::string_view range_hint);
Result<std::string> ReadLabel(Reader& r, const Field& f);  // RFC 1123 label

// Checks that `f` is a list and calls `item(Field)` for each element in order.
template <typename F>
Status ReadList(Reader& r, const Field& f, std::string_view what, F&& item) {
  if (!f.node.IsSequence()) {
    return r.Fail(f, "expected " + std::string(what) + ", found " + Describe(f.node) +
                         "; write one \"- ...\" item per line, or [a, b]");
  }
  int i = 0;
  for (const auto& element : f.node) {
    Field e = Child(f, element, "[" + std::to_string(i++) + "]");
    FOREST_TRY(r.Visit(e));
    r.Remember(e);
    FOREST_TRY(item(e));
  }
  return {};
}

}  // namespace forest::topology::internal
