#include "node/child_pulls.h"

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace forest::node {
namespace {

using std::chrono::milliseconds;

// A pull function whose answers the test releases: "fast" answers at once,
// every other child waits for its gate.
struct Gates {
  std::mutex mu;
  std::map<std::string, std::shared_future<void>> gates;
  std::map<std::string, std::promise<void>> open;
  std::atomic<int> pulls{0};
  std::vector<std::string> done;
  std::condition_variable cv;

  void Close(const std::string& label) {
    std::lock_guard<std::mutex> l(mu);
    open[label] = std::promise<void>();
    gates[label] = open[label].get_future().share();
  }
  void Open(const std::string& label) {
    std::lock_guard<std::mutex> l(mu);
    open[label].set_value();
  }
  Result<std::string> Pull(const std::string& label) {
    ++pulls;
    std::shared_future<void> g;
    {
      std::lock_guard<std::mutex> l(mu);
      if (gates.count(label)) g = gates[label];
    }
    if (g.valid()) g.wait();
    if (label == "broken") return MakeError("connection refused");
    return "export of " + label;
  }
  void Done(const std::string& label) {
    std::lock_guard<std::mutex> l(mu);
    done.push_back(label);
    cv.notify_all();
  }
  bool WaitDone(size_t n) {
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, std::chrono::seconds(10), [&] { return done.size() >= n; });
  }
};

TEST(ChildPulls, AStuckChildDoesNotHoldTheOthers) {
  Gates g;
  g.Close("stuck");
  ChildPulls p([&](const std::string& l) { return g.Pull(l); }, [&](const std::string& l) { g.Done(l); });
  auto got = p.Collect({"fast", "stuck", "broken"}, milliseconds(200));
  ASSERT_EQ(got.results.size(), 2u);
  EXPECT_EQ(*got.results.at("fast"), "export of fast");
  EXPECT_FALSE(got.results.at("broken").ok());
  EXPECT_EQ(got.pending, std::set<std::string>{"stuck"});
  EXPECT_EQ(p.Running(), std::set<std::string>{"stuck"});
  // Answers that came within the budget do not ask for another round.
  EXPECT_TRUE(g.done.empty());

  // While its pull runs, the stuck child is not pulled a second time.
  auto again = p.Collect({"stuck"}, milliseconds(50));
  EXPECT_EQ(again.pending, std::set<std::string>{"stuck"});
  EXPECT_EQ(g.pulls.load(), 3);

  // Its late answer is kept for the next round, which is asked for.
  g.Open("stuck");
  ASSERT_TRUE(g.WaitDone(1));
  EXPECT_EQ(g.done, std::vector<std::string>{"stuck"});
  auto late = p.Collect({"stuck"}, milliseconds(0));
  ASSERT_EQ(late.results.count("stuck"), 1u);
  EXPECT_EQ(*late.results.at("stuck"), "export of stuck");
  EXPECT_EQ(g.pulls.load(), 3);  // taken, not pulled again
}

TEST(ChildPulls, OutlivesItsOwnerWithoutCallingBack) {
  Gates g;
  g.Close("stuck");
  {
    ChildPulls p([&](const std::string& l) { return g.Pull(l); }, [&](const std::string& l) { g.Done(l); });
    p.Collect({"stuck"}, milliseconds(0));
  }
  g.Open("stuck");
  std::this_thread::sleep_for(milliseconds(100));
  std::lock_guard<std::mutex> l(g.mu);
  EXPECT_TRUE(g.done.empty());
}

}  // namespace
}  // namespace forest::node
