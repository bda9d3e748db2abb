// `mkcert` in a forest node: the forest binary under mkcert's name. It speaks
// mkcert's command line, keeps the key on this node and has the certificate
// signed by the helper's CA broker (DESIGN.md, Trust). Settings come from
// /etc/forest/mkcert.json ($FOREST_MKCERT_CONFIG), which `forest up` writes
// (node/ca_client.h).
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iostream>

#include "base/files.h"
#include "base/process.h"
#include "base/version.h"
#include "cli/app.h"
#include "naming/names.h"
#include "node/ca_client.h"
#include "trust/caroot.h"
#include "trust/mkcert_args.h"
#include "trust/san_policy.h"

namespace forest::cli {
namespace {

int Die(const std::string& message) {
  std::cerr << "ERROR: " << message << "\n";
  return 1;
}

// Runs argv, stderr folded into stdout (`quiet`: both to /dev/null); the
// output, and *rc its exit code (-1 when it could not run or was killed).
std::string Run(std::vector<std::string> argv, int* rc, bool quiet = false) {
  Command c{.argv = std::move(argv), .merge_stderr = true};
  if (quiet) c.out = c.err = Stdio::kNull;
  auto r = SystemRunner().Run(c);
  if (!r.ok()) {
    *rc = -1;
    return r.error().message;
  }
  *rc = r->exit_code;
  return r->out;
}

// The forest root, fetched from the helper and kept as $CAROOT/rootCA.pem.
Result<std::string> FetchRootInto(const node::CaEndpoint& c, const std::string& caroot) {
  FOREST_ASSIGN_OR_RETURN(std::string root, node::FetchRoot(c));
  FOREST_TRY(MakeDirs(caroot));
  FOREST_TRY(WriteFileIfChanged(caroot + "/" + trust::kRootCertFile, root));
  return root;
}

std::string StoreFile(const std::string& serial) {
  return "/usr/local/share/ca-certificates/mkcert_development_CA_" + serial + ".crt";
}
std::string Nickname(const std::string& serial) { return "mkcert development CA " + serial; }
std::string NssDb() {
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.pki/nssdb";
}

int Install(const node::CaEndpoint& c, const std::string& caroot) {
  auto root = FetchRootInto(c, caroot);
  if (!root.ok()) return Die(root.error().message);
  auto info = trust::InspectCert(*root);
  std::string serial = info->serial_hex;
  auto wrote = WriteFileIfChanged(StoreFile(serial), *root);
  if (!wrote.ok()) return Die(wrote.error().message);
  int rc = 0;
  std::string out = Run({"update-ca-certificates"}, &rc);
  if (rc != 0) return Die("update-ca-certificates failed: " + out);
  std::cerr << "The forest's root (" << info->subject << ") is now installed in the system trust store.\n";
  if (!OnPath("certutil")) {
    std::cerr << "Note: certutil is not available, so the root is not in the NSS store (Chromium, Firefox);"
                 " install it with \"apt install libnss3-tools\" and run \"mkcert -install\" again.\n";
    return 0;
  }
  std::string db = NssDb();
  std::string sql = "sql:" + db;
  if (access((db + "/cert9.db").c_str(), F_OK) != 0) {
    if (auto made = MakeDirs(db); !made.ok())
      return Die("creating the NSS store " + db + " failed: " + made.error().message);
    out = Run({"certutil", "-N", "-d", sql, "--empty-password"}, &rc);
    if (rc != 0) return Die("creating the NSS store " + db + " failed: " + out);
  }
  out = Run({"certutil", "-A", "-d", sql, "-t", "C,,", "-n", Nickname(serial), "-i",
             caroot + "/" + trust::kRootCertFile},
            &rc);
  if (rc != 0) return Die("certutil -A failed: " + out);
  std::cerr << "The forest's root is now installed in the NSS store " << db << " (Chromium, Firefox).\n";
  return 0;
}

int Uninstall(const std::string& caroot) {
  auto root = ReadFile(caroot + "/" + trust::kRootCertFile, trust::kMaxPemBytes);
  if (!root.ok()) return Die("no rootCA.pem in " + caroot + "; nothing to uninstall");
  auto info = trust::InspectCert(*root);
  if (!info.ok()) return Die(caroot + "/rootCA.pem: " + info.error().message);
  std::remove(StoreFile(info->serial_hex).c_str());
  int rc = 0;
  Run({"update-ca-certificates", "--fresh"}, &rc, true);
  if (OnPath("certutil"))
    Run({"certutil", "-D", "-d", "sql:" + NssDb(), "-n", Nickname(info->serial_hex)}, &rc, true);
  std::cerr << "The forest's root is gone from this node's trust stores (the helper still has it).\n";
  return 0;
}

std::string Day(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%-d %B %Y", &tm);
  return buf;
}

void Report(const node::Signed& reply, const std::vector<std::string>& requested, const std::string& where) {
  std::cerr << "\nCreated a new certificate valid for the following names\n";
  for (const std::string& name : reply.names) {
    bool asked = std::find(requested.begin(), requested.end(), name) != requested.end();
    std::cerr << " - \"" << name << "\"" << (asked ? "" : "  (same service, added by the forest CA)") << "\n";
  }
  for (const std::string& w : reply.withheld) std::cerr << " (left out: " << w << ")\n";
  int64_t days = (reply.not_after - reply.not_before + 43200) / 86400;
  std::cerr << "\n" << where << "\n\nIt will expire on " << Day(reply.not_after) << " (valid " << days << " days: "
            << (days <= 7 ? "a certificate with short aliases lives 7 days, so that an alias that moves to another"
                            " node is not held for long"
                          : "a certificate with canonical names only lives 90 days")
            << "). This one is not renewed: run mkcert again before then, or have forestd keep a workload's"
               " certificate renewed with `forest cert deploy`.\n\n";
}

int MakeCert(const node::CaEndpoint& c, const trust::MkcertArgs& a) {
  std::vector<std::string> names;
  for (const auto& n : a.names) {
    auto path = trust::LabelPathForName(c.node, n);
    if (!path.ok()) return Die(path.error().message);
    names.push_back(naming::FoldName(n));
  }
  auto key = trust::GenerateKey(a.ecdsa ? trust::KeyKind::kEcdsaP256 : trust::KeyKind::kRsa);
  if (!key.ok()) return Die(key.error().message);
  auto csr = trust::MakeCsr(*key, names);
  if (!csr.ok()) return Die(csr.error().message);
  auto reply = node::RequestSignature(c, *csr, names, a.client);
  if (!reply.ok()) return Die(reply.error().message);
  const std::string& cert = reply->certificate;
  auto files = trust::MkcertDefaultFiles(a.names, a.client);
  std::string where;
  if (!a.pkcs12) {
    std::string cert_file = a.cert_file.empty() ? files.cert : a.cert_file;
    std::string key_file = a.key_file.empty() ? files.key : a.key_file;
    Status s;
    if (cert_file == key_file) {
      s = WriteFileAtomic(key_file, cert + *key, 0600);
    } else {
      s = WriteFileAtomic(cert_file, cert, 0644);
      if (s.ok()) s = WriteFileAtomic(key_file, *key, 0600);
    }
    if (!s.ok()) return Die(s.error().message);
    where = cert_file == key_file ? "The certificate and key are at \"" + cert_file + "\""
                                  : "The certificate is at \"" + cert_file + "\" and the key at \"" + key_file + "\"";
  } else {
    std::string p12_file = a.p12_file.empty() ? files.p12 : a.p12_file;
    auto p12 = trust::MakePkcs12(cert, *key, reply->root, "changeit");
    if (!p12.ok()) return Die(p12.error().message);
    if (auto s = WriteFileAtomic(p12_file, *p12, 0644); !s.ok()) return Die(s.error().message);
    where = "The PKCS#12 bundle is at \"" + p12_file + "\"\nThe legacy PKCS#12 encryption password is the often hardcoded default \"changeit\"";
  }
  Report(*reply, names, where);
  return 0;
}

int SignCsrFile(const node::CaEndpoint& c, const trust::MkcertArgs& a) {
  auto text = ReadFile(a.csr, trust::kMaxPemBytes);
  if (!text.ok()) return Die("failed to read the CSR: " + text.error().message);
  auto csr = trust::ParseCsr(*text);
  if (!csr.ok()) return Die("failed to parse the CSR: " + csr.error().message);
  std::vector<std::string> names = csr->dns_names;
  if (names.empty() && !csr->common_name.empty()) names.push_back(csr->common_name);
  if (names.empty()) return Die("the CSR asks for no name");
  auto reply = node::RequestSignature(c, *text, names, false);
  if (!reply.ok()) return Die(reply.error().message);
  std::string cert_file = a.cert_file.empty() ? trust::MkcertDefaultFiles(names, false).cert : a.cert_file;
  if (auto s = WriteFileAtomic(cert_file, reply->certificate, 0644); !s.ok()) return Die(s.error().message);
  Report(*reply, names, "The certificate is at \"" + cert_file + "\"");
  return 0;
}

}  // namespace

int RunMkcert(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = trust::ParseMkcertArgs(args);
  if (parsed.error) {
    std::cerr << parsed.error->message;
    return parsed.error->exit_code;
  }
  const trust::MkcertArgs& a = parsed.args;
  if (a.help) {
    std::cout << trust::MkcertUsage();
    return 0;
  }
  if (a.version) {
    std::cout << "forest " << kVersion << " (mkcert-compatible shim)\n";
    return 0;
  }
  std::string caroot = trust::DefaultCaroot();
  auto config = node::LoadCaEndpoint();
  if (a.caroot) {
    // mkcert prints the directory; ours also makes sure rootCA.pem is in it.
    if (config.ok()) {
      if (auto r = FetchRootInto(*config, caroot); !r.ok()) std::cerr << "Warning: " << r.error().message << "\n";
    }
    std::cout << caroot << "\n";
    return 0;
  }
  if (!config.ok()) return Die(config.error().message);
  if (a.install) {
    if (int rc = Install(*config, caroot); rc != 0) return rc;
    if (a.names.empty() && a.csr.empty()) return 0;
  } else if (a.uninstall) {
    return Uninstall(caroot);
  } else if (auto r = FetchRootInto(*config, caroot); !r.ok()) {
    return Die(r.error().message);
  }
  if (!a.csr.empty()) return SignCsrFile(*config, a);
  if (a.names.empty()) {
    std::cerr << trust::MkcertUsage();
    return 0;
  }
  return MakeCert(*config, a);
}

}  // namespace forest::cli
