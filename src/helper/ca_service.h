// The helper daemon's trust plane (forestd --role helper): the staged root,
// loaded again whenever `forest ca stage` changes its files; the issuance
// log, replayed at start for key bindings; the revocations, swept after
// each change of the view and read again when `forest helper-revoke`
// changed them; the CRL, signed again when they or the root change. The
// HTTP handlers of /v1/sign-csr, /v1/crl, /v1/crl-root and /v1/root-ca
// (helper/routes.h wires them). Files: <state>/ca (helper/ca_files.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "helper/ca_broker.h"
#include "helper/ca_files.h"
#include "helper/revocations.h"
#include "serve/http_route.h"
#include "serve/metrics.h"

namespace forest::helper {

class CaService {
 public:
  using Logger = std::function<void(const std::string&)>;
  // `ca_dir` is <state>/ca; `crl_url` goes into every leaf.
  CaService(std::string ca_dir, std::string crl_url, const Clock& clock, Logger log);

  // At start: the root, the issuance log, the revocations.
  void Load(const registration::ForestView& view);
  // A changed view can give a name to someone else: the leaves of others
  // that hold it are revoked (helper/revocations.h Superseded).
  void Sweep(const registration::ForestView& view);

  // The broker checks again on the body; this refuses workloads on the head.
  Status SignCaller(const registration::ForestView& view, std::string_view source);
  http::Response SignCsr(const registration::ForestView& view, const http::Request& r);
  http::Response Crl(const http::Request& r);
  http::Response CrlRoot();
  http::Response RootCa();

  void AddMetrics(serve::MetricsText& m) const;

 private:
  void ReloadRoot();
  void LoadIssuances();
  void ReloadRevocations();
  http::Response NoRoot() const;

  std::string dir_;
  const Clock& clock_;
  Logger log_;
  CaBroker broker_;
  CaFiles files_;
  std::vector<Issuance> issued_;
  std::vector<Revocation> revoked_;
  std::set<std::string> revoked_serials_;
  std::string revoked_stamp_;
  std::string root_stamp_;
  std::string crl_pem_, crl_basis_;
  int64_t crl_made_ = 0;
  uint64_t crl_number_ = 0;
  uint64_t signed_ = 0, sign_refused_ = 0;
};

}  // namespace forest::helper
