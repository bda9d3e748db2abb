// What the node agent asks of its local Incus: the instances (children and
// workloads, every project), a command run in a child (the exec fallback of
// a pull), and the lifecycle events that start a round. An interface, so
// that the agent's rounds are unit-tested with FakeLocalIncus; IncusLocal is
// the real one (incus::Client over the unix socket, every call with a
// deadline), which the real-Incus suites drive.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"

namespace forest::node {

struct ExecOutput {
  int exit_code = 0;
  std::string out;       // at most the cap asked for
  std::string err;       // at most 4 KiB
  bool flooded = false;  // stdout went past the cap (what came after is dropped)
};

class LocalIncus {
 public:
  virtual ~LocalIncus() = default;
  // GET /1.0/instances?recursion=2&all-projects=true.
  virtual Result<nlohmann::json> Instances() = 0;
  // Runs `argv` in `instance` (default project), stdin closed.
  virtual Result<ExecOutput> Exec(const std::string& instance, const std::vector<std::string>& argv,
                                  size_t max_out) = 0;
  // Blocks, calling `on_event` with each lifecycle event's action
  // ("instance-started", ...) of every project until it returns false; an
  // error when the stream ends or cannot be had.
  virtual Status WatchLifecycle(const std::function<bool(const std::string& action)>& on_event) = 0;
};

struct IncusLocalOptions {
  std::chrono::milliseconds call_timeout = std::chrono::seconds(10);  // any incusd call
  std::chrono::milliseconds exec_timeout = std::chrono::seconds(5);   // then the command is killed
};

class IncusLocal final : public LocalIncus {
 public:
  explicit IncusLocal(IncusLocalOptions o = {}) : o_(o) {}
  Result<nlohmann::json> Instances() override;
  Result<ExecOutput> Exec(const std::string& instance, const std::vector<std::string>& argv,
                          size_t max_out) override;
  Status WatchLifecycle(const std::function<bool(const std::string& action)>& on_event) override;

 private:
  IncusLocalOptions o_;
};

// Instances and exec answers the test sets; events it queues. Thread-safe.
class FakeLocalIncus final : public LocalIncus {
 public:
  // Sets what Instances() lists: one entry per instance.
  void SetInstances(nlohmann::json list) {
    std::lock_guard<std::mutex> lock(mu_);
    instances_ = std::move(list);
  }
  void FailInstances(std::string why) {
    std::lock_guard<std::mutex> lock(mu_);
    instances_error_ = std::move(why);
  }
  // What Exec in `instance` answers (none set: an error).
  void SetExec(const std::string& instance, Result<ExecOutput> r) {
    std::lock_guard<std::mutex> lock(mu_);
    exec_.insert_or_assign(instance, std::move(r));
  }
  // Actions WatchLifecycle delivers, then it ends with an error; `after`
  // runs once they are delivered (a test sets its stop flag there).
  void QueueEvents(std::vector<std::string> actions, std::function<void()> after = nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& a : actions) events_.push_back(std::move(a));
    after_events_ = std::move(after);
  }

  Result<nlohmann::json> Instances() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!instances_error_.empty()) return MakeError(instances_error_);
    return instances_;
  }
  Result<ExecOutput> Exec(const std::string& instance, const std::vector<std::string>&, size_t) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = exec_.find(instance);
    if (it == exec_.end()) return MakeError("no exec scripted in " + instance);
    return it->second;
  }
  Status WatchLifecycle(const std::function<bool(const std::string& action)>& on_event) override {
    for (;;) {
      std::string action;
      std::function<void()> after;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (events_.empty()) {
          after = std::move(after_events_);
          after_events_ = nullptr;
        } else {
          action = std::move(events_.front());
          events_.pop_front();
        }
      }
      if (action.empty()) {
        if (after) after();
        return MakeError("event stream closed");
      }
      if (!on_event(action)) return {};
    }
  }

 private:
  std::mutex mu_;
  nlohmann::json instances_ = nlohmann::json::array();
  std::string instances_error_;
  std::map<std::string, Result<ExecOutput>> exec_;
  std::deque<std::string> events_;
  std::function<void()> after_events_;
};

}  // namespace forest::node
