// Parse: the boundary between forest.yaml text and the model. yaml-cpp throws;
// everything it throws is caught here and turned into an error with the
// file, line and column of its mark.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <exception>
#include <sstream>

#include "topology/checks.h"
#include "topology/keys.h"
#include "topology/reader.h"
#include "topology/topology.h"
#include "topology/validate.h"

namespace forest::topology {
namespace {

using internal::Field;
using internal::Reader;


// Whole-file checks that run before yaml-cpp sees the bytes.
Status CheckBytes(std::string_view text, const std::string& file) {
  if (text.size() > kMaxInputBytes) {
    return MakeError(file + ": the file is " + std::to_string(text.size()) +
                     " bytes; a topology is at most " + std::to_string(kMaxInputBytes) + " bytes (1 MiB)");
  }
  if (auto bad = internal::FindBadByte(text, true)) {
    return MakeError(file + ":" + internal::LineColumn(text, bad->offset) + ": encoding: " + bad->reason +
                     "; a topology is UTF-8 text without control characters (tabs and line breaks are fine)");
  }
  return {};
}


// What starts at `mark`, for the message about text after the document.
std::string TextAt(std::string_view text, const YAML::Mark& mark) {
  if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size()) return "";
  std::string_view rest = text.substr(static_cast<size_t>(mark.pos));
  std::string_view line = rest.substr(0, rest.find('\n'));
  return line.size() > 30 ? std::string(line.substr(0, 30)) + "..." : std::string(line);
}

// Parses the single document of `text`. yaml-cpp's LoadAll loops forever on a
// stray ',' (the parser makes no progress), and Load silently drops whatever
// follows the first document; so a bounded event pass first checks that there
// is exactly one document, then Load builds the tree.
Result<YAML::Node> LoadDocument(std::string_view text, const Reader& r) {
  std::string input(text);
  try {
    std::istringstream stream(input);
    YAML::Parser parser(stream);
    internal::Prescan scan;
    if (!parser.HandleNextDocument(scan)) {
      return MakeError(r.file() +
                       ":1:1: top level: the file has no content; start with \"version: 1\" and a "
                       "\"roots:\" list");
    }
    if (parser.HandleNextDocument(scan)) {
      YAML::Mark second = scan.document_starts.back();
      std::string what = TextAt(text, second);
      if (what.starts_with("---")) {
        return r.FailAt(
            second, "top level",
            "a second YAML document starts here; a topology is one document (remove the \"---\" line)");
      }
      return r.FailAt(second, "YAML syntax",
                      "unexpected " + internal::Quote(what) +
                          " outside any map or list; check the indentation, quotes and brackets here");
    }
    return YAML::Load(input);
  } catch (const internal::TooManyNodes& e) {
    return r.FailAt(e.mark, "top level",
                    "the topology has more than " + std::to_string(kMaxYamlNodes) +
                        " YAML nodes; split it into several forests");
  } catch (const YAML::DeepRecursion& e) {
    return r.FailAt(e.mark, "nesting",
                    "the YAML nests deeper than yaml-cpp's limit of " + std::to_string(e.depth()) +
                        " levels; a topology needs only a few levels per node");
  } catch (const YAML::Exception& e) {
    return r.FailAt(e.mark, "YAML syntax", e.msg + "; check the indentation, quotes and brackets here");
  } catch (const std::exception& e) {
    return MakeError(r.file() + ": YAML: " + e.what());
  }
}

Result<Topology> ParseDocument(const YAML::Node& doc, Reader& r, const std::string& file_name) {
  Topology t = Defaults();
  t.file = file_name;
  t.name = internal::NameFromFile(file_name);
  FOREST_TRY(internal::ReadTopology(r, Field{doc, "", doc.Mark()}, t));
  FOREST_TRY(internal::ValidateTopology(r, t));
  return t;
}

}  // namespace

Result<Topology> Parse(std::string_view text, const std::string& file_name) {
  FOREST_TRY(CheckBytes(text, file_name));
  Reader r(file_name);
  FOREST_ASSIGN_OR_RETURN(YAML::Node doc, LoadDocument(text, r));
  if (doc.IsNull()) {
    return r.FailAt(doc.Mark(), "top level",
                    "the document is empty; start with \"version: 1\" and a \"roots:\" list");
  }
  try {
    return ParseDocument(doc, r, file_name);
  } catch (const YAML::Exception& e) {
    return r.FailAt(e.mark, "YAML", e.msg);
  } catch (const std::exception& e) {
    return MakeError(file_name + ": " + e.what());
  }
}

}  // namespace forest::topology
