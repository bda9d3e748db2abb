#include "base/nft.h"

namespace forest {

Command Nft::Nftc(std::vector<std::string> args) const {
  Command c;
  c.argv = prefix_;
  c.argv.push_back("nft");
  c.argv.insert(c.argv.end(), args.begin(), args.end());
  c.merge_stderr = true;
  return c;
}

Status Nft::LoadFile(const std::string& path) {
  Command c = Nftc({"-f", path});
  FOREST_ASSIGN_OR_RETURN(ProcessResult r, runner_.Run(c));
  if (!r.ok()) return MakeError("nft -f " + path + ": " + r.out);
  return {};
}

Status Nft::Load(const std::string& ruleset, const std::string& what) {
  Command c = Nftc({"-f", "/dev/stdin"});
  c.stdin_text = ruleset;
  FOREST_ASSIGN_OR_RETURN(ProcessResult r, runner_.Run(c));
  if (!r.ok()) return MakeError("nft -f (" + what + "): " + r.out);
  return {};
}

Result<bool> Nft::DeleteTable(const std::string& family, const std::string& name) {
  FOREST_ASSIGN_OR_RETURN(ProcessResult r, runner_.Run(Nftc({"delete", "table", family, name})));
  return r.ok();
}

Result<bool> Nft::HasTable(const std::string& family, const std::string& name) {
  FOREST_ASSIGN_OR_RETURN(ProcessResult r, runner_.Run(Nftc({"list", "table", family, name})));
  return r.ok();
}

Result<nlohmann::json> Nft::ListJson(std::vector<std::string> args) {
  Command c = Nftc(args);
  c.merge_stderr = false;
  c.err = Stdio::kNull;
  FOREST_ASSIGN_OR_RETURN(ProcessResult r, runner_.Run(c));
  std::string shown = "nft";
  for (const auto& a : args) shown += " " + a;
  if (!r.ok()) return MakeError("`" + shown + "` failed (exit " + std::to_string(r.exit_code) + ")");
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) return MakeError("`" + shown + "` printed no JSON");
  return j;
}

Result<nlohmann::json> Nft::ListTable(const std::string& family, const std::string& name) {
  return ListJson({"-j", "list", "table", family, name});
}

Result<nlohmann::json> Nft::ListRuleset() { return ListJson({"-j", "list", "ruleset"}); }

}  // namespace forest
