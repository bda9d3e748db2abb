// forest shell's network policy on the host: the nftables table for every
// jail (rendered by shell/netpolicy.h), allowlisted names resolved here,
// loaded with nft, and refreshed while a session runs.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "base/result.h"
#include "shell/jail.h"
#include "shellhost/session.h"

namespace forest::shellhost {

// Re-renders and loads the nftables table for the jails in `st` (removes it
// when there are none). Allowlisted names are resolved on the host.
Status ApplyNetPolicy(const Session& s, const shell::State& st);

// Whether nftables has `inet <table>` loaded (the policy, for health).
bool TableLoaded(const std::string& table);
// The shell forest's policy table (`inet forest_shell_<forest>`), and its
// removal (quiet when it is not loaded): `forest down` of a shell forest.
std::string PolicyTable(const std::string& forest);
void DropPolicyTable(const std::string& forest);

// While it lives, resolves an allowlist jail's names again every
// allow_refresh seconds and reloads the policy (under the state lock).
class AllowlistRefresher {
 public:
  AllowlistRefresher(const Session& s, const shell::Jail& jail);
  AllowlistRefresher(const AllowlistRefresher&) = delete;
  AllowlistRefresher& operator=(const AllowlistRefresher&) = delete;
  void Stop();
  ~AllowlistRefresher() { Stop(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace forest::shellhost
