// CRLs and the root's CRL-signing twin, with a real mkcert-profile root
// (keyUsage keyCertSign only) and OpenSSL's own CRL checking.
#include "trust/crl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>

namespace forest::trust {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1795000000;  // 2026-11-18
constexpr int64_t kDay = 86400;

class CrlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto files = CreateRoot("root@test", kNow - 3600).value();
    root_pem_ = files.cert_pem;
    root_ = CaRoot::Load(files.cert_pem, files.key_pem).value();
  }
  Issued Leaf(const std::string& name) {
    auto csr = ParseCsr(MakeCsr(GenerateKey(KeyKind::kEcdsaP256).value(), {name}).value()).value();
    LeafSpec spec;
    spec.dns_names = {name};
    spec.not_before = kNow;
    spec.not_after = kNow + 7 * kDay;
    spec.crl_url = "http://forest-ca.incus:8053/v1/crl";
    return SignLeaf(root_, csr, spec).value();
  }
  CrlSpec Spec(std::vector<CrlEntry> entries) { return {std::move(entries), kNow, kNow + kDay, 7}; }
  std::string root_pem_;
  CaRoot root_;
};

TEST_F(CrlTest, ListsTheRevokedSerialsAndVerifiesWithTheRoot) {
  Issued a = Leaf("a.incus"), b = Leaf("b.incus");
  auto crl = MakeCrl(root_, Spec({{b.serial_hex, kNow - 60}, {a.serial_hex, kNow - 30}}));
  ASSERT_TRUE(crl.ok()) << crl.error().message;
  auto info = InspectCrl(*crl, root_pem_);
  ASSERT_TRUE(info.ok()) << info.error().message;
  std::vector<std::string> want = {a.serial_hex, b.serial_hex};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(info->serials, want);
  EXPECT_EQ(info->this_update, kNow);
  EXPECT_EQ(info->next_update, kNow + kDay);
  EXPECT_EQ(info->number, 7u);
  auto der = CrlDer(*crl);
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(static_cast<unsigned char>((*der)[0]), 0x30);  // a DER SEQUENCE
}

TEST_F(CrlTest, OpenSslRejectsARevokedLeafUnderTheTwinAndAcceptsTheOthers) {
  Issued revoked = Leaf("a.incus"), kept = Leaf("b.incus");
  std::string crl = MakeCrl(root_, Spec({{revoked.serial_hex, kNow}})).value();
  std::string twin = CrlSigningRoot(root_).value();
  // The twin is the root's key and subject: leaves of the root verify under it.
  EXPECT_TRUE(VerifyLeaf(kept.cert_pem, twin, "b.incus", kNow + 60).ok());
  EXPECT_TRUE(VerifyLeaf(kept.cert_pem, twin, "b.incus", kNow + 60, crl).ok());
  auto bad = VerifyLeaf(revoked.cert_pem, twin, "a.incus", kNow + 60, crl);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("certificate revoked"));
  // mkcert's root itself may not sign CRLs (keyCertSign only): RFC 5280
  // checkers refuse its CRLs, which is why the twin exists.
  auto plain = VerifyLeaf(kept.cert_pem, root_pem_, "b.incus", kNow + 60, crl);
  ASSERT_FALSE(plain.ok());
  EXPECT_THAT(plain.error().message, HasSubstr("CRL signing"));
  // An expired CRL is no proof of anything.
  EXPECT_FALSE(VerifyLeaf(kept.cert_pem, twin, "b.incus", kNow + 2 * kDay, crl).ok());
}

TEST_F(CrlTest, ACrlOfAnotherRootIsRefused) {
  auto other_files = CreateRoot("root@test", kNow).value();  // same name, another key
  auto other = CaRoot::Load(other_files.cert_pem, other_files.key_pem).value();
  std::string crl = MakeCrl(other, Spec({})).value();
  auto info = InspectCrl(crl, root_pem_);
  ASSERT_FALSE(info.ok());
  EXPECT_THAT(info.error().message, HasSubstr("signature does not verify"));
}

TEST_F(CrlTest, BadInputSaysWhat) {
  EXPECT_THAT(MakeCrl(root_, Spec({{"XYZ", kNow}})).error().message, HasSubstr("expected lower-case hex"));
  EXPECT_FALSE(MakeCrl(root_, {{}, kNow, kNow, 1}).ok());
  EXPECT_THAT(InspectCrl("garbage", root_pem_).error().message, HasSubstr("not a readable PEM CRL"));
  EXPECT_THAT(InspectCrl(std::string(kMaxCrlBytes + 1, 'x'), root_pem_).error().message, HasSubstr("the limit"));
}

TEST_F(CrlTest, LeavesNameTheCrlAndTheTwinIsTheRoot) {
  Issued a = Leaf("a.incus");
  BIO* bio = BIO_new_mem_buf(a.cert_pem.data(), static_cast<int>(a.cert_pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(x, nullptr);
  auto* points = static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(x, NID_crl_distribution_points, nullptr, nullptr));
  ASSERT_NE(points, nullptr);
  ASSERT_EQ(sk_DIST_POINT_num(points), 1);
  GENERAL_NAMES* names = sk_DIST_POINT_value(points, 0)->distpoint->name.fullname;
  const ASN1_IA5STRING* uri = sk_GENERAL_NAME_value(names, 0)->d.uniformResourceIdentifier;
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), ASN1_STRING_length(uri)),
            "http://forest-ca.incus:8053/v1/crl");
  CRL_DIST_POINTS_free(points);
  X509_free(x);
  std::string twin = CrlSigningRoot(root_).value();
  auto twin_info = InspectCert(twin).value();
  EXPECT_TRUE(twin_info.is_ca);
  EXPECT_EQ(twin_info.subject, InspectCert(root_pem_).value().subject);
  EXPECT_NE(twin_info.serial_hex, InspectCert(root_pem_).value().serial_hex);
}

}  // namespace
}  // namespace forest::trust
