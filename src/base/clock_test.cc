#include "base/clock.h"

#include <gtest/gtest.h>

namespace forest {
namespace {

using std::chrono::milliseconds;

TEST(Clock, TheRealClockMovesForwardAndReadsUnixSeconds) {
  const Clock& c = RealClock();
  auto a = c.Now();
  EXPECT_LE(a, c.Now());
  EXPECT_GT(c.Unix(), 1'700'000'000);  // after 2023
  EXPECT_LE(UnixNow() - c.Unix(), 1);
}

TEST(Clock, AFakeClockMovesOnlyWhenTold) {
  FakeClock c(1'800'000'000);
  auto start = c.Now();
  EXPECT_EQ(c.Now(), start);
  c.Advance(milliseconds(400));
  EXPECT_EQ(c.Now() - start, milliseconds(400));
  EXPECT_EQ(c.Unix(), 1'800'000'000);  // not a whole second yet
  c.Advance(milliseconds(600));
  EXPECT_EQ(c.Unix(), 1'800'000'001);
  c.Advance(std::chrono::hours(1));
  EXPECT_EQ(c.Unix(), 1'800'003'601);
  c.SetUnix(5);
  EXPECT_EQ(c.Unix(), 5);
  EXPECT_EQ(c.Now() - start, milliseconds(3'601'000));
}

}  // namespace
}  // namespace forest
