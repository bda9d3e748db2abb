#include "trust/ossl.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <ctime>

namespace forest::trust::ossl {

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

Result<std::string> Sign(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) return SslError("cannot sign the certificate");
  return CertPem(cert);
}

}  // namespace forest::trust::ossl
