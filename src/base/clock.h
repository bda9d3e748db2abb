// Time for the adapters. The pure core takes time as a value; daemons read
// it from a Clock (monotonic time for rounds, deadlines and leases; the wall
// clock in unix seconds for certificate lifetimes), so their unit tests can
// run a FakeClock forward instead of sleeping. UnixNow() is the real wall
// clock for callers that have no Clock to hand.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace forest {

class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  // Monotonic time (std::chrono::steady_clock's epoch).
  virtual TimePoint Now() const = 0;
  // The wall clock, unix seconds.
  virtual int64_t Unix() const = 0;
};

// The machine's clocks.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  int64_t Unix() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// One SystemClock for the process (it has no state).
inline const Clock& RealClock() {
  static const SystemClock clock;
  return clock;
}

inline int64_t UnixNow() { return RealClock().Unix(); }

// A clock that moves only when told; safe to read from any thread.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_seconds = 1'800'000'000) : unix_(unix_seconds) {}
  TimePoint Now() const override { return TimePoint(std::chrono::nanoseconds(steady_ns_.load())); }
  int64_t Unix() const override { return unix_.load(); }
  // Moves both clocks forward by `d` (the wall clock in whole seconds).
  void Advance(std::chrono::nanoseconds d) {
    int64_t before = steady_ns_.fetch_add(d.count());
    unix_ += (before + d.count()) / 1'000'000'000 - before / 1'000'000'000;
  }
  void SetUnix(int64_t unix_seconds) { unix_ = unix_seconds; }

 private:
  // Starts well after the epoch, so that "now - bound" stays positive.
  std::atomic<int64_t> steady_ns_{int64_t{1'000'000} * 1'000'000'000};
  std::atomic<int64_t> unix_;
};

}  // namespace forest
