#include "helper/ca_service.h"

#include <sys/stat.h>

#include <algorithm>

#include "api/helper_api.h"
#include "base/files.h"
#include "naming/names.h"
#include "net/ip.h"
#include "trust/caroot.h"
#include "trust/crl.h"

namespace forest::helper {

CaService::CaService(std::string ca_dir, std::string crl_url, const Clock& clock, Logger log)
    : dir_(std::move(ca_dir)), clock_(clock), log_(std::move(log)), files_(dir_) {
  broker_.SetCrlUrl(std::move(crl_url));
}

void CaService::Load(const registration::ForestView& view) {
  ReloadRoot();
  LoadIssuances();
  ReloadRevocations();
  Sweep(view);
}

// The staged root (`forest ca stage` writes it into the helper's state);
// loaded again whenever the files change, so staging needs no restart.
void CaService::ReloadRoot() {
  struct stat cert {
  }, key{};
  std::string cert_path = dir_ + "/" + trust::kRootCertFile, key_path = dir_ + "/" + trust::kRootKeyFile;
  if (stat(cert_path.c_str(), &cert) != 0 || stat(key_path.c_str(), &key) != 0) {
    if (broker_.root()) log_("CA root removed from " + dir_);
    broker_.SetRoot(std::nullopt);
    root_stamp_.clear();
    return;
  }
  std::string stamp = std::to_string(cert.st_mtim.tv_sec) + "." + std::to_string(cert.st_mtim.tv_nsec) + "/" +
                      std::to_string(key.st_mtim.tv_sec) + "." + std::to_string(key.st_mtim.tv_nsec) + "/" +
                      std::to_string(cert.st_size + key.st_size);
  if (stamp == root_stamp_) return;
  root_stamp_ = stamp;
  auto cert_pem = ReadFile(cert_path, trust::kMaxPemBytes);
  auto key_pem = ReadFile(key_path, trust::kMaxPemBytes);
  if (!cert_pem.ok() || !key_pem.ok()) {
    log_("cannot read the CA root in " + dir_ + ": " +
         (cert_pem.ok() ? key_pem.error() : cert_pem.error()).message);
    return;  // keep the last good root
  }
  auto root = trust::CaRoot::Load(*cert_pem, *key_pem);
  if (!root.ok()) {
    log_("CA root in " + dir_ + " not loaded, last good kept: " + root.error().message);
    return;
  }
  log_("CA root loaded: " + root->subject());
  broker_.SetRoot(*root);
}

// Key bindings survive restarts: the issuance log is replayed (and kept,
// for revocation).
void CaService::LoadIssuances() {
  auto log = files_.ReadIssued();
  if (!log.ok()) {
    log_("cannot replay the issuance log: " + log.error().message);
    return;
  }
  issued_ = std::move(log->issued);
  for (const auto& i : issued_) broker_.Remember(i);
  if (log->skipped) {
    log_(files_.Path(kIssuedFile) + ": " + std::to_string(log->skipped) + " unreadable lines skipped");
  }
  if (!issued_.empty()) {
    log_("replayed " + std::to_string(issued_.size()) + " issuances from " + files_.Path(kIssuedFile));
  }
}

// revoked.json is also written by `forest helper-revoke` (forest cert
// revoke on the host): read again whenever it changed.
void CaService::ReloadRevocations() {
  std::string stamp = FileStamp(files_.Path(kRevokedFile));
  if (stamp == revoked_stamp_) return;
  auto all = files_.ReadRevoked();
  if (!all.ok()) {
    log_("revocations not reloaded, last good kept: " + all.error().message);
    return;
  }
  revoked_stamp_ = stamp;
  revoked_ = std::move(*all);
  revoked_serials_.clear();
  for (const auto& r : revoked_) revoked_serials_.insert(r.serial);
}

void CaService::Sweep(const registration::ForestView& view) {
  ReloadRevocations();
  auto superseded = Superseded(view, issued_, revoked_serials_, clock_.Unix());
  if (superseded.empty()) return;
  auto added = files_.AddRevoked(superseded);
  if (!added.ok()) {
    log_("cannot record revocations: " + added.error().message);
    return;
  }
  for (const auto& r : *added) log_("revoked serial " + r.serial + " of " + r.caller + ": " + r.reason);
  ReloadRevocations();
}

http::Response CaService::NoRoot() const {
  return http::ErrorResponse(503, "no CA root is staged on the helper; run `forest ca stage` on the host");
}

Status CaService::SignCaller(const registration::ForestView& view, std::string_view source) {
  auto a = net::Ipv6Address::Parse(source);
  if (a.ok() && view.NodeWithAddress(*a)) return {};
  ++sign_refused_;
  std::string why =
      "source address " + naming::QuoteUntrusted(source) +
      " is not the uplink or node address of any node in the forest; certificates are signed only "
      "for nodes, identified by the address they connect from";
  log_("sign-csr refused: " + why);
  return MakeError(why);
}

http::Response CaService::SignCsr(const registration::ForestView& view, const http::Request& r) {
  ReloadRoot();
  auto reply = broker_.Sign(view, r.remote_address, r.body, clock_.Unix());
  log_(reply.log);
  if (!reply.issued) {
    ++sign_refused_;
    return http::JsonResponse(reply.status, reply.body);
  }
  ++signed_;
  // Every issuance is logged: who, which names, the serial.
  if (auto s = files_.AppendIssued(*reply.issued); !s.ok()) log_(s.error().message);
  issued_.push_back(*reply.issued);
  return http::JsonResponse(reply.status, reply.body);
}

// GET /v1/crl[?format=der]: signed again when the revocations or the root
// changed, and every kCrlRefreshSeconds (nextUpdate is a day ahead).
http::Response CaService::Crl(const http::Request& r) {
  ReloadRoot();
  ReloadRevocations();
  if (!broker_.root()) return NoRoot();
  int64_t now = clock_.Unix();
  std::string basis = revoked_stamp_ + "|" + root_stamp_;
  if (crl_pem_.empty() || basis != crl_basis_ || now - crl_made_ >= kCrlRefreshSeconds) {
    crl_number_ = std::max<uint64_t>(crl_number_ + 1, static_cast<uint64_t>(now));
    auto pem = trust::MakeCrl(*broker_.root(), CrlSpecFor(revoked_, now, crl_number_));
    if (!pem.ok()) {
      log_("CRL not made: " + pem.error().message);
      return http::ErrorResponse(500, "CRL not made: " + pem.error().message);
    }
    crl_pem_ = std::move(*pem);
    crl_basis_ = basis;
    crl_made_ = now;
  }
  if (r.target.find("format=der") != std::string::npos) {
    auto der = trust::CrlDer(crl_pem_);
    if (der.ok()) return {200, "application/pkix-crl", *der, {}};
  }
  return {200, "application/x-pem-file", crl_pem_, {}};
}

// GET /v1/crl-root: the root's CRL-signing twin (trust/crl.h).
http::Response CaService::CrlRoot() {
  ReloadRoot();
  if (!broker_.root()) return NoRoot();
  auto twin = trust::CrlSigningRoot(*broker_.root());
  if (!twin.ok()) return http::ErrorResponse(500, twin.error().message);
  return {200, "application/x-pem-file", *twin, {}};
}

http::Response CaService::RootCa() {
  ReloadRoot();
  if (!broker_.root()) return NoRoot();
  return {200, "application/x-pem-file", broker_.root()->cert_pem(), {}};
}

void CaService::AddMetrics(serve::MetricsText& m) const {
  m.Type("forestd_sign_csr_total", "counter");
  m.Line("forestd_sign_csr_total", "result=\"signed\"", signed_);
  m.Line("forestd_sign_csr_total", "result=\"refused\"", sign_refused_);
}

}  // namespace forest::helper
