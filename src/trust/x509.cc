#include "trust/x509.h"

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

// ---- RAII ---------------------------------------------------------------

void FreeBytes(void* p) { OPENSSL_free(p); }

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using BioPtr = std::unique_ptr<BIO, Deleter<&BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<&X509_free>>;
using ReqPtr = std::unique_ptr<X509_REQ, Deleter<&X509_REQ_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<&EVP_PKEY_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<&BN_free>>;
using Asn1IntPtr = std::unique_ptr<ASN1_INTEGER, Deleter<&ASN1_INTEGER_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<&X509_EXTENSION_free>>;
using NamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<&GENERAL_NAMES_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<&X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<&X509_STORE_CTX_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, Deleter<&PKCS12_free>>;
using OsslBytes = std::unique_ptr<unsigned char, Deleter<&FreeBytes>>;  // OPENSSL_malloc'd

struct ExtStackFree {
  void operator()(STACK_OF(X509_EXTENSION) * s) const { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
};
using ExtStackPtr = std::unique_ptr<STACK_OF(X509_EXTENSION), ExtStackFree>;
struct CertStackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using CertStackPtr = std::unique_ptr<STACK_OF(X509), CertStackFree>;

// Clears OpenSSL's (thread-local) error queue on entry and exit, so a message
// only ever carries an error from this call.
struct ErrorQueueScope {
  ErrorQueueScope() { ERR_clear_error(); }
  ~ErrorQueueScope() { ERR_clear_error(); }
  ErrorQueueScope(const ErrorQueueScope&) = delete;
  ErrorQueueScope& operator=(const ErrorQueueScope&) = delete;
};

// ---- Errors -------------------------------------------------------------

// `what`, followed by the oldest queued OpenSSL error ("library: reason");
// clears the queue.
Error SslError(const std::string& what) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return MakeError(what);
  const char* lib = ERR_lib_error_string(e);
  const char* reason = ERR_reason_error_string(e);
  std::string detail = reason != nullptr ? reason : "error " + std::to_string(ERR_GET_REASON(e));
  if (lib != nullptr) detail = std::string(lib) + ": " + detail;
  return MakeError(what + " (" + detail + ")");
}

// Untrusted text for a message: quoted, control bytes escaped, cut at 80.
std::string Quote(std::string_view text) {
  constexpr size_t kMax = 80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    auto u = static_cast<unsigned char>(text[i]);
    if (u >= 0x20 && u < 0x7f && u != '"' && u != '\\') {
      out += text[i];
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  if (text.size() > kMax) out += "...";
  return out + "\"";
}

// ---- PEM and BIO helpers ------------------------------------------------

// Refuses to prompt on a terminal for the password of an encrypted key.
int NoPassword(char*, int, int, void*) { return -1; }

Result<BioPtr> ReadBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) return MakeError("input is too large");
  BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  if (!bio) return SslError("cannot allocate a memory BIO");
  return bio;
}

Result<BioPtr> WriteBio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return SslError("cannot allocate a memory BIO");
  return bio;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<size_t>(len)) : std::string();
}

// The first certificate in `pem`.
Result<X509Ptr> ParseCert(std::string_view pem, const std::string& what) {
  FOREST_ASSIGN_OR_RETURN(BioPtr bio, ReadBio(pem));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassword, nullptr));
  if (!cert) return SslError(what + ": no readable certificate");
  return cert;
}

Result<PkeyPtr> ParseKey(std::string_view pem, const std::string& what) {
  FOREST_ASSIGN_OR_RETURN(BioPtr bio, ReadBio(pem));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  if (!key) return SslError(what + ": no readable private key");
  return key;
}

Result<std::string> CertPem(X509* cert) {
  FOREST_ASSIGN_OR_RETURN(BioPtr bio, WriteBio());
  if (PEM_write_bio_X509(bio.get(), cert) != 1) return SslError("cannot write the certificate as PEM");
  return BioText(bio.get());
}

Result<std::string> KeyPem(EVP_PKEY* key) {
  FOREST_ASSIGN_OR_RETURN(BioPtr bio, WriteBio());
  // PKCS#8, unencrypted: "-----BEGIN PRIVATE KEY-----".
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return SslError("cannot write the private key as PEM");
  return BioText(bio.get());
}

std::string NameText(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "";
  return BioText(bio.get());
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Lower-case hex without leading zeros ("0" for zero).
Result<std::string> SerialHex(const ASN1_INTEGER* serial) {
  BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return SslError("cannot read the serial number");
  OsslBytes hex(reinterpret_cast<unsigned char*>(BN_bn2hex(bn.get())));
  if (!hex) return SslError("cannot format the serial number");
  std::string out = Lower(reinterpret_cast<const char*>(hex.get()));
  size_t digits = out.starts_with('-') ? 1 : 0;
  size_t first = out.find_first_not_of('0', digits);
  if (first == std::string::npos) return std::string("0");
  return out.substr(0, digits) + out.substr(first);
}

// ---- Certificate building -----------------------------------------------

Result<int64_t> UnixTime(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return SslError("unreadable certificate time");
  return static_cast<int64_t>(timegm(&tm));
}

int64_t AddYears(int64_t unix_seconds, int years) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  tm.tm_year += years;
  return static_cast<int64_t>(timegm(&tm));
}

Status SetValidity(X509* cert, int64_t not_before, int64_t not_after) {
  if (not_after <= not_before) {
    return MakeError("validity ends (" + std::to_string(not_after) + ") before it starts (" +
                     std::to_string(not_before) + ")");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(not_after)) == nullptr)
    return SslError("cannot set the validity period");
  return {};
}

// 128 random bits from the CSPRNG, top bit clear (positive DER INTEGER), not zero.
Status SetRandomSerial(X509* cert) {
  std::array<unsigned char, 16> bytes{};
  do {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
      return SslError("cannot draw a random serial number");
    bytes[0] &= 0x7f;
  } while (std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; }));
  BnPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn) return SslError("cannot make the serial number");
  Asn1IntPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial || X509_set_serialNumber(cert, serial.get()) != 1)
    return SslError("cannot set the serial number");
  return {};
}

// A UTF8String entry, as Go's x509 writes it: no upper-bound check, because
// mkcert puts user@host in OU and CN whatever its length.
Status AddNameEntry(X509_NAME* name, int nid, std::string_view value) {
  if (value.size() > static_cast<size_t>(INT_MAX)) return MakeError("name entry is too long");
  if (X509_NAME_add_entry_by_NID(name, nid, V_ASN1_UTF8STRING,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1)
    return SslError(std::string("cannot set the subject ") + OBJ_nid2sn(nid));
  return {};
}

// An extension from OpenSSL's config syntax; `value` is always a constant of
// ours, never untrusted text (names go through GENERAL_NAMES instead).
Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return SslError(std::string("cannot add ") + OBJ_nid2sn(nid) + " " + value);
  return {};
}

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

Result<std::string> Sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) return SslError("cannot sign the certificate");
  return CertPem(cert);
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

Status VerifyLeaf(std::string_view leaf_pem, std::string_view root_pem, std::string_view host, int64_t now) {
  ErrorQueueScope errors;
  FOREST_ASSIGN_OR_RETURN(X509Ptr leaf, ParseCert(leaf_pem, "leaf certificate"));
  FOREST_ASSIGN_OR_RETURN(X509Ptr root, ParseCert(root_pem, "root certificate"));
  StorePtr store(X509_STORE_new());
  if (!store || X509_STORE_add_cert(store.get(), root.get()) != 1)
    return SslError("cannot build the trust store");
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr) != 1)
    return SslError("cannot start verification");
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now));
  // RFC 5280 strictness as well (AKI on leaves, SKI on CAs, critical
  // basicConstraints, ...), so a flaw in what we issue shows up here first.
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
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
