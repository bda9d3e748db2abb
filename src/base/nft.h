// nftables through the nft program (base/process.h): load a ruleset, delete
// a table, list a table or the ruleset as JSON. `prefix` runs nft through a
// wrapper (e.g. {"ip", "netns", "exec", "ns1"}); empty: nft itself.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/process.h"
#include "base/result.h"

namespace forest {

class Nft {
 public:
  explicit Nft(ProcessRunner& runner, std::vector<std::string> prefix = {})
      : runner_(runner), prefix_(std::move(prefix)) {}

  // `nft -f FILE`: the ruleset in one transaction.
  Status LoadFile(const std::string& path);
  // The same from text (`nft -f /dev/stdin`); `what` names it in an error.
  Status Load(const std::string& ruleset, const std::string& what);
  // `nft delete table FAMILY NAME`; false when there was none to delete
  // (or nft could not delete it), true when it went.
  Result<bool> DeleteTable(const std::string& family, const std::string& name);
  // `nft -j list table FAMILY NAME` / `nft -j list ruleset`, parsed.
  Result<nlohmann::json> ListTable(const std::string& family, const std::string& name);
  Result<nlohmann::json> ListRuleset();
  // Whether `nft list table FAMILY NAME` finds the table.
  Result<bool> HasTable(const std::string& family, const std::string& name);

 private:
  Command Nftc(std::vector<std::string> args) const;
  Result<nlohmann::json> ListJson(std::vector<std::string> args);

  ProcessRunner& runner_;
  std::vector<std::string> prefix_;
};

}  // namespace forest
