// OpenSSL helpers shared by the trust plane's OpenSSL code (x509.cc,
// crl.cc): RAII for OpenSSL objects, error text, PEM/BIO plumbing, serials,
// times and extensions. Internal to src/trust; not an API of its own.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"

namespace forest::trust::ossl {

// ---- RAII ---------------------------------------------------------------

inline void FreeBytes(void* p) { OPENSSL_free(p); }

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
using CrlPtr = std::unique_ptr<X509_CRL, Deleter<&X509_CRL_free>>;
using RevokedPtr = std::unique_ptr<X509_REVOKED, Deleter<&X509_REVOKED_free>>;
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
Error SslError(const std::string& what);

// Untrusted text for a message: quoted, control bytes escaped, cut at 80.
std::string Quote(std::string_view text);

// ---- PEM and BIO helpers ------------------------------------------------
// Refuses to prompt on a terminal for the password of an encrypted key.
int NoPassword(char*, int, int, void*);

Result<BioPtr> ReadBio(std::string_view data);

Result<BioPtr> WriteBio();

std::string BioText(BIO* bio);

// The first certificate in `pem`.
Result<X509Ptr> ParseCert(std::string_view pem, const std::string& what);

Result<PkeyPtr> ParseKey(std::string_view pem, const std::string& what);

Result<std::string> CertPem(X509* cert);

Result<std::string> KeyPem(EVP_PKEY* key);

std::string NameText(const X509_NAME* name);

std::string Lower(std::string s);

// Lower-case hex without leading zeros ("0" for zero).
Result<std::string> SerialHex(const ASN1_INTEGER* serial);

// ---- Certificate building -----------------------------------------------
Result<int64_t> UnixTime(const ASN1_TIME* t);

int64_t AddYears(int64_t unix_seconds, int years);

Status SetValidity(X509* cert, int64_t not_before, int64_t not_after);

// 128 random bits from the CSPRNG, top bit clear (positive DER INTEGER), not zero.
Status SetRandomSerial(X509* cert);

// A UTF8String entry, as Go's x509 writes it: no upper-bound check, because
// mkcert puts user@host in OU and CN whatever its length.
Status AddNameEntry(X509_NAME* name, int nid, std::string_view value);

// An extension from OpenSSL's config syntax; `value` is always a constant of
// ours, never untrusted text (names go through GENERAL_NAMES instead).
Status AddExtension(X509* cert, X509* issuer, int nid, const char* value);

Result<std::string> Sign(X509* cert, EVP_PKEY* key);

}  // namespace forest::trust::ossl
