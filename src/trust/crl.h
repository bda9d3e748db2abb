// Certificate revocation for the forest CA (docs/trust.md, Revocation):
// X.509 v2 CRLs signed with the root's key, and the root's CRL-signing twin.
// mkcert's root carries keyUsage keyCertSign only, and RFC 5280 checkers
// (OpenSSL's -crl_check among them) refuse a CRL whose issuer lacks cRLSign
// ("key usage does not include CRL signing"). The twin is the same subject
// and the same key, self-signed again with keyCertSign and cRLSign: trusting
// it is trusting the same key, and a leaf of the root verifies under it.
// No I/O; times come in as values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "trust/x509.h"

namespace forest::trust {

inline constexpr size_t kMaxCrlBytes = 4u << 20;

struct CrlEntry {
  std::string serial_hex;  // lower-case hex, as Issued::serial_hex
  int64_t revoked_at = 0;
};

struct CrlSpec {
  std::vector<CrlEntry> entries;
  int64_t this_update = 0;
  int64_t next_update = 0;
  uint64_t number = 0;  // crlNumber: grows with every CRL the helper makes
};

// A PEM CRL: issuer = the root's subject, entries sorted by serial,
// authorityKeyIdentifier and crlNumber, signed with SHA-256 by the root's key.
Result<std::string> MakeCrl(const CaRoot& root, const CrlSpec& spec);

// The same CRL as DER bytes.
Result<std::string> CrlDer(std::string_view crl_pem);

struct CrlInfo {
  std::vector<std::string> serials;  // revoked, lower-case hex, sorted
  int64_t this_update = 0;
  int64_t next_update = 0;
  uint64_t number = 0;
};
// Parses a PEM CRL (size-limited) and checks its signature with the key of
// `issuer_pem`'s certificate; an error says what was wrong.
Result<CrlInfo> InspectCrl(std::string_view crl_pem, std::string_view issuer_pem);

// The root's CRL-signing twin (see the top of this file), valid as long as
// the root, PEM; its serial is derived from the root, so the same root gives
// the same twin.
Result<std::string> CrlSigningRoot(const CaRoot& root);

}  // namespace forest::trust
