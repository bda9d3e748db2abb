#include "trust/crl.h"

#include <openssl/pem.h>

#include <algorithm>

#include "trust/ossl.h"

namespace forest::trust {
namespace {

using namespace ossl;  // NOLINT: the OpenSSL helpers shared with x509.cc

Result<Asn1IntPtr> SerialFromHex(const std::string& hex) {
  if (hex.empty() || hex.size() > 40 || !std::all_of(hex.begin(), hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    return MakeError("serial " + Quote(hex) + ": expected lower-case hex, at most 40 digits");
  }
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, hex.c_str()) == 0) return SslError("serial " + Quote(hex));
  BnPtr bn(raw);
  Asn1IntPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return SslError("cannot encode serial " + hex);
  return serial;
}

Result<CrlPtr> ParseCrl(std::string_view pem) {
  if (pem.size() > kMaxCrlBytes) {
    return MakeError("CRL is " + std::to_string(pem.size()) + " bytes; the limit is " + std::to_string(kMaxCrlBytes));
  }
  FOREST_ASSIGN_OR_RETURN(BioPtr bio, ReadBio(pem));
  CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, NoPassword, nullptr));
  if (!crl) return SslError("not a readable PEM CRL");
  return crl;
}

}  // namespace

Result<std::string> MakeCrl(const CaRoot& root, const CrlSpec& spec) {
  ErrorQueueScope errors;
  if (root.cert() == nullptr || root.key() == nullptr) return MakeError("MakeCrl: the root is not loaded");
  if (spec.next_update <= spec.this_update) return MakeError("MakeCrl: nextUpdate must follow thisUpdate");
  CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(root.cert())) != 1) {
    return SslError("cannot start the CRL");
  }
  using TimePtr = std::unique_ptr<ASN1_TIME, Deleter<&ASN1_TIME_free>>;
  TimePtr last(ASN1_TIME_set(nullptr, static_cast<time_t>(spec.this_update)));
  TimePtr next(ASN1_TIME_set(nullptr, static_cast<time_t>(spec.next_update)));
  if (!last || !next || X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return SslError("cannot set the CRL's update times");
  }
  for (const CrlEntry& e : spec.entries) {
    FOREST_ASSIGN_OR_RETURN(Asn1IntPtr serial, SerialFromHex(e.serial_hex));
    RevokedPtr r(X509_REVOKED_new());
    TimePtr when(ASN1_TIME_set(nullptr, static_cast<time_t>(e.revoked_at)));
    if (!r || !when || X509_REVOKED_set_serialNumber(r.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(r.get(), when.get()) != 1 || X509_CRL_add0_revoked(crl.get(), r.get()) != 1) {
      return SslError("cannot add serial " + e.serial_hex + " to the CRL");
    }
    r.release();  // owned by the CRL now
  }
  if (X509_CRL_sort(crl.get()) != 1) return SslError("cannot sort the CRL");
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, root.cert(), nullptr, nullptr, crl.get(), 0);
  ExtPtr akid(X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!akid || X509_CRL_add_ext(crl.get(), akid.get(), -1) != 1) return SslError("cannot add the CRL's authority key id");
  Asn1IntPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), spec.number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return SslError("cannot add the crlNumber");
  }
  if (X509_CRL_sign(crl.get(), root.key(), EVP_sha256()) <= 0) return SslError("cannot sign the CRL");
  FOREST_ASSIGN_OR_RETURN(BioPtr bio, WriteBio());
  if (PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) return SslError("cannot write the CRL as PEM");
  return BioText(bio.get());
}

Result<std::string> CrlDer(std::string_view crl_pem) {
  ErrorQueueScope errors;
  FOREST_ASSIGN_OR_RETURN(CrlPtr crl, ParseCrl(crl_pem));
  unsigned char* der = nullptr;
  int n = i2d_X509_CRL(crl.get(), &der);
  if (n <= 0) return SslError("cannot encode the CRL as DER");
  OsslBytes owned(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<size_t>(n));
}

Result<CrlInfo> InspectCrl(std::string_view crl_pem, std::string_view issuer_pem) {
  ErrorQueueScope errors;
  FOREST_ASSIGN_OR_RETURN(CrlPtr crl, ParseCrl(crl_pem));
  FOREST_ASSIGN_OR_RETURN(X509Ptr issuer, ParseCert(issuer_pem, "CRL issuer"));
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(issuer.get())) != 0) {
    return MakeError("the CRL's issuer " + NameText(X509_CRL_get_issuer(crl.get())) + " is not " +
                     NameText(X509_get_subject_name(issuer.get())));
  }
  if (X509_CRL_verify(crl.get(), X509_get0_pubkey(issuer.get())) != 1) {
    return SslError("the CRL's signature does not verify with the root's key");
  }
  CrlInfo info;
  FOREST_ASSIGN_OR_RETURN(info.this_update, UnixTime(X509_CRL_get0_lastUpdate(crl.get())));
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get())) {
    FOREST_ASSIGN_OR_RETURN(info.next_update, UnixTime(next));
  }
  int crit = 0;
  using IntPtr = Asn1IntPtr;
  IntPtr number(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, &crit, nullptr)));
  uint64_t n = 0;
  if (number && ASN1_INTEGER_get_uint64(&n, number.get()) == 1) info.number = n;
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    FOREST_ASSIGN_OR_RETURN(std::string hex,
                            SerialHex(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i))));
    info.serials.push_back(std::move(hex));
  }
  std::sort(info.serials.begin(), info.serials.end());
  return info;
}

Result<std::string> CrlSigningRoot(const CaRoot& root) {
  ErrorQueueScope errors;
  if (root.cert() == nullptr || root.key() == nullptr) return MakeError("CrlSigningRoot: the root is not loaded");
  X509Ptr twin(X509_new());
  if (!twin || X509_set_version(twin.get(), X509_VERSION_3) != 1) return SslError("cannot allocate a certificate");
  X509* r = root.cert();
  // A serial derived from the root: with an RSA root (PKCS#1 v1.5
  // signatures are deterministic) every restart serves the same twin.
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(r, EVP_sha256(), md, &md_len) != 1 || md_len < 16) return SslError("cannot hash the root");
  md[0] &= 0x7f;
  md[0] |= 0x01;  // positive and never zero
  BnPtr bn(BN_bin2bn(md, 16, nullptr));
  Asn1IntPtr serial(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!serial || X509_set_serialNumber(twin.get(), serial.get()) != 1) return SslError("cannot set the twin's serial");
  if (X509_set1_notBefore(twin.get(), X509_get0_notBefore(r)) != 1 ||
      X509_set1_notAfter(twin.get(), X509_get0_notAfter(r)) != 1 ||
      X509_set_subject_name(twin.get(), X509_get_subject_name(r)) != 1 ||
      X509_set_issuer_name(twin.get(), X509_get_subject_name(r)) != 1 ||
      X509_set_pubkey(twin.get(), X509_get0_pubkey(r)) != 1) {
    return SslError("cannot copy the root's subject, key and validity");
  }
  FOREST_TRY(AddExtension(twin.get(), twin.get(), NID_key_usage, "critical,keyCertSign,cRLSign"));
  FOREST_TRY(AddExtension(twin.get(), twin.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  // The root's own key identifier, so that leaves' authorityKeyIdentifier
  // points at the twin as well.
  int ski = X509_get_ext_by_NID(r, NID_subject_key_identifier, -1);
  if (ski >= 0) {
    if (X509_add_ext(twin.get(), X509_get_ext(r, ski), -1) != 1) return SslError("cannot copy the root's key id");
  } else {
    FOREST_TRY(AddExtension(twin.get(), twin.get(), NID_subject_key_identifier, "hash"));
  }
  return Sign(twin.get(), root.key());
}

}  // namespace forest::trust
