#include "node/cert_deploy.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "base/files.h"
#include "incus/api.h"
#include "trust/x509.h"

namespace forest::node {
namespace {

using Json = nlohmann::json;

Json ToJson(const CertDeployment& d) {
  return Json{{"workload", d.workload}, {"services", d.services},   {"dir", d.dir},
              {"reload", d.reload},     {"renew_before_days", d.renew_before_days},
              {"serial", d.serial},     {"not_before", d.not_before}, {"not_after", d.not_after},
              {"names", d.names}};
}

// The member `key` of object `j`, or null when absent (const operator[] on
// a missing key is undefined behaviour).
const Json& Member(const Json& j, const char* key) {
  static const Json kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

// An integer in 0..max.
bool InRange(const Json& v, int64_t max) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(max);
  return v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= max;
}

Result<CertDeployment> FromJson(const Json& j, const std::string& where) {
  CertDeployment d;
  if (!j.is_object() || !Member(j, "workload").is_string() || !Member(j, "dir").is_string()) {
    return MakeError(where + ": expected {\"workload\": ..., \"dir\": ...}");
  }
  d.workload = j["workload"];
  d.dir = j["dir"];
  if (const Json& services = Member(j, "services"); services.is_array()) {
    for (const auto& s : services) {
      if (!s.is_string()) return MakeError(where + ".services: expected strings");
      d.services.push_back(s);
    }
  }
  if (const Json& v = Member(j, "reload"); v.is_string()) d.reload = v;
  // Values `forest cert issue` can write (0..3650 days, times from 1970 on),
  // so RenewAt's arithmetic stays in range; anything else is a damaged file.
  if (const Json& v = Member(j, "renew_before_days"); v.is_number_integer()) {
    if (!InRange(v, 3650)) return MakeError(where + ".renew_before_days: expected 0..3650");
    d.renew_before_days = v;
  }
  if (const Json& v = Member(j, "serial"); v.is_string()) d.serial = v;
  for (auto [key, field] : {std::pair{"not_before", &d.not_before}, {"not_after", &d.not_after}}) {
    const Json& v = Member(j, key);
    if (!v.is_number_integer()) continue;
    if (!InRange(v, INT64_MAX)) return MakeError(where + "." + key + ": expected seconds since 1970");
    *field = v.get<int64_t>();
  }
  if (const Json& names = Member(j, "names"); names.is_array()) {
    for (const auto& n : names) {
      if (n.is_string()) d.names.push_back(n);
    }
  }
  return d;
}

bool SameSlot(const CertDeployment& a, const CertDeployment& b) { return a.workload == b.workload && a.dir == b.dir; }

std::string Hours(int64_t seconds) {
  if (seconds >= 2 * 86400) return std::to_string(seconds / 86400) + " days";
  return std::to_string(seconds / 3600) + " h";
}

}  // namespace

int64_t RenewAt(const CertDeployment& d) {
  int64_t window = int64_t{d.renew_before_days} * 86400;
  if (d.not_before > 0 && d.not_after > d.not_before) window = std::min(window, (d.not_after - d.not_before) / 3);
  return d.not_after - window;
}

std::vector<std::string> DeploymentNames(const CertDeployment& d, const std::string& node_canonical) {
  std::vector<std::string> names = {d.workload + "." + node_canonical};
  for (const std::string& s : d.services) names.push_back(s + "." + d.workload + "." + node_canonical);
  return names;
}

Result<std::vector<CertDeployment>> ParseDeployments(std::string_view text, const std::string& file) {
  Json j = Json::parse(text, nullptr, false);
  const Json& list = j.is_object() ? Member(j, "deployments") : j;
  if (!j.is_object() || !list.is_array()) return MakeError(file + ": expected {\"deployments\": [...]}");
  std::vector<CertDeployment> out;
  for (size_t i = 0; i < list.size(); ++i) {
    FOREST_ASSIGN_OR_RETURN(CertDeployment d, FromJson(list[i], file + ": deployments[" + std::to_string(i) + "]"));
    out.push_back(std::move(d));
  }
  return out;
}

std::string DeploymentsJson(const std::vector<CertDeployment>& all) {
  Json list = Json::array();
  for (const auto& d : all) list.push_back(ToJson(d));
  return Json{{"deployments", list}}.dump(2) + "\n";
}

Result<std::vector<CertDeployment>> ReadDeployments(const std::string& state_dir) {
  std::string path = state_dir + "/" + kCertsFile;
  if (::access(path.c_str(), F_OK) != 0) return std::vector<CertDeployment>{};
  FOREST_ASSIGN_OR_RETURN(std::string text, ReadFile(path, 4u << 20));
  return ParseDeployments(text, path);
}

Status SaveDeployments(const std::string& state_dir, const std::vector<CertDeployment>& all) {
  FOREST_TRY(MakeDirs(state_dir));
  return WriteFileAtomic(state_dir + "/" + kCertsFile, DeploymentsJson(all), 0600);
}

Result<CertDeployment> Deploy(incus::Client& local, const CaEndpoint& ca, CertDeployment d) {
  FOREST_ASSIGN_OR_RETURN(std::string key, trust::GenerateKey(trust::KeyKind::kEcdsaP256));
  std::vector<std::string> names = DeploymentNames(d, ca.node);
  FOREST_ASSIGN_OR_RETURN(std::string csr, trust::MakeCsr(key, names));
  FOREST_ASSIGN_OR_RETURN(Signed s, RequestSignature(ca, csr, names, false));
  std::string where = d.workload + ":" + d.dir;
  FOREST_TRY(incus::ExecOk(local, d.workload, {"mkdir", "-p", d.dir}));
  // Key first, certificate last: a server that reloads on the certificate
  // never sees a new certificate with the old key.
  FOREST_TRY(incus::PushFile(local, d.workload, d.dir + "/root.pem", s.root, 0644));
  FOREST_TRY(incus::PushFile(local, d.workload, d.dir + "/key.pem.new", key, 0600));
  FOREST_TRY(incus::PushFile(local, d.workload, d.dir + "/cert.pem.new", s.certificate + s.root, 0644));
  FOREST_TRY(incus::ExecOk(local, d.workload,
                           {"sh", "-c", "mv -f \"$1/key.pem.new\" \"$1/key.pem\" && mv -f \"$1/cert.pem.new\" \"$1/cert.pem\"",
                            "sh", d.dir}));
  if (!d.reload.empty()) {
    auto r = incus::ExecOk(local, d.workload, {"sh", "-c", d.reload});
    if (!r.ok()) return r.error().Wrap(where + ": reload command");
  }
  d.serial = s.serial;
  d.not_before = s.not_before;
  d.not_after = s.not_after;
  d.names = s.names;
  return d;
}

Result<CertDeployment> DeployAndRecord(incus::Client& local, const CaEndpoint& ca, const std::string& state_dir,
                                       CertDeployment d) {
  FOREST_TRY(MakeDirs(state_dir));
  // certs.json is read, changed and written by the CLI and forestd alike.
  FOREST_ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(state_dir + "/certs.lock"));
  FOREST_ASSIGN_OR_RETURN(std::vector<CertDeployment> all, ReadDeployments(state_dir));
  FOREST_ASSIGN_OR_RETURN(CertDeployment done, Deploy(local, ca, std::move(d)));
  bool replaced = false;
  for (auto& x : all) {
    if (SameSlot(x, done)) {
      x = done;
      replaced = true;
    }
  }
  if (!replaced) all.push_back(done);
  FOREST_TRY(SaveDeployments(state_dir, all));
  return done;
}

std::vector<std::string> EnsureDeclared(incus::Client& local, const CaEndpoint& ca, const std::string& state_dir,
                                        const std::vector<CertDeployment>& declared) {
  std::vector<std::string> log;
  if (declared.empty()) return log;
  auto have = ReadDeployments(state_dir);
  if (!have.ok()) return {"certificates: " + have.error().message};
  for (const auto& d : declared) {
    bool recorded = false;
    for (const auto& h : *have) recorded = recorded || SameSlot(h, d);
    if (recorded) continue;
    auto done = DeployAndRecord(local, ca, state_dir, d);
    if (!done.ok()) {
      log.push_back("certificate for " + d.workload + " (tls: true) not deployed yet: " + done.error().message);
      continue;
    }
    log.push_back("certificate for " + d.workload + ":" + d.dir + " deployed (tls: true): serial " + done->serial);
  }
  return log;
}

std::vector<std::string> RenewDue(incus::Client& local, const CaEndpoint& ca, const std::string& state_dir,
                                  int64_t now) {
  std::vector<std::string> log;
  auto lock = FileLock::Acquire(state_dir + "/certs.lock");
  if (!lock.ok()) return {"certificates: " + lock.error().message};
  auto all = ReadDeployments(state_dir);
  if (!all.ok()) return {"certificates: " + all.error().message};
  bool changed = false;
  // Revoked leaves are replaced too (a name moved, or `forest cert revoke`);
  // without an answer from the helper this pass looks at expiry only.
  std::optional<std::set<std::string>> revoked;
  if (!all->empty()) {
    if (auto serials = FetchRevokedSerials(ca); serials.ok()) revoked = std::move(*serials);
  }
  for (auto& d : *all) {
    std::string why;
    if (now >= RenewAt(d)) {
      why = "due: expires in " + Hours(std::max<int64_t>(d.not_after - now, 0));
    } else if (revoked && revoked->count(d.serial)) {
      why = "revoked by the forest CA";
    } else {
      auto have = incus::PullFile(local, d.workload, d.dir + "/cert.pem");
      if (!have.ok()) {
        // Not running or gone: nothing to serve TLS; look again next pass.
        continue;
      }
      auto info = trust::InspectCert(*have);
      if (!info.ok() || info->serial_hex != d.serial) why = "the workload's certificate is not ours";
    }
    if (why.empty()) continue;
    auto renewed = Deploy(local, ca, d);
    if (!renewed.ok()) {
      log.push_back("certificate for " + d.workload + ":" + d.dir + " (" + why + ") not renewed: " +
                    renewed.error().message);
      continue;
    }
    log.push_back("certificate for " + d.workload + ":" + d.dir + " renewed (" + why + "): serial " +
                  renewed->serial);
    d = *renewed;
    changed = true;
  }
  if (changed) {
    if (auto s = SaveDeployments(state_dir, *all); !s.ok()) log.push_back("certificates: " + s.error().message);
  }
  return log;
}

}  // namespace forest::node
