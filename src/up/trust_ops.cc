#include "up/trust_ops.h"

#include <algorithm>

#include "incus/api.h"
#include "trust/crl.h"
#include "up/converge.h"

namespace forest::up {
namespace {

using Json = nlohmann::json;

// An entry of helper-revoke's list as the host reads and prints it.
bool IsRevocation(const Json& e) {
  if (!e.is_object()) return false;
  for (const char* key : {"serial", "caller", "reason"}) {
    if (!e.contains(key) || !e[key].is_string()) return false;
  }
  if (!e.contains("names") || !e["names"].is_array()) return false;
  return std::all_of(e["names"].begin(), e["names"].end(), [](const Json& n) { return n.is_string(); });
}

}  // namespace

std::vector<std::string> CertDeployArgv(const CertRequest& r) {
  std::vector<std::string> argv = {"forest",
                                   "cert",
                                   "deploy",
                                   r.workload,
                                   "--dir",
                                   r.dir,
                                   "--renew-before-days",
                                   std::to_string(r.renew_before_days)};
  for (const auto& s : r.services) argv.insert(argv.end(), {"--service", s});
  if (!r.reload.empty()) argv.insert(argv.end(), {"--reload", r.reload});
  return argv;
}

Result<int> IssueCert(incus::Client& c, const std::vector<std::string>& path, const CertRequest& r,
                      const incus::OutputSink& sink) {
  return ExecPath(c, path, CertDeployArgv(r), sink);
}

std::vector<std::string> HelperRevokeArgv(const RevokeRequest& r) {
  std::vector<std::string> argv = {kBinaryPath, "helper-revoke", "--json"};
  for (const auto& s : r.serials) argv.insert(argv.end(), {"--serial", s});
  if (!r.node.empty()) argv.insert(argv.end(), {"--node", r.node});
  if (!r.name.empty()) argv.insert(argv.end(), {"--name", r.name});
  if (!r.reason.empty()) argv.insert(argv.end(), {"--reason", r.reason});
  if (r.dry_run) argv.push_back("--dry-run");
  return argv;
}

Result<Json> RevokeInHelper(incus::Client& c, api::ForestdClient& forestd, const std::string& helper_name,
                            const std::string& helper_address, const RevokeRequest& r) {
  auto ran = incus::Exec(c, helper_name, HelperRevokeArgv(r));
  if (!ran.ok()) return ran.error().Wrap("running helper-revoke in " + helper_name);
  if (ran->exit_code != 0) {
    std::string why = ran->err;
    if (why.starts_with("forest: error: ")) why.erase(0, 15);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return MakeError(why.empty() ? "helper-revoke failed in " + helper_name : why);
  }
  Json j = Json::parse(ran->out, nullptr, false);
  if (!j.is_object() || !j["revoked"].is_array() ||
      !std::all_of(j["revoked"].begin(), j["revoked"].end(), IsRevocation)) {
    return MakeError("helper-revoke answered something unexpected");
  }
  if (r.dry_run) return j;
  // The running helper serves them: its CRL must list every one.
  auto crl = forestd.Crl(helper_address);
  auto root = forestd.RootCa(helper_address);
  if (!crl.ok() || !root.ok()) {
    return MakeError("revoked, but the helper at [" + helper_address +
                     "]:8053 served no CRL; `forest status` shows whether it runs");
  }
  auto info = trust::InspectCrl(*crl, *root);
  if (!info.ok()) return info.error().Wrap("the helper's CRL");
  for (const auto& e : j["revoked"]) {
    std::string serial = e["serial"];
    if (!std::binary_search(info->serials.begin(), info->serials.end(), serial)) {
      return MakeError("serial " + serial + " is revoked in the helper's state but not in its CRL yet");
    }
  }
  j["crl"] = "http://[" + helper_address + "]:8053/v1/crl";
  j["crl_entries"] = info->serials.size();
  return j;
}

}  // namespace forest::up
