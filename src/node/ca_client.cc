#include "node/ca_client.h"

#include <algorithm>
#include <cstdlib>

#include "api/forestd_client.h"
#include "base/files.h"
#include "trust/crl.h"
#include "trust/san_policy.h"
#include "trust/x509.h"

namespace forest::node {

Result<CaEndpoint> LoadCaEndpoint() {
  const char* env = std::getenv("FOREST_MKCERT_CONFIG");
  std::string path = env && *env ? env : trust::kMkcertConfig;
  auto text = ReadFile(path, 64 * 1024);
  if (!text.ok()) {
    return MakeError(path + ": cannot read the forest CA settings (" + text.error().message +
                     "); run this inside a node that `forest up` converged");
  }
  return trust::ParseCaEndpoint(*text, path);
}

namespace {

api::HttpForestdClient HelperOf(const CaEndpoint& e) {
  api::HttpForestdOptions o;
  o.port = e.port;
  return api::HttpForestdClient(o);
}

// A refusal (the helper answered) says what was refused; a failed hop which
// call failed.
Error Explained(const Error& e, const std::string& refused, const std::string& hop) {
  return api::IsRefusal(e) ? MakeError(refused + " (" + e.message + ")") : e.Wrap(hop);
}

}  // namespace

Result<std::string> FetchRoot(api::ForestdClient& helper, const CaEndpoint& e) {
  auto r = helper.RootCa(e.helper);
  if (!r.ok())
    return Explained(r.error(), "the helper gave no root", "fetching the forest root from the helper");
  auto info = trust::InspectCert(*r);
  if (!info.ok() || !info->is_ca) return MakeError("the helper's /v1/root-ca is not a CA certificate");
  return r;
}

Result<Signed> RequestSignature(api::ForestdClient& helper, const CaEndpoint& e, const std::string& csr_pem,
                                const std::vector<std::string>& names, bool client) {
  api::SignRequest req;
  req.csr_pem = csr_pem;
  req.client = client;
  for (const std::string& n : names) {
    FOREST_ASSIGN_OR_RETURN(std::string path, trust::LabelPathForName(e.node, n));
    if (std::find(req.label_paths.begin(), req.label_paths.end(), path) == req.label_paths.end()) {
      req.label_paths.push_back(path);
    }
  }
  auto r = helper.SignCsr(e.helper, req);
  if (!r.ok()) return Explained(r.error(), "the forest CA refused", "asking the forest CA");
  api::SignReply& reply = *r;
  Signed s;
  s.certificate = std::move(reply.certificate);
  s.root = std::move(reply.root);
  s.serial = std::move(reply.serial);
  s.names = std::move(reply.names);
  s.withheld = std::move(reply.withheld);
  s.not_after = reply.not_after;
  s.not_before = reply.not_before;
  if (s.not_before == 0) {
    if (auto info = trust::InspectCert(s.certificate); info.ok()) s.not_before = info->not_before;
  }
  return s;
}

Result<std::set<std::string>> FetchRevokedSerials(api::ForestdClient& helper, const CaEndpoint& e) {
  FOREST_ASSIGN_OR_RETURN(std::string root, FetchRoot(helper, e));
  auto crl = helper.Crl(e.helper);
  if (!crl.ok()) return Explained(crl.error(), "the helper gave no CRL", "fetching the forest CA's CRL");
  FOREST_ASSIGN_OR_RETURN(trust::CrlInfo info, trust::InspectCrl(*crl, root));
  return std::set<std::string>(info.serials.begin(), info.serials.end());
}

Result<std::string> FetchRoot(const CaEndpoint& e) {
  auto helper = HelperOf(e);
  return FetchRoot(helper, e);
}

Result<Signed> RequestSignature(const CaEndpoint& e, const std::string& csr_pem,
                                const std::vector<std::string>& names, bool client) {
  auto helper = HelperOf(e);
  return RequestSignature(helper, e, csr_pem, names, client);
}

Result<std::set<std::string>> FetchRevokedSerials(const CaEndpoint& e) {
  auto helper = HelperOf(e);
  return FetchRevokedSerials(helper, e);
}

}  // namespace forest::node
