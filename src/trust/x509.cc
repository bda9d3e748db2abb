#include "trust/x509.h"

#include "trust/ossl.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <ctime>
#include <optional>
#include <utility>

namespace forest::trust {
namespace {

using namespace ossl;  // NOLINT: the OpenSSL helpers shared with crl.cc

Status PushName(GENERAL_NAMES* names, int type, std::string_view bytes) {
  ASN1_STRING* s = type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
  if (s == nullptr || ASN1_STRING_set(s, bytes.data(), static_cast<int>(bytes.size())) != 1) {
    ASN1_STRING_free(s);
    return SslError("cannot encode a subjectAltName entry");
  }
  GENERAL_NAME* gen = GENERAL_NAME_new();
  if (gen == nullptr) {
    ASN1_STRING_free(s);
    return SslError("cannot encode a subjectAltName entry");
  }
  GENERAL_NAME_set0_value(gen, type, s);
  if (sk_GENERAL_NAME_push(names, gen) <= 0) {
    GENERAL_NAME_free(gen);
    return SslError("cannot encode a subjectAltName entry");
  }
  return {};
}

// A DNS name, email or IA5 text of ours: printable ASCII without spaces.
Status CheckAsciiName(std::string_view name, const std::string& what) {
  if (name.empty()) return MakeError(what + " is empty");
  for (unsigned char c : name) {
    if (c <= 0x20 || c >= 0x7f)
      return MakeError(what + " " + Quote(name) + " has a space, control or non-ASCII byte");
  }
  return {};
}

Status CheckLeafNames(const std::vector<std::string>& names) {
  if (names.empty()) return MakeError("a leaf needs at least one DNS name");
  for (size_t i = 0; i < names.size(); ++i) {
    std::string what = "DNS name " + std::to_string(i + 1);
    FOREST_TRY(CheckAsciiName(names[i], what));
    if (names[i].size() > 253) {
      return MakeError(what + " " + Quote(names[i]) + " is " + std::to_string(names[i].size()) +
                       " characters long; the limit is 253");
    }
  }
  return {};
}

// Parses `text` as an IPv6 or IPv4 address into its network-order bytes.
std::optional<std::string> IpBytes(const std::string& text) {
  std::array<unsigned char, 16> buf{};
  if (inet_pton(AF_INET6, text.c_str(), buf.data()) == 1) return std::string(buf.begin(), buf.end());
  if (inet_pton(AF_INET, text.c_str(), buf.data()) == 1) return std::string(buf.begin(), buf.begin() + 4);
  return std::nullopt;
}

// ---- Key policy ---------------------------------------------------------

struct KeyShape {
  KeyKind kind = KeyKind::kRsa;
  int bits = 0;
};

// RSA 2048..8192 bits or ECDSA P-256; anything else refused by name.
Result<KeyShape> CheckKey(EVP_PKEY* key) {
  if (key == nullptr) return MakeError("no public key");
  int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (bits < 2048) return MakeError("RSA " + std::to_string(bits) + " bits is too weak (at least 2048)");
      if (bits > 8192) return MakeError("RSA " + std::to_string(bits) + " bits is too large (at most 8192)");
      return KeyShape{KeyKind::kRsa, bits};
    case EVP_PKEY_EC: {
      std::array<char, 64> group{};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group.data(), group.size(), &len) != 1) {
        ERR_clear_error();
        return MakeError("ECDSA with explicit curve parameters is not accepted (use P-256)");
      }
      std::string name(group.data(), len);
      if (name != "prime256v1") return MakeError("ECDSA " + name + " is not accepted (use P-256)");
      return KeyShape{KeyKind::kEcdsaP256, 256};
    }
    default: {
      const char* type = EVP_PKEY_get0_type_name(key);
      return MakeError(std::string("key type ") + (type != nullptr ? type : "unknown") +
                       " is not accepted (use RSA 2048+ or ECDSA P-256)");
    }
  }
}

// ---- CSR reading --------------------------------------------------------

// The DER of the one CSR block in `pem`.
Result<std::string> SingleCsrBlock(std::string_view pem) {
  FOREST_ASSIGN_OR_RETURN(BioPtr bio, ReadBio(pem));
  std::string der;
  int blocks = 0;
  for (;;) {
    char* raw_name = nullptr;
    char* raw_header = nullptr;
    unsigned char* raw_data = nullptr;
    long len = 0;
    int ok = PEM_read_bio(bio.get(), &raw_name, &raw_header, &raw_data, &len);
    OsslBytes name(reinterpret_cast<unsigned char*>(raw_name));
    OsslBytes header(reinterpret_cast<unsigned char*>(raw_header));
    OsslBytes data(raw_data);
    if (ok != 1) {
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) break;
      return SslError("malformed PEM block " + std::to_string(blocks + 1));
    }
    ++blocks;
    std::string type(raw_name);
    if (type != "CERTIFICATE REQUEST" && type != "NEW CERTIFICATE REQUEST")
      return MakeError("expected a CERTIFICATE REQUEST PEM block, found " + Quote(type));
    if (blocks > 1) return MakeError("more than one CERTIFICATE REQUEST block");
    if (raw_header != nullptr && raw_header[0] != '\0')
      return MakeError("the CERTIFICATE REQUEST block has PEM headers (encrypted?)");
    der.assign(reinterpret_cast<const char*>(raw_data), static_cast<size_t>(len));
  }
  ERR_clear_error();
  if (blocks == 0) return MakeError("no PEM block found (expected -----BEGIN CERTIFICATE REQUEST-----)");
  return der;
}

// Text from a CSR, never empty and without control bytes; SAN entries
// (IA5String) must be ASCII too.
Result<std::string> CheckedText(std::string text, const std::string& what, bool ascii_only) {
  if (text.empty()) return MakeError(what + " is empty");
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f || (ascii_only && c > 0x7f))
      return MakeError(what + " " + Quote(text) + " has a control or non-ASCII byte");
  }
  return text;
}

std::string Bytes(const ASN1_STRING* s) {
  const unsigned char* p = ASN1_STRING_get0_data(s);
  int n = ASN1_STRING_length(s);
  return p != nullptr && n > 0 ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : "";
}

Result<std::string> CommonName(const X509_NAME* subject) {
  int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (i < 0) return std::string();
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
  if (n < 0) return SslError("subject CN is not a readable string");
  OsslBytes owned(utf8);
  return CheckedText(std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n)), "subject CN",
                     false);
}

Status ReadSubjectAltNames(X509_REQ* req, Csr& csr) {
  ERR_clear_error();
  ExtStackPtr exts(X509_REQ_get_extensions(req));
  if (!exts) {
    if (ERR_peek_error() != 0) return SslError("malformed extension request");
    return {};
  }
  int found = 0;
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) continue;
    if (++found > 1) return MakeError("more than one subjectAltName extension");
    NamesPtr names(static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext)));
    if (!names) return SslError("malformed subjectAltName");
    for (int j = 0; j < sk_GENERAL_NAME_num(names.get()); ++j) {
      int type = 0;
      auto* value = static_cast<const ASN1_STRING*>(
          GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(names.get(), j), &type));
      std::string where = "subjectAltName entry " + std::to_string(j + 1);
      if (type == GEN_IPADD) {
        std::string raw = Bytes(value);
        std::array<char, INET6_ADDRSTRLEN> text{};
        if ((raw.size() != 4 && raw.size() != 16) ||
            inet_ntop(raw.size() == 4 ? AF_INET : AF_INET6, raw.data(), text.data(), text.size()) == nullptr)
          return MakeError(where + " (IP) is " + std::to_string(raw.size()) +
                           " bytes, not an IPv4 or IPv6 address");
        csr.ip_addresses.emplace_back(text.data());
        continue;
      }
      std::vector<std::string>* into = type == GEN_DNS     ? &csr.dns_names
                                       : type == GEN_EMAIL ? &csr.emails
                                       : type == GEN_URI   ? &csr.uris
                                                           : nullptr;
      // otherName, directoryName, registeredID, ...: nothing here could grant
      // them, so a request for one is refused rather than dropped.
      if (into == nullptr)
        return MakeError(where + " is of a kind that is not accepted (only DNS, IP, email and URI)");
      FOREST_ASSIGN_OR_RETURN(std::string text, CheckedText(Bytes(value), where, true));
      into->push_back(std::move(text));
    }
  }
  return {};
}

}  // namespace

// ---- Roots --------------------------------------------------------------

Result<RootFiles> CreateRoot(std::string_view user_at_host, int64_t now) {
  ErrorQueueScope errors;
  if (user_at_host.empty()) return MakeError("CreateRoot: user@host is empty");
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(3072)));
  if (!key) return SslError("cannot generate the root's RSA 3072 key");
  X509Ptr cert(X509_new());
  if (!cert) return SslError("cannot allocate a certificate");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return SslError("cannot set the version");
  FOREST_TRY(SetRandomSerial(cert.get()));
  FOREST_TRY(SetValidity(cert.get(), now, AddYears(now, 10)));
  X509_NAME* name = X509_get_subject_name(cert.get());
  FOREST_TRY(AddNameEntry(name, NID_organizationName, "mkcert development CA"));
  FOREST_TRY(AddNameEntry(name, NID_organizationalUnitName, user_at_host));
  FOREST_TRY(AddNameEntry(name, NID_commonName, "mkcert " + std::string(user_at_host)));
  if (X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1)
    return SslError("cannot set the root's issuer and key");
  FOREST_TRY(AddExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign"));
  FOREST_TRY(AddExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
  FOREST_TRY(AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  RootFiles files;
  FOREST_ASSIGN_OR_RETURN(files.cert_pem, Sign(cert.get(), key.get()));
  FOREST_ASSIGN_OR_RETURN(files.key_pem, KeyPem(key.get()));
  return files;
}

Result<CaRoot> CaRoot::Load(std::string_view cert_pem, std::string_view key_pem) {
  ErrorQueueScope errors;
  FOREST_ASSIGN_OR_RETURN(X509Ptr cert, ParseCert(cert_pem, "root certificate"));
  FOREST_ASSIGN_OR_RETURN(PkeyPtr key, ParseKey(key_pem, "root key"));
  if (X509_check_ca(cert.get()) != 1) {
    return MakeError("root certificate " + NameText(X509_get_subject_name(cert.get())) +
                     " is not a CA certificate (basicConstraints CA:TRUE and keyCertSign needed)");
  }
  if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) != 1) {
    ERR_clear_error();
    return MakeError("root key does not belong to the root certificate " +
                     NameText(X509_get_subject_name(cert.get())));
  }
  CaRoot root;
  FOREST_ASSIGN_OR_RETURN(root.cert_pem_, CertPem(cert.get()));
  root.cert_ = std::shared_ptr<X509>(cert.release(), X509_free);
  root.key_ = std::shared_ptr<EVP_PKEY>(key.release(), EVP_PKEY_free);
  return root;
}

std::string CaRoot::subject() const { return cert_ ? NameText(X509_get_subject_name(cert_.get())) : ""; }

// ---- CSRs ---------------------------------------------------------------

Result<Csr> ParseCsr(std::string_view pem) {
  ErrorQueueScope errors;
  if (pem.size() > kMaxPemBytes) {
    return MakeError("CSR is " + std::to_string(pem.size()) + " bytes; the limit is " +
                     std::to_string(kMaxPemBytes));
  }
  FOREST_ASSIGN_OR_RETURN(std::string der, SingleCsrBlock(pem));
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req) return SslError("CSR is not a valid PKCS#10 request");
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size())
    return MakeError("CSR has trailing bytes after the request");
  if (X509_REQ_get_version(req.get()) != X509_REQ_VERSION_1)
    return MakeError("CSR version " + std::to_string(X509_REQ_get_version(req.get()) + 1) + " is not 1");
  EVP_PKEY* key = X509_REQ_get0_pubkey(req.get());
  if (key == nullptr) return SslError("CSR public key is unreadable");
  // The key is checked before the signature, so no time goes into verifying
  // with a key that is refused anyway (or is huge).
  auto shape = CheckKey(key);
  if (!shape.ok()) return shape.error().Wrap("CSR key");
  if (X509_REQ_verify(req.get(), key) != 1) return SslError("CSR signature does not verify");
  Csr csr;
  csr.kind = shape->kind;
  csr.bits = shape->bits;
  FOREST_ASSIGN_OR_RETURN(csr.common_name, CommonName(X509_REQ_get_subject_name(req.get())));
  FOREST_TRY(ReadSubjectAltNames(req.get(), csr));
  if (EVP_PKEY_up_ref(key) != 1) return SslError("cannot keep the CSR key");
  csr.public_key = std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
  return csr;
}

// ---- Leaves -------------------------------------------------------------

Result<Issued> SignLeaf(const CaRoot& root, const Csr& csr, const LeafSpec& spec) {
  ErrorQueueScope errors;
  if (root.cert() == nullptr || root.key() == nullptr) return MakeError("SignLeaf: the root is not loaded");
  auto shape = CheckKey(csr.public_key.get());
  if (!shape.ok()) return shape.error().Wrap("leaf key");
  FOREST_TRY(CheckLeafNames(spec.dns_names));

  X509Ptr cert(X509_new());
  if (!cert) return SslError("cannot allocate a certificate");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return SslError("cannot set the version");
  FOREST_TRY(SetRandomSerial(cert.get()));
  FOREST_TRY(SetValidity(cert.get(), spec.not_before, spec.not_after));
  X509_NAME* name = X509_get_subject_name(cert.get());
  FOREST_TRY(AddNameEntry(name, NID_organizationName, "mkcert development certificate"));
  if (!spec.organizational_unit.empty())
    FOREST_TRY(AddNameEntry(name, NID_organizationalUnitName, spec.organizational_unit));
  if (!spec.common_name.empty()) FOREST_TRY(AddNameEntry(name, NID_commonName, spec.common_name));
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(root.cert())) != 1 ||
      X509_set_pubkey(cert.get(), csr.public_key.get()) != 1)
    return SslError("cannot set the leaf's issuer and key");

  X509* ca = root.cert();
  const char* usage = shape->kind == KeyKind::kRsa ? "critical,digitalSignature,keyEncipherment"
                                                   : "critical,digitalSignature";
  FOREST_TRY(AddExtension(cert.get(), ca, NID_key_usage, usage));
  FOREST_TRY(
      AddExtension(cert.get(), ca, NID_ext_key_usage, spec.client ? "serverAuth,clientAuth" : "serverAuth"));
  FOREST_TRY(AddExtension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE"));
  FOREST_TRY(AddExtension(cert.get(), ca, NID_subject_key_identifier, "hash"));
  FOREST_TRY(AddExtension(cert.get(), ca, NID_authority_key_identifier, "keyid:always"));
  if (!spec.crl_url.empty()) {
    FOREST_TRY(AddExtension(cert.get(), ca, NID_crl_distribution_points, ("URI:" + spec.crl_url).c_str()));
  }
  NamesPtr sans(GENERAL_NAMES_new());
  if (!sans) return SslError("cannot allocate subjectAltName");
  for (const auto& dns : spec.dns_names) FOREST_TRY(PushName(sans.get(), GEN_DNS, dns));
  if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, sans.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return SslError("cannot add subjectAltName");

  Issued issued;
  FOREST_ASSIGN_OR_RETURN(issued.cert_pem, Sign(cert.get(), root.key()));
  FOREST_ASSIGN_OR_RETURN(issued.serial_hex, SerialHex(X509_get0_serialNumber(cert.get())));
  return issued;
}

// ---- Keys and requests --------------------------------------------------

Result<std::string> GenerateKey(KeyKind kind) {
  ErrorQueueScope errors;
  PkeyPtr key(kind == KeyKind::kRsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))
                                    : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key)
    return SslError(kind == KeyKind::kRsa ? "cannot generate an RSA 2048 key"
                                          : "cannot generate a P-256 key");
  return KeyPem(key.get());
}

Result<std::string> MakeCsr(std::string_view key_pem, const std::vector<std::string>& names) {
  ErrorQueueScope errors;
  if (names.empty()) return MakeError("a CSR needs at least one name");
  FOREST_ASSIGN_OR_RETURN(PkeyPtr key, ParseKey(key_pem, "CSR key"));
  ReqPtr req(X509_REQ_new());
  if (!req) return SslError("cannot allocate a CSR");
  if (X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1) return SslError("cannot set the CSR version");
  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  FOREST_TRY(AddNameEntry(subject, NID_organizationName, "mkcert development certificate"));
  FOREST_TRY(AddNameEntry(subject, NID_commonName, names.front()));

  NamesPtr sans(GENERAL_NAMES_new());
  if (!sans) return SslError("cannot allocate subjectAltName");
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& n = names[i];
    if (auto ip = IpBytes(n)) {
      FOREST_TRY(PushName(sans.get(), GEN_IPADD, *ip));
      continue;
    }
    std::string what = "name " + std::to_string(i + 1);
    FOREST_TRY(CheckAsciiName(n, what));
    if (n.size() > 253) return MakeError(what + " " + Quote(n) + " is longer than 253 characters");
    FOREST_TRY(PushName(sans.get(), n.find('@') != std::string::npos ? GEN_EMAIL : GEN_DNS, n));
  }
  ExtStackPtr exts(sk_X509_EXTENSION_new_null());
  if (!exts) return SslError("cannot allocate the extension request");
  ExtPtr san(X509V3_EXT_i2d(NID_subject_alt_name, 0, sans.get()));
  if (!san || sk_X509_EXTENSION_push(exts.get(), san.get()) <= 0)
    return SslError("cannot encode subjectAltName");
  san.release();  // owned by `exts` now
  if (X509_REQ_add_extensions(req.get(), exts.get()) != 1)
    return SslError("cannot add the extension request");
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) return SslError("cannot set the CSR key");
  if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) return SslError("cannot sign the CSR");
  FOREST_ASSIGN_OR_RETURN(BioPtr bio, WriteBio());
  if (PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) return SslError("cannot write the CSR as PEM");
  return BioText(bio.get());
}

// ---- Bundles and inspection ---------------------------------------------

Result<std::string> MakePkcs12(std::string_view cert_pem, std::string_view key_pem, std::string_view root_pem,
                               std::string_view password) {
  ErrorQueueScope errors;
  if (password.find('\0') != std::string_view::npos) return MakeError("PKCS#12 password contains a NUL byte");
  FOREST_ASSIGN_OR_RETURN(X509Ptr cert, ParseCert(cert_pem, "certificate"));
  FOREST_ASSIGN_OR_RETURN(PkeyPtr key, ParseKey(key_pem, "key"));
  FOREST_ASSIGN_OR_RETURN(X509Ptr root, ParseCert(root_pem, "root certificate"));
  if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) != 1) {
    ERR_clear_error();
    return MakeError("the key does not belong to the certificate");
  }
  CertStackPtr extra(sk_X509_new_null());
  if (!extra || sk_X509_push(extra.get(), root.get()) <= 0) return SslError("cannot list the root");
  root.release();  // owned by `extra` now
  // Triple DES for both bags and a SHA-1 MAC, as mkcert's bundles (and
  // `openssl pkcs12 -legacy`, minus RC2): Java, Windows and older macOS
  // Keychains read them, and no legacy provider is needed. OpenSSL 3's own
  // default (AES-256 + SHA-256 MAC) is refused by older Keychains.
  std::string pass(password);
  Pkcs12Ptr p12(PKCS12_create(pass.c_str(), nullptr, key.get(), cert.get(), extra.get(),
                              NID_pbe_WithSHA1And3_Key_TripleDES_CBC, NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                              PKCS12_DEFAULT_ITER, /*mac_iter=*/-1, 0));
  if (!p12) return SslError("cannot build the PKCS#12 bundle");
  if (PKCS12_set_mac(p12.get(), pass.c_str(), -1, nullptr, 0, PKCS12_DEFAULT_ITER, EVP_sha1()) != 1)
    return SslError("cannot add the PKCS#12 MAC");
  unsigned char* raw = nullptr;
  int len = i2d_PKCS12(p12.get(), &raw);
  OsslBytes der(raw);
  if (len <= 0) return SslError("cannot encode the PKCS#12 bundle");
  return std::string(reinterpret_cast<const char*>(der.get()), static_cast<size_t>(len));
}

Result<CertInfo> InspectCert(std::string_view pem) {
  ErrorQueueScope errors;
  FOREST_ASSIGN_OR_RETURN(X509Ptr cert, ParseCert(pem, "certificate"));
  CertInfo info;
  FOREST_ASSIGN_OR_RETURN(info.serial_hex, SerialHex(X509_get0_serialNumber(cert.get())));
  info.subject = NameText(X509_get_subject_name(cert.get()));
  info.issuer = NameText(X509_get_issuer_name(cert.get()));
  FOREST_ASSIGN_OR_RETURN(info.not_before, UnixTime(X509_get0_notBefore(cert.get())));
  FOREST_ASSIGN_OR_RETURN(info.not_after, UnixTime(X509_get0_notAfter(cert.get())));
  info.is_ca = (X509_get_extension_flags(cert.get()) & EXFLAG_CA) != 0;
  int found = -1;
  NamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, &found, nullptr)));
  if (found == -2) return MakeError("certificate has more than one subjectAltName extension");
  if (!sans && found >= 0) return SslError("certificate has a malformed subjectAltName");
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    int type = 0;
    auto* value =
        static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(sans.get(), i), &type));
    if (type == GEN_DNS) info.dns_names.push_back(Bytes(value));
  }
  return info;
}

Status VerifyLeaf(std::string_view leaf_pem, std::string_view root_pem, std::string_view host, int64_t now,
                  std::string_view crl_pem) {
  ErrorQueueScope errors;
  FOREST_ASSIGN_OR_RETURN(X509Ptr leaf, ParseCert(leaf_pem, "leaf certificate"));
  FOREST_ASSIGN_OR_RETURN(X509Ptr root, ParseCert(root_pem, "root certificate"));
  StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), root.get()) != 1)
    return SslError("cannot build the trust store");
  if (!crl_pem.empty()) {
    FOREST_ASSIGN_OR_RETURN(BioPtr bio, ReadBio(crl_pem));
    CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, NoPassword, nullptr));
    if (!crl) return SslError("CRL: not a readable PEM CRL");
    if (X509_STORE_add_crl(store.get(), crl.get()) != 1) return SslError("cannot add the CRL");
  }
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) != 1)
    return SslError("cannot start verification");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now));
  // RFC 5280 strictness as well (AKI on leaves, SKI on CAs, critical
  // basicConstraints, ...), so a flaw in what we issue shows up here first.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | (crl_pem.empty() ? 0 : X509_V_FLAG_CRL_CHECK));
  if (X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER) != 1)
    return SslError("cannot set the purpose");
  std::string host_text(host);
  if (!host.empty()) {
    int ok = IpBytes(host_text) ? X509_VERIFY_PARAM_set1_ip_asc(param, host_text.c_str())
                                : X509_VERIFY_PARAM_set1_host(param, host.data(), host.size());
    if (ok != 1) return SslError("cannot check for host " + Quote(host));
  }
  if (X509_verify_cert(ctx.get()) == 1) return {};
  int err = X509_STORE_CTX_get_error(ctx.get());
  std::string message = "certificate " + NameText(X509_get_subject_name(leaf.get())) +
                        " does not verify against root " + NameText(X509_get_subject_name(root.get())) +
                        ": " + X509_verify_cert_error_string(err);
  if (err == X509_V_ERR_HOSTNAME_MISMATCH || err == X509_V_ERR_IP_ADDRESS_MISMATCH)
    message += " (wanted " + Quote(host) + ")";
  else if (X509_STORE_CTX_get_error_depth(ctx.get()) > 0)
    message += " (at chain depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())) + ")";
  return MakeError(message);
}

Result<bool> KeyMatchesCert(std::string_view key_pem, std::string_view cert_pem) {
  ErrorQueueScope errors;
  FOREST_ASSIGN_OR_RETURN(PkeyPtr key, ParseKey(key_pem, "key"));
  FOREST_ASSIGN_OR_RETURN(X509Ptr cert, ParseCert(cert_pem, "certificate"));
  return EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()) == 1;
}

}  // namespace forest::trust
