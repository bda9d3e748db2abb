#include "shellhost/health.h"

#include <gtest/gtest.h>

#include "shellhost/testing.h"

namespace forest::shellhost {
namespace {

using incus::FakeTransport;

TEST(ShellhostHealth, MetricsOfOneInstanceAreSummed) {
  std::string text =
      "# HELP incus_cpu_seconds_total The total number of CPU time used in seconds.\n"
      "incus_cpu_seconds_total{cpu=\"0\",mode=\"user\",name=\"j\",project=\"p\",type=\"container\"} 1.5\n"
      "incus_cpu_seconds_total{cpu=\"1\",mode=\"user\",name=\"j\",project=\"p\",type=\"container\"} 2\n"
      "incus_cpu_seconds_total{cpu=\"0\",mode=\"user\",name=\"j2\",project=\"p\",type=\"container\"} 7\n"
      "incus_procs_total{name=\"j\",project=\"p\",type=\"container\"} many\n"
      "incus_memory_MemFree_bytes{name=\"j\",project=\"p\",type=\"container\"} 100\n";
  auto m = MetricsOf(text, "j");
  EXPECT_EQ(m.size(), 2u);
  EXPECT_DOUBLE_EQ(m["incus_cpu_seconds_total"], 3.5);
  EXPECT_DOUBLE_EQ(m["incus_memory_MemFree_bytes"], 100);
  EXPECT_TRUE(MetricsOf(text, "none").empty());
}

TEST(ShellhostHealth, IncusDownIsCodeTwo) {
  auto incus = std::make_shared<FakeTransport>();
  Session s = testing::FakeSession("/w", "/state", incus);
  shell::State st;
  Health h = CheckHealth(s, st);
  EXPECT_EQ(h.code, 2);
  ASSERT_EQ(h.checks.size(), 1u);
  EXPECT_FALSE(h.checks[0].ok);
  EXPECT_NE(h.checks[0].fix.find("scripts/start-incus"), std::string::npos);
}

TEST(ShellhostHealth, AMissingJailDegrades) {
  auto incus = std::make_shared<FakeTransport>();
  Session s = testing::FakeSession("/w", "/state", incus);
  incus->On("GET", "/1.0", FakeTransport::Sync({{"api_version", "1.0"}}));
  incus->On("GET", "/1.0/instances/forest-helper/state", FakeTransport::Sync({{"status", "Running"}}));
  incus->On("GET", "/1.0/instances/up/state", FakeTransport::Sync({{"status", "Running"}}));
  incus->On("GET", "/1.0/instances/kept/state", FakeTransport::Sync({{"status", "Stopped"}}));
  shell::State st;
  st.jails.resize(3);
  st.jails[0].name = "up";
  st.jails[1].name = "kept", st.jails[1].persistent = true;
  st.jails[2].name = "gone", st.jails[2].workspace = "/w";
  Health h = CheckHealth(s, st);
  EXPECT_EQ(h.code, 1);
  ASSERT_EQ(h.checks.size(), 6u);
  EXPECT_TRUE(h.checks[1].ok) << h.checks[1].what;
  EXPECT_EQ(h.checks[2].what, "network policy loaded");
  EXPECT_EQ(h.checks[3].what, "jail up Running");
  EXPECT_TRUE(h.checks[3].ok);
  EXPECT_TRUE(h.checks[4].ok) << "a stopped persistent jail is fine";
  EXPECT_EQ(h.checks[5].what, "jail gone missing");
  EXPECT_FALSE(h.checks[5].ok);
  EXPECT_NE(h.checks[5].fix.find("`forest shell` in /w"), std::string::npos);
}

}  // namespace
}  // namespace forest::shellhost
