// Pulls of the children's exports for the node agent: every child at once,
// at most one pull per child in flight. A round asks for the children it
// wants and waits for their answers no longer than its budget; a pull that
// outlives the budget goes on in the background (each pull has deadlines of
// its own), keeps its result for the next round and calls `done(label)` so
// the agent runs one. One stuck child thereby never delays another child or
// the node's own records.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/result.h"

namespace forest::node {

class ChildPulls {
 public:
  using PullFn = std::function<Result<std::string>(const std::string& label)>;
  using DoneFn = std::function<void(const std::string& label)>;

  ChildPulls(PullFn pull, DoneFn done);
  // Pulls still running finish on their own threads; their results and
  // `done` calls are dropped.
  ~ChildPulls();
  ChildPulls(const ChildPulls&) = delete;
  ChildPulls& operator=(const ChildPulls&) = delete;

  struct Collected {
    std::map<std::string, Result<std::string>> results;  // finished pulls
    std::set<std::string> pending;                       // still running after the budget
  };
  // Starts a pull for each wanted child that has none running and no result
  // waiting, then waits up to `budget` for those pulls (not for a child whose
  // pull from an earlier round still runs: it is pending at once).
  Collected Collect(const std::set<std::string>& wanted, std::chrono::milliseconds budget);

  // Children with a pull running now.
  std::set<std::string> Running() const;

 private:
  struct Slot {
    bool running = false;
    bool awaited = false;  // a Collect is waiting for it (no `done` then)
    std::optional<Result<std::string>> result;
  };
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::map<std::string, Slot> slots;
    bool alive = true;
    PullFn pull;
    DoneFn done;
  };
  std::shared_ptr<Shared> s_;
};

}  // namespace forest::node
