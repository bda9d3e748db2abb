#include "base/fake_process.h"

#include <algorithm>

namespace forest {

void FakeProcessRunner::On(std::vector<std::string> prefix, ProcessResult result) {
  rules_.push_back({std::move(prefix), std::move(result), false});
}

void FakeProcessRunner::On(std::vector<std::string> prefix, int exit_code, std::string out, std::string err) {
  ProcessResult r;
  r.exit_code = exit_code;
  r.out = std::move(out);
  r.err = std::move(err);
  On(std::move(prefix), std::move(r));
}

void FakeProcessRunner::FailToStart(std::vector<std::string> prefix) {
  rules_.push_back({std::move(prefix), {}, true});
}

Result<ProcessResult> FakeProcessRunner::Run(const Command& c) {
  calls_.push_back(c);
  const Rule* best = nullptr;
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (it->prefix.size() > c.argv.size() ||
        !std::equal(it->prefix.begin(), it->prefix.end(), c.argv.begin())) {
      continue;
    }
    if (!best || it->prefix.size() > best->prefix.size()) best = &*it;
  }
  if (const Rule* it = best) {
    if (it->fail_to_start) return MakeError("cannot run " + c.argv[0] + ": No such file or directory (fake)");
    ProcessResult r = it->result;
    if (c.merge_stderr) {
      r.out += r.err;
      r.err.clear();
    }
    if (c.on_output) {
      if (!r.out.empty()) c.on_output(1, r.out);
      if (!r.err.empty()) c.on_output(2, r.err);
    }
    if (!c.keep_output) r.out.clear(), r.err.clear();
    return r;
  }
  return ProcessResult{};
}

std::vector<std::string> FakeProcessRunner::Lines() const {
  std::vector<std::string> out;
  for (const auto& c : calls_) {
    std::string line;
    for (const auto& a : c.argv) line += (line.empty() ? "" : " ") + a;
    out.push_back(line);
  }
  return out;
}

}  // namespace forest
