#include "node/child_pulls.h"

#include <thread>

namespace forest::node {

ChildPulls::ChildPulls(PullFn pull, DoneFn done) : s_(std::make_shared<Shared>()) {
  s_->pull = std::move(pull);
  s_->done = std::move(done);
}

ChildPulls::~ChildPulls() {
  std::lock_guard<std::mutex> lock(s_->mu);
  s_->alive = false;
}

ChildPulls::Collected ChildPulls::Collect(const std::set<std::string>& wanted,
                                          std::chrono::milliseconds budget) {
  auto until = std::chrono::steady_clock::now() + budget;
  std::unique_lock<std::mutex> lock(s_->mu);
  // A child whose pull from an earlier round still runs is known to be slow:
  // this round does not wait for it.
  std::set<std::string> waiting;
  for (const auto& label : wanted) {
    Slot& slot = s_->slots[label];
    if (slot.running) continue;
    slot.awaited = true;
    waiting.insert(label);
    if (slot.result) continue;
    slot.running = true;
    // The thread owns a reference to the shared state, never to `this`: it
    // may outlive the agent's round and the ChildPulls itself.
    std::thread([s = s_, label] {
      Result<std::string> r = s->pull(label);
      std::unique_lock<std::mutex> l(s->mu);
      Slot& mine = s->slots[label];
      mine.running = false;
      mine.result = std::move(r);
      s->cv.notify_all();
      if (!s->alive || mine.awaited) return;  // a round takes it now
      DoneFn done = s->done;
      l.unlock();
      if (done) done(label);
    }).detach();
  }
  auto all_done = [&] {
    for (const auto& label : waiting) {
      if (!s_->slots[label].result) return false;
    }
    return true;
  };
  s_->cv.wait_until(lock, until, all_done);
  Collected out;
  for (const auto& label : wanted) {
    Slot& slot = s_->slots[label];
    slot.awaited = false;
    if (slot.result) {
      out.results.emplace(label, std::move(*slot.result));
      slot.result.reset();
    } else {
      out.pending.insert(label);
    }
  }
  return out;
}

std::set<std::string> ChildPulls::Running() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  std::set<std::string> out;
  for (const auto& [label, slot] : s_->slots) {
    if (slot.running) out.insert(label);
  }
  return out;
}

}  // namespace forest::node
