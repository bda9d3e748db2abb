// What `mkcert` does in a forest node (DESIGN.md, Trust): the forest's root
// fetched from the helper into $CAROOT and installed in this node's trust
// stores (update-ca-certificates, certutil, through a ProcessRunner), and
// certificates whose key stays on this node, signed by the helper's CA
// broker (node/ca_client.h). cli/mkcert_cmd.cc turns mkcert's command line
// into these calls. Progress goes to `log` in mkcert's words; a failure is
// an error whose message the shim prints after "ERROR: ".
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "base/files.h"
#include "base/process.h"
#include "base/result.h"
#include "node/ca_client.h"
#include "trust/mkcert_args.h"

namespace forest::node {

// Where the shim keeps and installs the root, and how it runs programs.
struct MkcertEnv {
  std::string caroot;                                                // $(mkcert -CAROOT): rootCA.pem
  std::string trust_store_dir = "/usr/local/share/ca-certificates";  // what update-ca-certificates reads
  std::string nss_db = "/root/.pki/nssdb";                           // certutil's store (Chromium, Firefox)
  ProcessRunner* runner = nullptr;                                   // nullptr: SystemRunner()
  // Whether a program is on $PATH (certutil is optional).
  std::function<bool(const std::string& program)> on_path = OnPath;
};

// This process's: trust::DefaultCaroot(), and the NSS store in $HOME/.pki/nssdb
// (/root when HOME is unset or empty).
MkcertEnv DefaultMkcertEnv();

// The forest root from the helper, kept as <caroot>/rootCA.pem; its PEM.
Result<std::string> FetchRootInto(const CaEndpoint& c, const std::string& caroot);

// mkcert -install: the root fetched into env.caroot, copied into the system
// trust store (update-ca-certificates) and, when certutil is there, into the
// NSS store (made if it is missing).
Status InstallRoot(const MkcertEnv& env, const CaEndpoint& c, std::ostream& log);

// mkcert -uninstall: the root of env.caroot out of both trust stores (the
// helper keeps it).
Status UninstallRoot(const MkcertEnv& env, std::ostream& log);

// mkcert NAME...: a key made here, the names signed by the helper, the
// files written where mkcert writes them (or where `a` says), the report.
Status MakeCert(const CaEndpoint& c, const trust::MkcertArgs& a, std::ostream& log);

// mkcert -csr FILE: that CSR's names signed by the helper, the certificate
// written, the report.
Status SignCsrFile(const CaEndpoint& c, const trust::MkcertArgs& a, std::ostream& log);

// What mkcert prints after a certificate: its names (those the CA added to
// `requested` marked), those left out, `where` the files are, its expiry.
std::string MkcertReport(const Signed& reply, const std::vector<std::string>& requested,
                         const std::string& where);

// "5 March 2027": the UTC day of unix time `t`.
std::string MkcertDay(int64_t t);

}  // namespace forest::node
