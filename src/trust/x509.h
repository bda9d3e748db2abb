// OpenSSL 3 for the trust plane (DESIGN.md, Trust): mkcert-compatible roots,
// private keys, CSRs, leaf signing, PKCS#12 and certificate inspection.
// No file or network I/O; time and serial numbers come in as values or from
// OpenSSL's CSPRNG.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "base/result.h"

namespace forest::trust {

enum class KeyKind { kRsa, kEcdsaP256 };

// Input limits for PEM text from the wire.
inline constexpr size_t kMaxPemBytes = 64 * 1024;

// A new root like mkcert's: RSA 3072, 10 years from `now`, subject
// O="mkcert development CA", OU=`user_at_host`, CN="mkcert " + user_at_host,
// basicConstraints CA:TRUE pathlen:0 (critical), keyUsage keyCertSign
// (critical), subjectKeyIdentifier. Key as PKCS#8 PEM ("PRIVATE KEY").
struct RootFiles {
  std::string cert_pem;
  std::string key_pem;
};
Result<RootFiles> CreateRoot(std::string_view user_at_host, int64_t now);

// A loaded CA: the certificate and its private key, checked to match and to be
// a CA certificate. Copyable (shares the OpenSSL objects).
class CaRoot {
 public:
  static Result<CaRoot> Load(std::string_view cert_pem, std::string_view key_pem);
  const std::string& cert_pem() const { return cert_pem_; }
  std::string subject() const;  // one line, RFC 2253 style

  X509* cert() const { return cert_.get(); }
  EVP_PKEY* key() const { return key_.get(); }

 private:
  std::shared_ptr<X509> cert_;
  std::shared_ptr<EVP_PKEY> key_;
  std::string cert_pem_;
};

// A parsed certificate signing request whose self-signature verified.
struct Csr {
  KeyKind kind = KeyKind::kRsa;
  int bits = 0;                          // RSA modulus bits, or 256 for P-256
  std::string common_name;               // empty if none
  std::vector<std::string> dns_names;    // subjectAltName DNS entries, as written
  std::vector<std::string> ip_addresses; // subjectAltName IP entries, text form
  std::vector<std::string> emails;       // subjectAltName email entries
  std::vector<std::string> uris;         // subjectAltName URI entries
  std::shared_ptr<EVP_PKEY> public_key;
};

// Parses and checks a PEM CSR from the wire: size-limited, exactly one
// "CERTIFICATE REQUEST" block, self-signature valid, key RSA 2048..8192 bits
// or ECDSA P-256 (anything else is refused by name: "RSA 1024 bits is too
// weak", "ECDSA secp384r1 is not accepted"). Errors say what was wrong.
Result<Csr> ParseCsr(std::string_view pem);

struct LeafSpec {
  std::vector<std::string> dns_names;  // subjectAltName, in this order
  bool client = false;                 // add extendedKeyUsage clientAuth
  std::string organizational_unit;     // subject OU; O is "mkcert development certificate"
  std::string common_name;             // empty: no CN (as mkcert, except -pkcs12)
  int64_t not_before = 0;              // unix seconds
  int64_t not_after = 0;
  std::string crl_url;                 // cRLDistributionPoints URI; "" = none (a constant of ours)
};

struct Issued {
  std::string cert_pem;
  std::string serial_hex;  // lower-case hex, no leading zeros
};

// Signs a leaf for the CSR's public key, with the spec's names (not the
// CSR's): random 128-bit serial, keyUsage digitalSignature (+ keyEncipherment
// for RSA keys), extendedKeyUsage serverAuth (+ clientAuth), basicConstraints
// CA:FALSE, subjectKeyIdentifier, authorityKeyIdentifier from the root,
// SHA-256. At least one DNS name is required.
Result<Issued> SignLeaf(const CaRoot& root, const Csr& csr, const LeafSpec& spec);

// A new private key as PKCS#8 PEM: RSA 2048 (mkcert's default) or P-256.
Result<std::string> GenerateKey(KeyKind kind);

// A CSR for `key_pem` requesting `names` (DNS names, IP addresses or emails
// go to the matching subjectAltName kind); subject O="mkcert development
// certificate", CN = the first name. SHA-256.
Result<std::string> MakeCsr(std::string_view key_pem, const std::vector<std::string>& names);

// PKCS#12 bundle (cert, key, and the root as extra certificate) protected by
// `password` ("changeit" for mkcert), DER bytes.
Result<std::string> MakePkcs12(std::string_view cert_pem, std::string_view key_pem,
                               std::string_view root_pem, std::string_view password);

struct CertInfo {
  std::string serial_hex;
  std::string subject;
  std::string issuer;
  std::vector<std::string> dns_names;
  int64_t not_before = 0;
  int64_t not_after = 0;
  bool is_ca = false;
};
// The first certificate in `pem`.
Result<CertInfo> InspectCert(std::string_view pem);

// Verifies `leaf_pem` against `root_pem` as the only trust anchor, for TLS
// server use at time `now`; when `host` is not empty it must match a SAN.
// With `crl_pem`, the leaf is also checked against that CRL (a revoked or
// unlisted-issuer leaf fails; the root must be allowed to sign CRLs, see
// trust/crl.h CrlSigningRoot).
Status VerifyLeaf(std::string_view leaf_pem, std::string_view root_pem, std::string_view host, int64_t now,
                  std::string_view crl_pem = {});

// True when the private key in `key_pem` belongs to the certificate `cert_pem`.
Result<bool> KeyMatchesCert(std::string_view key_pem, std::string_view cert_pem);

}  // namespace forest::trust
