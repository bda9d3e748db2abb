// mkcert's command line (mkcert 1.4): Go flag syntax (-flag, --flag,
// -flag=value, -flag value; flags end at the first argument that is not one),
// and mkcert's output file names. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace forest::trust {

struct MkcertArgs {
  bool install = false, uninstall = false, caroot = false, ecdsa = false, client = false, pkcs12 = false;
  bool help = false, version = false;
  std::string csr, cert_file, key_file, p12_file;
  std::vector<std::string> names;
};

struct MkcertUsageError {
  std::string message;  // what mkcert would print
  int exit_code = 2;    // 2 for flag errors (Go's flag package), 1 for mkcert's own checks
};

// Parses argv[1..]. Errors carry mkcert's wording and exit code.
struct MkcertParse {
  MkcertArgs args;
  std::optional<MkcertUsageError> error;
};
MkcertParse ParseMkcertArgs(const std::vector<std::string>& argv);

// The usage text mkcert prints for -help.
std::string MkcertUsage();

struct MkcertFiles {
  std::string cert, key, p12;
};
// "./example.com+4.pem", "./example.com+4-key.pem", "./example.com+4.p12";
// ':' → '_', '*' → "_wildcard", "-client" for client certificates.
MkcertFiles MkcertDefaultFiles(const std::vector<std::string>& names, bool client);

}  // namespace forest::trust
