#include "node/mkcert_tool.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <ostream>

#include "naming/names.h"
#include "trust/caroot.h"
#include "trust/san_policy.h"
#include "trust/x509.h"

namespace forest::node {
namespace {

// Runs argv, stderr folded into stdout (`quiet`: both to /dev/null); the
// output, and *rc its exit code (-1 when it could not run).
std::string Run(const MkcertEnv& env, std::vector<std::string> argv, int* rc, bool quiet = false) {
  Command c{.argv = std::move(argv), .merge_stderr = true};
  if (quiet) c.out = c.err = Stdio::kNull;
  auto r = (env.runner ? *env.runner : SystemRunner()).Run(c);
  if (!r.ok()) {
    *rc = -1;
    return r.error().message;
  }
  *rc = r->exit_code;
  return r->out;
}

std::string StoreFile(const MkcertEnv& env, const std::string& serial) {
  return env.trust_store_dir + "/mkcert_development_CA_" + serial + ".crt";
}
std::string Nickname(const std::string& serial) { return "mkcert development CA " + serial; }
std::string RootFile(const std::string& caroot) { return caroot + "/" + trust::kRootCertFile; }

}  // namespace

MkcertEnv DefaultMkcertEnv() {
  MkcertEnv env;
  env.caroot = trust::DefaultCaroot();
  const char* home = std::getenv("HOME");
  env.nss_db = std::string(home && *home ? home : "/root") + "/.pki/nssdb";
  return env;
}

Result<std::string> FetchRootInto(const CaEndpoint& c, const std::string& caroot) {
  FOREST_ASSIGN_OR_RETURN(std::string root, FetchRoot(c));
  FOREST_TRY(MakeDirs(caroot));
  FOREST_TRY(WriteFileIfChanged(RootFile(caroot), root));
  return root;
}

Status InstallRoot(const MkcertEnv& env, const CaEndpoint& c, std::ostream& log) {
  FOREST_ASSIGN_OR_RETURN(std::string root, FetchRootInto(c, env.caroot));
  FOREST_ASSIGN_OR_RETURN(trust::CertInfo info, trust::InspectCert(root));
  const std::string& serial = info.serial_hex;
  FOREST_TRY(WriteFileIfChanged(StoreFile(env, serial), root));
  int rc = 0;
  std::string out = Run(env, {"update-ca-certificates"}, &rc);
  if (rc != 0) return MakeError("update-ca-certificates failed: " + out);
  log << "The forest's root (" << info.subject << ") is now installed in the system trust store.\n";
  if (!env.on_path("certutil")) {
    log << "Note: certutil is not available, so the root is not in the NSS store (Chromium, Firefox);"
           " install it with \"apt install libnss3-tools\" and run \"mkcert -install\" again.\n";
    return {};
  }
  const std::string& db = env.nss_db;
  std::string sql = "sql:" + db;
  if (access((db + "/cert9.db").c_str(), F_OK) != 0) {
    if (auto made = MakeDirs(db); !made.ok())
      return MakeError("creating the NSS store " + db + " failed: " + made.error().message);
    out = Run(env, {"certutil", "-N", "-d", sql, "--empty-password"}, &rc);
    if (rc != 0) return MakeError("creating the NSS store " + db + " failed: " + out);
  }
  out =
      Run(env, {"certutil", "-A", "-d", sql, "-t", "C,,", "-n", Nickname(serial), "-i", RootFile(env.caroot)},
          &rc);
  if (rc != 0) return MakeError("certutil -A failed: " + out);
  log << "The forest's root is now installed in the NSS store " << db << " (Chromium, Firefox).\n";
  return {};
}

Status UninstallRoot(const MkcertEnv& env, std::ostream& log) {
  auto root = ReadFile(RootFile(env.caroot), trust::kMaxPemBytes);
  if (!root.ok()) return MakeError("no rootCA.pem in " + env.caroot + "; nothing to uninstall");
  auto info = trust::InspectCert(*root);
  if (!info.ok()) return MakeError(env.caroot + "/rootCA.pem: " + info.error().message);
  std::remove(StoreFile(env, info->serial_hex).c_str());
  int rc = 0;
  Run(env, {"update-ca-certificates", "--fresh"}, &rc, true);
  if (env.on_path("certutil"))
    Run(env, {"certutil", "-D", "-d", "sql:" + env.nss_db, "-n", Nickname(info->serial_hex)}, &rc, true);
  log << "The forest's root is gone from this node's trust stores (the helper still has it).\n";
  return {};
}

std::string MkcertDay(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%-d %B %Y", &tm);
  return buf;
}

std::string MkcertReport(const Signed& reply, const std::vector<std::string>& requested,
                         const std::string& where) {
  std::string s = "\nCreated a new certificate valid for the following names\n";
  for (const std::string& name : reply.names) {
    bool asked = std::find(requested.begin(), requested.end(), name) != requested.end();
    s += " - \"" + name + "\"" + (asked ? "" : "  (same service, added by the forest CA)") + "\n";
  }
  for (const std::string& w : reply.withheld) s += " (left out: " + w + ")\n";
  int64_t days = (reply.not_after - reply.not_before + 43200) / 86400;
  s += "\n" + where + "\n\nIt will expire on " + MkcertDay(reply.not_after) + " (valid " +
       std::to_string(days) + " days: " +
       (days <= 7 ? "a certificate with short aliases lives 7 days, so that an alias that moves to another"
                    " node is not held for long"
                  : "a certificate with canonical names only lives 90 days") +
       "). This one is not renewed: run mkcert again before then, or have forestd keep a workload's"
       " certificate renewed with `forest cert deploy`.\n\n";
  return s;
}

Status MakeCert(const CaEndpoint& c, const trust::MkcertArgs& a, std::ostream& log) {
  std::vector<std::string> names;
  for (const auto& n : a.names) {
    FOREST_TRY(trust::LabelPathForName(c.node, n));
    names.push_back(naming::FoldName(n));
  }
  FOREST_ASSIGN_OR_RETURN(std::string key,
                          trust::GenerateKey(a.ecdsa ? trust::KeyKind::kEcdsaP256 : trust::KeyKind::kRsa));
  FOREST_ASSIGN_OR_RETURN(std::string csr, trust::MakeCsr(key, names));
  FOREST_ASSIGN_OR_RETURN(Signed reply, RequestSignature(c, csr, names, a.client));
  const std::string& cert = reply.certificate;
  auto files = trust::MkcertDefaultFiles(a.names, a.client);
  std::string where;
  if (!a.pkcs12) {
    std::string cert_file = a.cert_file.empty() ? files.cert : a.cert_file;
    std::string key_file = a.key_file.empty() ? files.key : a.key_file;
    if (cert_file == key_file) {
      FOREST_TRY(WriteFileAtomic(key_file, cert + key, 0600));
    } else {
      FOREST_TRY(WriteFileAtomic(cert_file, cert, 0644));
      FOREST_TRY(WriteFileAtomic(key_file, key, 0600));
    }
    where = cert_file == key_file
                ? "The certificate and key are at \"" + cert_file + "\""
                : "The certificate is at \"" + cert_file + "\" and the key at \"" + key_file + "\"";
  } else {
    std::string p12_file = a.p12_file.empty() ? files.p12 : a.p12_file;
    FOREST_ASSIGN_OR_RETURN(std::string p12, trust::MakePkcs12(cert, key, reply.root, "changeit"));
    FOREST_TRY(WriteFileAtomic(p12_file, p12, 0644));
    where = "The PKCS#12 bundle is at \"" + p12_file +
            "\"\nThe legacy PKCS#12 encryption password is the often hardcoded default \"changeit\"";
  }
  log << MkcertReport(reply, names, where);
  return {};
}

Status SignCsrFile(const CaEndpoint& c, const trust::MkcertArgs& a, std::ostream& log) {
  auto text = ReadFile(a.csr, trust::kMaxPemBytes);
  if (!text.ok()) return MakeError("failed to read the CSR: " + text.error().message);
  auto csr = trust::ParseCsr(*text);
  if (!csr.ok()) return MakeError("failed to parse the CSR: " + csr.error().message);
  std::vector<std::string> names = csr->dns_names;
  if (names.empty() && !csr->common_name.empty()) names.push_back(csr->common_name);
  if (names.empty()) return MakeError("the CSR asks for no name");
  FOREST_ASSIGN_OR_RETURN(Signed reply, RequestSignature(c, *text, names, false));
  std::string cert_file = a.cert_file.empty() ? trust::MkcertDefaultFiles(names, false).cert : a.cert_file;
  FOREST_TRY(WriteFileAtomic(cert_file, reply.certificate, 0644));
  log << MkcertReport(reply, names, "The certificate is at \"" + cert_file + "\"");
  return {};
}

}  // namespace forest::node
