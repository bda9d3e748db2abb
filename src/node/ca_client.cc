#include "node/ca_client.h"

#include <algorithm>
#include <cstdlib>

#include "api/helper_api.h"
#include "api/paths.h"
#include "base/files.h"
#include "http/client.h"
#include "trust/crl.h"
#include "trust/san_policy.h"
#include "trust/x509.h"

namespace forest::node {
namespace {

std::string ErrorOf(const http::Reply& r) {
  return "HTTP " + std::to_string(r.status) + ": " + api::ErrorMessage(r.body);
}

}  // namespace

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

Result<std::string> FetchRoot(const CaEndpoint& e) {
  auto r = http::Call("GET", e.helper, e.port, api::kRootCa, "", {std::chrono::seconds(10), ""});
  if (!r.ok()) return r.error().Wrap("fetching the forest root from the helper");
  if (r->status != 200) return MakeError("the helper gave no root (" + ErrorOf(*r) + ")");
  auto info = trust::InspectCert(r->body);
  if (!info.ok() || !info->is_ca) return MakeError("the helper's /v1/root-ca is not a CA certificate");
  return r->body;
}

Result<Signed> RequestSignature(const CaEndpoint& e, const std::string& csr_pem,
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
  auto r = http::Call("POST", e.helper, e.port, api::kSignCsr, api::SerializeSignRequest(req),
                      {std::chrono::seconds(15), ""});
  if (!r.ok()) return r.error().Wrap("asking the forest CA");
  if (r->status != 200) return MakeError("the forest CA refused (" + ErrorOf(*r) + ")");
  FOREST_ASSIGN_OR_RETURN(api::SignReply reply, api::ParseSignReply(r->body));
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

Result<std::set<std::string>> FetchRevokedSerials(const CaEndpoint& e) {
  FOREST_ASSIGN_OR_RETURN(std::string root, FetchRoot(e));
  auto r = http::Call("GET", e.helper, e.port, api::kCrl, "", {std::chrono::seconds(10), ""});
  if (!r.ok()) return r.error().Wrap("fetching the forest CA's CRL");
  if (r->status != 200) return MakeError("the helper gave no CRL (" + ErrorOf(*r) + ")");
  FOREST_ASSIGN_OR_RETURN(trust::CrlInfo info, trust::InspectCrl(r->body, root));
  return std::set<std::string>(info.serials.begin(), info.serials.end());
}

}  // namespace forest::node
