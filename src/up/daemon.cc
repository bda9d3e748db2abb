#include "up/daemon.h"

#include <thread>

#include "base/files.h"
#include "http/client.h"
#include "incus/api.h"

namespace forest::up {

std::string DaemonUnit(const std::string& role, const std::string& args, const std::string& release) {
  return "# Written by `forest up` (" + release + "); it rewrites this file.\n"
         "[Unit]\n"
         "Description=forest daemon (" + role + ")\n"
         "Wants=incus.service\n"
         "After=incus.service network.target\n"
         "StartLimitIntervalSec=0\n"
         "[Service]\n"
         "ExecStart=/opt/forest/current/bin/forestd " + args + "\n"
         "Restart=always\n"
         "RestartSec=1\n"
         "[Install]\n"
         "WantedBy=multi-user.target\n";
}

namespace {

// The same steps locally and through Incus: `run` returns exit code and output.
using Runner = std::function<Result<std::pair<int, std::string>>(const std::vector<std::string>&)>;

Result<std::string> Ensure(bool unit_changed, const Runner& run) {
  std::string did;
  if (unit_changed) {
    FOREST_ASSIGN_OR_RETURN(auto r, run({"systemctl", "daemon-reload"}));
    FOREST_ASSIGN_OR_RETURN(auto e, run({"systemctl", "enable", "forestd.service"}));
    if (e.first != 0) return MakeError("systemctl enable forestd: " + e.second);
    FOREST_ASSIGN_OR_RETURN(auto s, run({"systemctl", "restart", "forestd.service"}));
    if (s.first != 0) return MakeError("systemctl restart forestd: " + s.second);
    return std::string("forestd (re)started with a new unit");
  }
  FOREST_ASSIGN_OR_RETURN(auto a, run({"systemctl", "is-active", "-q", "forestd.service"}));
  if (a.first == 0) return did;
  FOREST_ASSIGN_OR_RETURN(auto s, run({"systemctl", "start", "forestd.service"}));
  if (s.first != 0) return MakeError("systemctl start forestd: " + s.second);
  return std::string("forestd started");
}

}  // namespace

Result<std::string> EnsureLocalDaemon(ProcessRunner& run, const std::string& unit) {
  FOREST_ASSIGN_OR_RETURN(bool changed, WriteFileIfChanged(kDaemonUnitPath, unit));
  return Ensure(changed, [&](const std::vector<std::string>& argv) -> Result<std::pair<int, std::string>> {
    auto r = run.Run({.argv = argv, .merge_stderr = true});
    if (!r.ok()) return std::make_pair(1, r.error().message);            // could not run: a failure
    return std::make_pair(r->exit_code < 0 ? 1 : r->exit_code, r->out);  // killed: a failure
  });
}

Result<std::string> EnsureDaemonIn(incus::Client& c, const std::string& instance, const std::string& unit) {
  auto cur = incus::PullFile(c, instance, kDaemonUnitPath);
  bool changed = !cur.ok() || *cur != unit;
  if (changed) FOREST_TRY(incus::PushFile(c, instance, kDaemonUnitPath, unit));
  return Ensure(changed, [&](const std::vector<std::string>& argv) -> Result<std::pair<int, std::string>> {
    FOREST_ASSIGN_OR_RETURN(auto r, incus::Exec(c, instance, argv));
    return std::make_pair(r.exit_code, r.out + r.err);
  });
}

Status WaitHealthy(const std::string& what, const std::string& address, uint16_t port,
                   std::chrono::seconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < end) {
    auto r = http::Call("GET", address, port, "/healthz", "", {std::chrono::seconds(1), ""});
    if (r.ok() && r->status == 200) return {};
    last = r.ok() ? "HTTP " + std::to_string(r->status) : r.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return MakeError(what + ": forestd did not become healthy within " + std::to_string(timeout.count()) +
                   " s (" + last + "); see `journalctl -u forestd` there");
}

}  // namespace forest::up
