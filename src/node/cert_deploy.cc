#include "node/cert_deploy.h"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <set>

#include "base/files.h"
#include "incus/api.h"
#include "trust/x509.h"

namespace forest::node {
namespace {

bool SameSlot(const CertDeployment& a, const CertDeployment& b) { return a.workload == b.workload && a.dir == b.dir; }

std::string Hours(int64_t seconds) {
  if (seconds >= 2 * 86400) return std::to_string(seconds / 86400) + " days";
  return std::to_string(seconds / 3600) + " h";
}

}  // namespace

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
