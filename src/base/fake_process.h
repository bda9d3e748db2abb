// ProcessRunner's twin for unit tests: records every command and answers
// from a script (the rule with the longest argv prefix that matches, else
// exit 0 with no output).
#pragma once

#include <string>
#include <vector>

#include "base/process.h"

namespace forest {

class FakeProcessRunner final : public ProcessRunner {
 public:
  struct Rule {
    std::vector<std::string> prefix;  // matches argv that start with these words
    ProcessResult result;
    bool fail_to_start = false;  // Run returns an error (as for a missing program)
  };

  // Commands that start with `prefix` get `result` (the longest matching
  // prefix wins; of equal ones the latest, so a test can change an answer).
  void On(std::vector<std::string> prefix, ProcessResult result);
  void On(std::vector<std::string> prefix, int exit_code, std::string out = "", std::string err = "");
  void FailToStart(std::vector<std::string> prefix);

  Result<ProcessResult> Run(const Command& c) override;

  const std::vector<Command>& calls() const { return calls_; }
  // The argv of each call, words joined by spaces (for compact assertions).
  std::vector<std::string> Lines() const;

 private:
  std::vector<Rule> rules_;
  std::vector<Command> calls_;
};

}  // namespace forest
