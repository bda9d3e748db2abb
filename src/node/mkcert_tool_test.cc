// The mkcert shim's commands against a real forestd-like HTTP server on ::1
// (GET /v1/root-ca, POST /v1/sign-csr signed by a real root), the programs
// it runs (update-ca-certificates, certutil) against FakeProcessRunner, its
// files in a scratch directory. tests/trust_broker_test.sh and
// tests/forest_trust_test.sh drive the shim with the real programs.
#include "node/mkcert_tool.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <sstream>
#include <thread>

#include "api/helper_api.h"
#include "api/paths.h"
#include "base/fake_process.h"
#include "base/files.h"
#include "base/temp_dir.h"
#include "serve/http_server.h"
#include "trust/x509.h"

namespace forest::node {
namespace {

constexpr int64_t kNow = 1795000000;
constexpr int64_t kDay = 86400;
constexpr char kNode[] = "c0-2-1.c0-2.c0.incus";

const trust::RootFiles& TestRoot() {
  static const trust::RootFiles files = trust::CreateRoot("root@test", kNow - 3600).value();
  return files;
}

class MkcertToolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path();
    env_.caroot = dir_ + "/caroot";
    env_.trust_store_dir = dir_ + "/ca-certificates";
    env_.nss_db = dir_ + "/home/.pki/nssdb";
    env_.runner = &runner_;
    env_.on_path = [this](const std::string& program) { return program != "certutil" || certutil_; };
    ASSERT_TRUE(MakeDirs(env_.trust_store_dir).ok());
    serial_ = trust::InspectCert(TestRoot().cert_pem)->serial_hex;

    root_ = trust::CaRoot::Load(TestRoot().cert_pem, TestRoot().key_pem).value();
    http::Router r;
    r.Add({"GET", api::kRootCa, 0, nullptr, [](const http::Request&) {
             return http::Response{200, "application/x-pem-file", TestRoot().cert_pem, {}};
           }});
    r.Add({"POST", api::kSignCsr, api::kMaxSignRequestBytes, nullptr,
           [this](const http::Request& q) { return Sign(q); }});
    auto s = http::Server::Listen(io_, "::1", 0, std::move(r));
    ASSERT_TRUE(s.ok()) << s.error().message;
    server_ = std::move(*s);
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
    ca_ = {"::1", server_->port(), kNode};
  }
  void TearDown() override {
    if (server_) server_->Stop();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // Signs the CSR's names as a canonical-names-only leaf (90 days).
  http::Response Sign(const http::Request& q) {
    auto req = api::ParseSignRequest(q.body);
    if (!req.ok()) return http::ErrorResponse(400, req.error().message);
    auto csr = trust::ParseCsr(req->csr_pem);
    if (!csr.ok()) return http::ErrorResponse(400, csr.error().message);
    if (csr->dns_names.empty()) return http::ErrorResponse(403, "no name");
    trust::LeafSpec spec;
    spec.dns_names = csr->dns_names;
    spec.not_before = kNow;
    spec.not_after = kNow + 90 * kDay;
    auto leaf = trust::SignLeaf(root_, *csr, spec);
    if (!leaf.ok()) return http::ErrorResponse(500, leaf.error().message);
    api::SignReply reply{leaf->cert_pem,  TestRoot().cert_pem, leaf->serial_hex, kNode, spec.dns_names, {},
                         spec.not_before, spec.not_after};
    signed_paths_ = req->label_paths;
    return http::JsonResponse(200, api::ToJson(reply));
  }

  std::string Read(const std::string& path) { return ReadFile(path).value(); }
  unsigned Mode(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
  }

  TempDir tmp_{"forest-mkcert"};
  std::string dir_;
  FakeProcessRunner runner_;
  bool certutil_ = true;
  MkcertEnv env_;
  std::string serial_;
  trust::CaRoot root_;
  boost::asio::io_context io_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  CaEndpoint ca_;
  std::vector<std::string> signed_paths_;
  std::ostringstream log_;
};

TEST_F(MkcertToolTest, InstallPutsTheRootInBothStoresAndMakesTheNssStore) {
  ASSERT_TRUE(InstallRoot(env_, ca_, log_).ok());
  EXPECT_EQ(Read(env_.caroot + "/rootCA.pem"), TestRoot().cert_pem);
  std::string store = env_.trust_store_dir + "/mkcert_development_CA_" + serial_ + ".crt";
  EXPECT_EQ(Read(store), TestRoot().cert_pem);
  std::string sql = "sql:" + env_.nss_db;
  EXPECT_EQ(runner_.Lines(), (std::vector<std::string>{
                                 "update-ca-certificates",
                                 "certutil -N -d " + sql + " --empty-password",
                                 "certutil -A -d " + sql + " -t C,, -n mkcert development CA " + serial_ +
                                     " -i " + env_.caroot + "/rootCA.pem",
                             }));
  // The argv is one word each (the nickname has spaces), output folded.
  EXPECT_EQ(runner_.calls()[2].argv[6], "-n");
  EXPECT_EQ(runner_.calls()[2].argv[7], "mkcert development CA " + serial_);
  for (const auto& c : runner_.calls()) EXPECT_TRUE(c.merge_stderr);
  EXPECT_TRUE(std::filesystem::is_directory(env_.nss_db));
  EXPECT_EQ(log_.str(), "The forest's root (" + trust::InspectCert(TestRoot().cert_pem)->subject +
                            ") is now installed in the system trust store.\n"
                            "The forest's root is now installed in the NSS store " +
                            env_.nss_db + " (Chromium, Firefox).\n");
}

TEST_F(MkcertToolTest, InstallKeepsAnExistingNssStore) {
  ASSERT_TRUE(MakeDirs(env_.nss_db).ok());
  ASSERT_TRUE(WriteFileAtomic(env_.nss_db + "/cert9.db", "").ok());
  ASSERT_TRUE(InstallRoot(env_, ca_, log_).ok());
  ASSERT_EQ(runner_.Lines().size(), 2u);
  EXPECT_TRUE(runner_.Lines()[1].starts_with("certutil -A")) << runner_.Lines()[1];
}

TEST_F(MkcertToolTest, InstallWithoutCertutilSaysHowToGetIt) {
  certutil_ = false;
  ASSERT_TRUE(InstallRoot(env_, ca_, log_).ok());
  EXPECT_EQ(runner_.Lines(), (std::vector<std::string>{"update-ca-certificates"}));
  EXPECT_NE(
      log_.str().find("Note: certutil is not available, so the root is not in the NSS store (Chromium, "
                      "Firefox); install it with \"apt install libnss3-tools\" and run \"mkcert -install\" "
                      "again.\n"),
      std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(env_.nss_db));
}

TEST_F(MkcertToolTest, InstallFailuresSayWhichStepAndWhy) {
  runner_.On({"update-ca-certificates"}, 1, "cannot write /etc/ssl/certs\n");
  auto s = InstallRoot(env_, ca_, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "update-ca-certificates failed: cannot write /etc/ssl/certs\n");
  EXPECT_EQ(log_.str(), "");

  runner_.On({"update-ca-certificates"}, 0);
  runner_.On({"certutil", "-N"}, 255, "bad database\n");
  s = InstallRoot(env_, ca_, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "creating the NSS store " + env_.nss_db + " failed: bad database\n");

  runner_.On({"certutil", "-N"}, 0);
  runner_.FailToStart({"certutil", "-A"});
  s = InstallRoot(env_, ca_, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().message.starts_with("certutil -A failed:")) << s.error().message;

  // No helper: the fetch's error, nothing run.
  size_t before = runner_.calls().size();
  CaEndpoint nobody = ca_;
  nobody.port = 1;
  s = InstallRoot(env_, nobody, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().message.starts_with("fetching the forest root from the helper")) << s.error().message;
  EXPECT_EQ(runner_.calls().size(), before);
}

TEST_F(MkcertToolTest, UninstallRemovesTheRootFromBothStoresQuietly) {
  ASSERT_TRUE(InstallRoot(env_, ca_, log_).ok());
  std::string store = env_.trust_store_dir + "/mkcert_development_CA_" + serial_ + ".crt";
  ASSERT_TRUE(std::filesystem::exists(store));
  FakeProcessRunner after;
  env_.runner = &after;
  log_.str("");
  ASSERT_TRUE(UninstallRoot(env_, log_).ok());
  EXPECT_FALSE(std::filesystem::exists(store));
  EXPECT_TRUE(std::filesystem::exists(env_.caroot + "/rootCA.pem"));  // $(mkcert -CAROOT) keeps it
  EXPECT_EQ(after.Lines(), (std::vector<std::string>{
                               "update-ca-certificates --fresh",
                               "certutil -D -d sql:" + env_.nss_db + " -n mkcert development CA " + serial_,
                           }));
  for (const auto& c : after.calls()) {
    EXPECT_EQ(c.out, Stdio::kNull);
    EXPECT_EQ(c.err, Stdio::kNull);
  }
  EXPECT_EQ(log_.str(),
            "The forest's root is gone from this node's trust stores (the helper still has it).\n");

  // Without certutil only the system store; failures of either do not matter.
  FakeProcessRunner plain;
  plain.On({"update-ca-certificates"}, 1);
  env_.runner = &plain;
  certutil_ = false;
  ASSERT_TRUE(UninstallRoot(env_, log_).ok());
  EXPECT_EQ(plain.Lines(), (std::vector<std::string>{"update-ca-certificates --fresh"}));
}

TEST_F(MkcertToolTest, UninstallNeedsTheRoot) {
  auto s = UninstallRoot(env_, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "no rootCA.pem in " + env_.caroot + "; nothing to uninstall");
  ASSERT_TRUE(MakeDirs(env_.caroot).ok());
  ASSERT_TRUE(WriteFileAtomic(env_.caroot + "/rootCA.pem", "not a certificate\n").ok());
  s = UninstallRoot(env_, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().message.starts_with(env_.caroot + "/rootCA.pem:")) << s.error().message;
  EXPECT_TRUE(runner_.calls().empty());
}

TEST_F(MkcertToolTest, MakeCertWritesTheSignedLeafAndAKeyOnlyItsOwnerReads) {
  trust::MkcertArgs a;
  a.ecdsa = true;
  a.names = {"App.C0-2-1.c0-2.c0.incus"};
  a.cert_file = dir_ + "/c.pem";
  a.key_file = dir_ + "/k.pem";
  auto s = MakeCert(ca_, a, log_);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(signed_paths_, (std::vector<std::string>{"app"}));
  auto info = trust::InspectCert(Read(a.cert_file));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->dns_names, (std::vector<std::string>{"app.c0-2-1.c0-2.c0.incus"}));  // folded
  EXPECT_EQ(Mode(a.cert_file), 0644u);
  EXPECT_EQ(Mode(a.key_file), 0600u);
  EXPECT_NE(Read(a.key_file).find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(
      log_.str().find("The certificate is at \"" + a.cert_file + "\" and the key at \"" + a.key_file + "\""),
      std::string::npos);

  // One file for both: the certificate, then the key, 0600.
  a.key_file = a.cert_file = dir_ + "/both.pem";
  log_.str("");
  ASSERT_TRUE(MakeCert(ca_, a, log_).ok());
  std::string both = Read(a.cert_file);
  EXPECT_LT(both.find("BEGIN CERTIFICATE"), both.find("PRIVATE KEY"));
  EXPECT_EQ(Mode(a.cert_file), 0600u);
  EXPECT_NE(log_.str().find("The certificate and key are at \"" + a.cert_file + "\""), std::string::npos);
}

TEST_F(MkcertToolTest, MakeCertRefusesNamesOutsideTheForestBeforeAskingTheCa) {
  trust::MkcertArgs a;
  a.names = {"example.com"};
  a.cert_file = dir_ + "/c.pem";
  auto s = MakeCert(ca_, a, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(signed_paths_.empty());
  EXPECT_FALSE(std::filesystem::exists(a.cert_file));
}

TEST_F(MkcertToolTest, SignCsrFileSignsTheCsrsNames) {
  std::string key = trust::GenerateKey(trust::KeyKind::kEcdsaP256).value();
  ASSERT_TRUE(
      WriteFileAtomic(dir_ + "/req.csr", trust::MakeCsr(key, {"web.c0-2-1.c0-2.c0.incus"}).value()).ok());
  trust::MkcertArgs a;
  a.csr = dir_ + "/req.csr";
  a.cert_file = dir_ + "/web.pem";
  auto s = SignCsrFile(ca_, a, log_);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(trust::InspectCert(Read(a.cert_file))->dns_names,
            (std::vector<std::string>{"web.c0-2-1.c0-2.c0.incus"}));
  EXPECT_NE(log_.str().find("The certificate is at \"" + a.cert_file + "\"\n"), std::string::npos);

  a.csr = dir_ + "/missing.csr";
  s = SignCsrFile(ca_, a, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().message.starts_with("failed to read the CSR: ")) << s.error().message;
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/bad.csr", "garbage").ok());
  a.csr = dir_ + "/bad.csr";
  s = SignCsrFile(ca_, a, log_);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().message.starts_with("failed to parse the CSR: ")) << s.error().message;
}

TEST(MkcertReport, NamesTheAddedAndTheWithheldAndTheExpiry) {
  Signed s;
  s.names = {"auth.app.incus", "auth.app.c0-2-1.c0-2.c0.incus"};
  s.withheld = {"c0-2.incus: another node's name"};
  s.not_before = 1795000000;  // 18 November 2026, 11:06:40 UTC
  s.not_after = s.not_before + 7 * kDay;
  EXPECT_EQ(
      MkcertReport(s, {"auth.app.incus"}, "The certificate is at \"./c.pem\""),
      "\nCreated a new certificate valid for the following names\n"
      " - \"auth.app.incus\"\n"
      " - \"auth.app.c0-2-1.c0-2.c0.incus\"  (same service, added by the forest CA)\n"
      " (left out: c0-2.incus: another node's name)\n"
      "\nThe certificate is at \"./c.pem\"\n"
      "\nIt will expire on 25 November 2026 (valid 7 days: a certificate with short aliases lives 7 days, so "
      "that an alias that moves to another node is not held for long). This one is not renewed: run mkcert "
      "again before then, or have forestd keep a workload's certificate renewed with `forest cert deploy`."
      "\n\n");
  s.not_after = s.not_before + 90 * kDay - 60;  // rounded to whole days
  std::string canonical = MkcertReport(s, {}, "here");
  EXPECT_NE(
      canonical.find("It will expire on 16 February 2027 (valid 90 days: a certificate with canonical names "
                     "only lives 90 days). "),
      std::string::npos);
}

TEST(MkcertDay, IsTheUtcDayWithoutALeadingZero) {
  EXPECT_EQ(MkcertDay(0), "1 January 1970");
  EXPECT_EQ(MkcertDay(1795000000), "18 November 2026");
  EXPECT_EQ(MkcertDay(1795000000 - 40020), "17 November 2026");  // 23:59:40 the day before
}

}  // namespace
}  // namespace forest::node
