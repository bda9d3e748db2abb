#include "helper/ca_broker.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "naming/names.h"
#include "trust/san_policy.h"

namespace forest::helper {
namespace {

using Json = nlohmann::json;

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 0xf];
  }
  return out;
}

// SHA-256 of the DER SubjectPublicKeyInfo.
std::string KeySha256(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  bool ok = EVP_Digest(der, static_cast<size_t>(n), md, &md_len, EVP_sha256(), nullptr) == 1;
  OPENSSL_free(der);
  return ok ? Hex(md, md_len) : std::string();
}

CaBroker::Reply Refuse(int status, const std::string& who, const std::string& why) {
  return {status, api::ErrorJson(why), "sign-csr refused (" + who + "): " + why, std::nullopt};
}

}  // namespace

Json Issuance::ToJson() const {
  return Json{{"caller", caller}, {"source", source},     {"sans", sans},           {"withheld", withheld},
              {"serial", serial_hex}, {"key_sha256", key_sha256}, {"not_after", not_after}, {"issued_at", issued_at}};
}

Result<Issuance> Issuance::FromJson(const Json& j) {
  if (!j.is_object()) return MakeError("expected a JSON object");
  Issuance i;
  for (auto [key, field] : {std::pair{"caller", &i.caller}, {"serial", &i.serial_hex}, {"key_sha256", &i.key_sha256}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return MakeError(std::string(key) + ": expected a string");
    *field = it->get<std::string>();
  }
  if (auto it = j.find("source"); it != j.end() && it->is_string()) i.source = it->get<std::string>();
  for (auto [key, list] : {std::pair{"sans", &i.sans}, {"withheld", &i.withheld}}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    if (!it->is_array()) return MakeError(std::string(key) + ": expected a list of strings");
    for (const auto& n : *it) {
      if (!n.is_string()) return MakeError(std::string(key) + ": expected a list of strings");
      list->push_back(n.get<std::string>());
    }
  }
  for (auto [key, field] : {std::pair{"not_after", &i.not_after}, {"issued_at", &i.issued_at}}) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return MakeError(std::string(key) + ": expected an integer");
    *field = it->get<int64_t>();
  }
  return i;
}

int64_t LeafNotAfter(int64_t now, bool has_alias) {
  return now + (has_alias ? kAliasLeafSeconds : kCanonicalLeafSeconds);
}

CaBroker::Reply CaBroker::Sign(const registration::ForestView& view, std::string_view source, std::string_view body,
                               int64_t now) {
  std::string who = std::string(source);
  auto address = net::Ipv6Address::Parse(source);
  std::optional<std::string> caller;
  if (address.ok()) caller = view.NodeWithAddress(*address);
  if (!caller) {
    return Refuse(403, who,
                  "source address " + naming::QuoteUntrusted(source) +
                      " is not the uplink or node address of any node in the forest; certificates are signed only for "
                      "nodes, identified by the address they connect from");
  }
  who = *caller + " from " + who;
  if (!root_) return Refuse(503, who, "no CA root is staged on the helper; run `forest ca stage` on the host");
  auto request = api::ParseSignRequest(body);
  if (!request.ok()) return Refuse(400, who, request.error().message);
  auto csr = trust::ParseCsr(request->csr_pem);
  if (!csr.ok()) return Refuse(400, who, "csr: " + csr.error().message);
  std::string key_sha256 = KeySha256(csr->public_key.get());
  if (auto it = key_owner_.find(key_sha256); it != key_owner_.end() && it->second != *caller) {
    return Refuse(403, who, "this CSR's public key was certified for " + it->second +
                                "; a key is never certified for two nodes (generate a new key)");
  }
  std::vector<std::string> requested = csr->dns_names;
  if (requested.empty() && !csr->common_name.empty()) requested.push_back(csr->common_name);
  if (!csr->ip_addresses.empty() || !csr->emails.empty() || !csr->uris.empty()) {
    return Refuse(403, who, "csr: only DNS names under .incus are signed by the forest CA, not IP addresses, emails or URIs");
  }
  auto decision = trust::DecideSans(view, *caller, request->label_paths, requested);
  if (!decision.ok()) return Refuse(403, who, decision.error().message);


  trust::LeafSpec spec;
  spec.dns_names = decision->sans;
  spec.client = request->client;
  spec.organizational_unit = "forest " + *caller;
  spec.not_before = now;
  spec.not_after = LeafNotAfter(now, decision->has_alias);
  spec.crl_url = crl_url_;
  auto issued = trust::SignLeaf(*root_, *csr, spec);
  if (!issued.ok()) return Refuse(500, who, "signing failed: " + issued.error().message);

  Issuance i;
  i.caller = *caller;
  i.source = std::string(source);
  i.sans = decision->sans;
  i.withheld = decision->withheld;
  i.serial_hex = issued->serial_hex;
  i.key_sha256 = key_sha256;
  i.not_after = spec.not_after;
  i.issued_at = now;
  Remember(i);

  Reply reply;
  api::SignReply signed_reply;
  signed_reply.certificate = issued->cert_pem;
  signed_reply.root = root_->cert_pem();
  signed_reply.serial = issued->serial_hex;
  signed_reply.caller = *caller;
  signed_reply.names = decision->sans;
  signed_reply.withheld = decision->withheld;
  signed_reply.not_before = spec.not_before;
  signed_reply.not_after = spec.not_after;
  reply.body = api::ToJson(signed_reply);
  std::string names;
  for (const auto& n : decision->sans) names += (names.empty() ? "" : ",") + n;
  reply.log = "issued serial " + issued->serial_hex + " to " + who + " for " + names;
  reply.issued = std::move(i);
  return reply;
}

}  // namespace forest::helper
