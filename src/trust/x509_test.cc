#include "trust/x509.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace forest::trust {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kDay = 24 * 60 * 60;

// ---- OpenSSL helpers, independent of the code under test ----------------

struct BioFree {
  void operator()(BIO* b) const { BIO_free_all(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct ReqFree {
  void operator()(X509_REQ* r) const { X509_REQ_free(r); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using ReqPtr = std::unique_ptr<X509_REQ, ReqFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

BioPtr In(const std::string& s) { return BioPtr(BIO_new_mem_buf(s.data(), static_cast<int>(s.size()))); }

std::string Out(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<size_t>(n));
}

X509Ptr Cert(const std::string& pem) {
  return X509Ptr(PEM_read_bio_X509(In(pem).get(), nullptr, nullptr, nullptr));
}

PkeyPtr Key(const std::string& pem) {
  return PkeyPtr(PEM_read_bio_PrivateKey(In(pem).get(), nullptr, nullptr, nullptr));
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr b(BIO_new(BIO_s_mem()));
  EXPECT_EQ(PEM_write_bio_PrivateKey(b.get(), key, nullptr, nullptr, 0, nullptr, nullptr), 1);
  return Out(b.get());
}

std::string OpenSslKey(const char* type, const char* curve_or_null, size_t bits) {
  PkeyPtr key(curve_or_null != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve_or_null)
                                       : EVP_PKEY_Q_keygen(nullptr, nullptr, type, bits));
  EXPECT_NE(key, nullptr);
  return KeyPem(key.get());
}

// A CSR made by OpenSSL alone, with a subjectAltName in OpenSSL's config
// syntax (for kinds MakeCsr never writes).
std::string OpenSslCsr(const std::string& key_pem, const char* san) {
  PkeyPtr key = Key(key_pem);
  ReqPtr req(X509_REQ_new());
  X509_REQ_set_version(req.get(), X509_REQ_VERSION_1);
  X509_REQ_set_pubkey(req.get(), key.get());
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(exts, X509V3_EXT_nconf_nid(nullptr, &ctx, NID_subject_alt_name, san));
  X509_REQ_add_extensions(req.get(), exts);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  // EdDSA signs the message itself: no separate digest.
  const EVP_MD* md = EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
  EXPECT_GT(X509_REQ_sign(req.get(), key.get(), md), 0);
  BioPtr b(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(b.get(), req.get());
  return Out(b.get());
}

// `pem` re-encoded with one byte of the DER changed, `from_end` bytes from its
// end (inside the signature, which is the last field).
std::string FlipDerByte(const std::string& pem, size_t from_end) {
  ReqPtr req(PEM_read_bio_X509_REQ(In(pem).get(), nullptr, nullptr, nullptr));
  EXPECT_NE(req, nullptr);
  unsigned char* der = nullptr;
  int len = i2d_X509_REQ(req.get(), &der);
  EXPECT_GT(len, static_cast<int>(from_end));
  der[len - from_end] ^= 0x01;
  BioPtr b(BIO_new(BIO_s_mem()));
  PEM_write_bio(b.get(), "CERTIFICATE REQUEST", "", der, len);
  OPENSSL_free(der);
  return Out(b.get());
}

std::string CsrFor(const std::string& key_pem, const std::vector<std::string>& names) {
  auto csr = MakeCsr(key_pem, names);
  EXPECT_TRUE(csr.ok()) << csr.error().message;
  return csr.ok() ? *csr : std::string();
}

template <typename T>
std::string ErrorOf(const Result<T>& r) {
  return r.ok() ? "(no error)" : r.error().message;
}

// ---- Fixture: one root for the whole suite (RSA 3072 takes a moment) ----

class X509Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto files = CreateRoot("me@host", kNow);
    ASSERT_TRUE(files.ok()) << files.error().message;
    root_files_ = new RootFiles(*files);
    auto root = CaRoot::Load(files->cert_pem, files->key_pem);
    ASSERT_TRUE(root.ok()) << root.error().message;
    root_ = new CaRoot(*root);
  }
  static void TearDownTestSuite() {
    delete root_;
    delete root_files_;
  }

  static LeafSpec Spec(std::vector<std::string> names) {
    LeafSpec spec;
    spec.dns_names = std::move(names);
    spec.organizational_unit = "me@host";
    spec.not_before = kNow;
    spec.not_after = kNow + 825 * kDay;
    return spec;
  }

  // A key, its CSR and a leaf signed for it.
  struct Leaf {
    std::string key_pem;
    Issued issued;
  };
  static Leaf Sign(KeyKind kind, const LeafSpec& spec) {
    Leaf leaf;
    auto key = GenerateKey(kind);
    EXPECT_TRUE(key.ok()) << key.error().message;
    leaf.key_pem = *key;
    auto csr = ParseCsr(CsrFor(leaf.key_pem, {spec.dns_names.front()}));
    EXPECT_TRUE(csr.ok()) << csr.error().message;
    auto issued = SignLeaf(*root_, *csr, spec);
    EXPECT_TRUE(issued.ok()) << issued.error().message;
    if (issued.ok()) leaf.issued = *issued;
    return leaf;
  }

  static RootFiles* root_files_;
  static CaRoot* root_;
};
RootFiles* X509Test::root_files_ = nullptr;
CaRoot* X509Test::root_ = nullptr;

// ---- Roots ---------------------------------------------------------------

TEST_F(X509Test, RootLooksLikeMkcerts) {
  auto info = InspectCert(root_files_->cert_pem);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_TRUE(info->is_ca);
  EXPECT_EQ(info->subject, "CN=mkcert me@host,OU=me@host,O=mkcert development CA");
  EXPECT_EQ(info->issuer, info->subject);
  EXPECT_EQ(root_->subject(), info->subject);
  EXPECT_EQ(info->not_before, kNow);
  EXPECT_EQ(info->not_after, 2082758400);  // 2036-01-01T00:00:00Z: ten calendar years
  EXPECT_TRUE(info->dns_names.empty());
  EXPECT_FALSE(info->serial_hex.empty());

  EXPECT_THAT(root_files_->key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  PkeyPtr key = Key(root_files_->key_pem);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key.get()), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 3072);

  X509Ptr cert = Cert(root_files_->cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_get_version(cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN));
  EXPECT_EQ(X509_get_pathlen(cert.get()), 0);
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  int crit = -1;
  BASIC_CONSTRAINTS* bc =
      static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert.get(), NID_basic_constraints, &crit, nullptr));
  ASSERT_NE(bc, nullptr);
  EXPECT_EQ(crit, 1);
  BASIC_CONSTRAINTS_free(bc);
}

TEST_F(X509Test, RootsDiffer) {
  auto other = CreateRoot("me@host", kNow);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(InspectCert(other->cert_pem)->serial_hex, InspectCert(root_files_->cert_pem)->serial_hex);
  EXPECT_NE(other->key_pem, root_files_->key_pem);
}

TEST_F(X509Test, LoadRefusesAKeyThatIsNotTheRoots) {
  auto key = GenerateKey(KeyKind::kRsa);
  ASSERT_TRUE(key.ok());
  auto root = CaRoot::Load(root_files_->cert_pem, *key);
  EXPECT_THAT(ErrorOf(root), HasSubstr("does not belong"));
}

TEST_F(X509Test, LoadRefusesALeaf) {
  Leaf leaf = Sign(KeyKind::kRsa, Spec({"auth.app.incus"}));
  auto root = CaRoot::Load(leaf.issued.cert_pem, leaf.key_pem);
  EXPECT_THAT(ErrorOf(root), HasSubstr("is not a CA certificate"));
}

TEST_F(X509Test, LoadRefusesGarbage) {
  EXPECT_THAT(ErrorOf(CaRoot::Load("nope", root_files_->key_pem)), HasSubstr("root certificate"));
  EXPECT_THAT(ErrorOf(CaRoot::Load(root_files_->cert_pem, "nope")), HasSubstr("root key"));
}

// ---- Keys and CSRs -------------------------------------------------------

TEST_F(X509Test, RsaCsrRoundTrip) {
  auto key = GenerateKey(KeyKind::kRsa);
  ASSERT_TRUE(key.ok());
  EXPECT_THAT(*key, StartsWith("-----BEGIN PRIVATE KEY-----"));
  auto csr = ParseCsr(
      CsrFor(*key, {"auth.app.incus", "fd00:1110:0:0::1", "192.0.2.7", "admin@example.org", "*.app.incus"}));
  ASSERT_TRUE(csr.ok()) << csr.error().message;
  EXPECT_EQ(csr->kind, KeyKind::kRsa);
  EXPECT_EQ(csr->bits, 2048);
  EXPECT_EQ(csr->common_name, "auth.app.incus");
  EXPECT_THAT(csr->dns_names, ElementsAre("auth.app.incus", "*.app.incus"));
  EXPECT_THAT(csr->ip_addresses, ElementsAre("fd00:1110::1", "192.0.2.7"));
  EXPECT_THAT(csr->emails, ElementsAre("admin@example.org"));
  EXPECT_TRUE(csr->uris.empty());
  ASSERT_NE(csr->public_key, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(csr->public_key.get(), Key(*key).get()), 1);
}

TEST_F(X509Test, EcdsaCsrRoundTrip) {
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  ASSERT_TRUE(key.ok());
  EXPECT_THAT(*key, StartsWith("-----BEGIN PRIVATE KEY-----"));
  auto csr = ParseCsr(CsrFor(*key, {"c0-2-1.incus", "::1"}));
  ASSERT_TRUE(csr.ok()) << csr.error().message;
  EXPECT_EQ(csr->kind, KeyKind::kEcdsaP256);
  EXPECT_EQ(csr->bits, 256);
  EXPECT_THAT(csr->dns_names, ElementsAre("c0-2-1.incus"));
  EXPECT_THAT(csr->ip_addresses, ElementsAre("::1"));
}

TEST_F(X509Test, CsrFromOpenSslWithUri) {
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  ASSERT_TRUE(key.ok());
  auto csr = ParseCsr(OpenSslCsr(*key, "DNS:a.incus,URI:spiffe://forest/a,IP:10.0.0.1"));
  ASSERT_TRUE(csr.ok()) << csr.error().message;
  EXPECT_EQ(csr->common_name, "");
  EXPECT_THAT(csr->dns_names, ElementsAre("a.incus"));
  EXPECT_THAT(csr->uris, ElementsAre("spiffe://forest/a"));
  EXPECT_THAT(csr->ip_addresses, ElementsAre("10.0.0.1"));
}

TEST_F(X509Test, MakeCsrRefusesBadInput) {
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  ASSERT_TRUE(key.ok());
  EXPECT_THAT(ErrorOf(MakeCsr(*key, {})), HasSubstr("at least one name"));
  EXPECT_THAT(ErrorOf(MakeCsr(*key, {"a.incus", ""})), HasSubstr("name 2 is empty"));
  EXPECT_THAT(ErrorOf(MakeCsr(*key, {"a b.incus"})), HasSubstr("space"));
  EXPECT_THAT(ErrorOf(MakeCsr("not a key", {"a.incus"})), HasSubstr("CSR key"));
}

TEST_F(X509Test, ParseCsrRefusesGarbage) {
  EXPECT_THAT(ErrorOf(ParseCsr("")), HasSubstr("no PEM block"));
  EXPECT_THAT(ErrorOf(ParseCsr("hello, I am a CSR")), HasSubstr("no PEM block"));
  EXPECT_THAT(
      ErrorOf(ParseCsr("-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n")),
      HasSubstr("malformed PEM"));
  EXPECT_THAT(
      ErrorOf(ParseCsr("-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8=\n-----END CERTIFICATE REQUEST-----\n")),
      HasSubstr("not a valid PKCS#10"));
}

TEST_F(X509Test, ParseCsrRefusesACertificate) {
  EXPECT_THAT(ErrorOf(ParseCsr(root_files_->cert_pem)),
              HasSubstr("expected a CERTIFICATE REQUEST PEM block, found \"CERTIFICATE\""));
}

TEST_F(X509Test, ParseCsrRefusesTwoBlocks) {
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  ASSERT_TRUE(key.ok());
  std::string one = CsrFor(*key, {"a.incus"});
  ASSERT_TRUE(ParseCsr(one).ok());
  EXPECT_THAT(ErrorOf(ParseCsr(one + one)), HasSubstr("more than one CERTIFICATE REQUEST"));
  EXPECT_THAT(ErrorOf(ParseCsr(one + root_files_->cert_pem)), HasSubstr("found \"CERTIFICATE\""));
}

TEST_F(X509Test, ParseCsrRefusesOversizeInput) {
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  ASSERT_TRUE(key.ok());
  std::string csr = CsrFor(*key, {"a.incus"});
  std::string big = std::string(kMaxPemBytes + 1 - csr.size(), '#') + "\n" + csr;
  ASSERT_GT(big.size(), kMaxPemBytes);
  EXPECT_THAT(ErrorOf(ParseCsr(big)), HasSubstr("the limit is 65536"));
  // Text around the block is fine below the limit.
  EXPECT_TRUE(ParseCsr("comment\n" + csr + "trailer\n").ok());
}

TEST_F(X509Test, ParseCsrRefusesABrokenSignature) {
  for (KeyKind kind : {KeyKind::kRsa, KeyKind::kEcdsaP256}) {
    auto key = GenerateKey(kind);
    ASSERT_TRUE(key.ok());
    std::string good = CsrFor(*key, {"a.incus"});
    ASSERT_TRUE(ParseCsr(good).ok());
    // For RSA the last 256 bytes are the signature; for ECDSA the last ~70
    // bytes are the DER (r, s) pair, and byte 3 from the end lies inside s.
    EXPECT_THAT(ErrorOf(ParseCsr(FlipDerByte(good, 3))), HasSubstr("signature does not verify"));
  }
}

TEST_F(X509Test, ParseCsrRefusesWeakAndForeignKeys) {
  std::string rsa1024 = CsrFor(OpenSslKey("RSA", nullptr, 1024), {"a.incus"});
  EXPECT_THAT(ErrorOf(ParseCsr(rsa1024)), HasSubstr("RSA 1024 bits is too weak"));
  std::string p384 = CsrFor(OpenSslKey("EC", "P-384", 0), {"a.incus"});
  EXPECT_THAT(ErrorOf(ParseCsr(p384)), HasSubstr("ECDSA secp384r1 is not accepted"));
  std::string ed25519 = OpenSslCsr(OpenSslKey("ED25519", nullptr, 0), "DNS:a.incus");
  EXPECT_THAT(ErrorOf(ParseCsr(ed25519)), HasSubstr("ED25519 is not accepted"));
}

TEST_F(X509Test, ParseCsrRefusesOtherNameKinds) {
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  ASSERT_TRUE(key.ok());
  std::string csr = OpenSslCsr(*key, "DNS:a.incus,RID:1.2.3.4");
  EXPECT_THAT(ErrorOf(ParseCsr(csr)), HasSubstr("subjectAltName entry 2 is of a kind that is not accepted"));
}

// ---- Leaves --------------------------------------------------------------

TEST_F(X509Test, SignedLeafVerifies) {
  LeafSpec spec = Spec({"auth.app.incus", "*.app.incus", "app.incus"});
  Leaf leaf = Sign(KeyKind::kRsa, spec);
  const std::string& pem = leaf.issued.cert_pem;
  EXPECT_TRUE(VerifyLeaf(pem, root_->cert_pem(), "auth.app.incus", kNow + kDay).ok());
  EXPECT_TRUE(VerifyLeaf(pem, root_->cert_pem(), "x.app.incus", kNow + kDay).ok());  // wildcard
  EXPECT_TRUE(VerifyLeaf(pem, root_->cert_pem(), "", kNow + kDay).ok());
  EXPECT_THAT(ErrorOf(VerifyLeaf(pem, root_->cert_pem(), "auth.other.incus", kNow + kDay)),
              HasSubstr("hostname mismatch (wanted \"auth.other.incus\")"));
  EXPECT_THAT(ErrorOf(VerifyLeaf(pem, root_->cert_pem(), "fd00::1", kNow + kDay)),
              HasSubstr("IP address mismatch"));
  EXPECT_THAT(ErrorOf(VerifyLeaf(pem, root_->cert_pem(), "auth.app.incus", kNow - kDay)),
              HasSubstr("not yet valid"));
  EXPECT_THAT(ErrorOf(VerifyLeaf(pem, root_->cert_pem(), "auth.app.incus", kNow + 900 * kDay)),
              HasSubstr("expired"));
}

TEST_F(X509Test, LeafFromAnotherRootDoesNotVerify) {
  auto other_files = CreateRoot("someone@else", kNow);
  ASSERT_TRUE(other_files.ok());
  auto other = CaRoot::Load(other_files->cert_pem, other_files->key_pem);
  ASSERT_TRUE(other.ok());
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  auto csr = ParseCsr(CsrFor(*key, {"auth.app.incus"}));
  ASSERT_TRUE(csr.ok());
  auto issued = SignLeaf(*other, *csr, Spec({"auth.app.incus"}));
  ASSERT_TRUE(issued.ok()) << issued.error().message;
  EXPECT_TRUE(VerifyLeaf(issued->cert_pem, other->cert_pem(), "auth.app.incus", kNow + kDay).ok());
  EXPECT_THAT(ErrorOf(VerifyLeaf(issued->cert_pem, root_->cert_pem(), "auth.app.incus", kNow + kDay)),
              HasSubstr("unable to get local issuer certificate"));
}

TEST_F(X509Test, LeafShowsTheSpec) {
  LeafSpec spec = Spec({"auth.app.incus", "*.app.incus", "app.incus"});
  spec.common_name = "auth.app.incus";
  Leaf leaf = Sign(KeyKind::kRsa, spec);
  auto info = InspectCert(leaf.issued.cert_pem);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_THAT(info->dns_names, ElementsAre("auth.app.incus", "*.app.incus", "app.incus"));
  EXPECT_EQ(info->serial_hex, leaf.issued.serial_hex);
  EXPECT_LE(leaf.issued.serial_hex.size(), 32u);
  EXPECT_NE(leaf.issued.serial_hex.front(), '0');
  EXPECT_EQ(leaf.issued.serial_hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(info->subject, "CN=auth.app.incus,OU=me@host,O=mkcert development certificate");
  EXPECT_EQ(info->issuer, root_->subject());
  EXPECT_EQ(info->not_before, spec.not_before);
  EXPECT_EQ(info->not_after, spec.not_after);
  EXPECT_FALSE(info->is_ca);
}

TEST_F(X509Test, LeafNamesComeFromTheSpecNotTheCsr) {
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  auto csr = ParseCsr(CsrFor(*key, {"evil.example.com", "10.0.0.1"}));
  ASSERT_TRUE(csr.ok());
  auto issued = SignLeaf(*root_, *csr, Spec({"auth.app.incus"}));
  ASSERT_TRUE(issued.ok());
  auto info = InspectCert(issued->cert_pem);
  EXPECT_THAT(info->dns_names, ElementsAre("auth.app.incus"));
  EXPECT_EQ(info->subject, "OU=me@host,O=mkcert development certificate");  // no CN unless asked
  EXPECT_FALSE(VerifyLeaf(issued->cert_pem, root_->cert_pem(), "evil.example.com", kNow + kDay).ok());
}

TEST_F(X509Test, KeyUsageFollowsTheKeyAndClientFlag) {
  Leaf rsa = Sign(KeyKind::kRsa, Spec({"a.incus"}));
  X509Ptr rsa_cert = Cert(rsa.issued.cert_pem);
  EXPECT_EQ(X509_get_key_usage(rsa_cert.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  EXPECT_EQ(X509_get_extended_key_usage(rsa_cert.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_NE(X509_get0_authority_key_id(rsa_cert.get()), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(rsa_cert.get()),
                                  X509_get0_subject_key_id(root_->cert())),
            0);
  EXPECT_NE(X509_get0_subject_key_id(rsa_cert.get()), nullptr);
  EXPECT_EQ(X509_get_version(rsa_cert.get()), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(rsa_cert.get()), NID_sha256WithRSAEncryption);

  LeafSpec spec = Spec({"a.incus"});
  spec.client = true;
  Leaf ec = Sign(KeyKind::kEcdsaP256, spec);
  X509Ptr ec_cert = Cert(ec.issued.cert_pem);
  EXPECT_EQ(X509_get_key_usage(ec_cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(ec_cert.get()),
            static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXPECT_TRUE(VerifyLeaf(ec.issued.cert_pem, root_->cert_pem(), "a.incus", kNow + kDay).ok());
}

TEST_F(X509Test, SignLeafRefusesBadSpecs) {
  auto key = GenerateKey(KeyKind::kEcdsaP256);
  auto csr = ParseCsr(CsrFor(*key, {"a.incus"}));
  ASSERT_TRUE(csr.ok());
  EXPECT_THAT(ErrorOf(SignLeaf(*root_, *csr, Spec({}))), HasSubstr("at least one DNS name"));
  EXPECT_THAT(ErrorOf(SignLeaf(*root_, *csr, Spec({"a.incus", ""}))), HasSubstr("DNS name 2 is empty"));
  EXPECT_THAT(ErrorOf(SignLeaf(*root_, *csr, Spec({std::string(254, 'a')}))), HasSubstr("the limit is 253"));
  EXPECT_TRUE(SignLeaf(*root_, *csr, Spec({std::string(253, 'a')})).ok());
  LeafSpec backwards = Spec({"a.incus"});
  backwards.not_after = backwards.not_before - 1;
  EXPECT_THAT(ErrorOf(SignLeaf(*root_, *csr, backwards)), HasSubstr("before it starts"));
  Csr empty;
  EXPECT_THAT(ErrorOf(SignLeaf(*root_, empty, Spec({"a.incus"}))), HasSubstr("no public key"));
  EXPECT_THAT(ErrorOf(SignLeaf(CaRoot(), *csr, Spec({"a.incus"}))), HasSubstr("not loaded"));
}

TEST_F(X509Test, SerialsAreFresh) {
  Leaf a = Sign(KeyKind::kEcdsaP256, Spec({"a.incus"}));
  Leaf b = Sign(KeyKind::kEcdsaP256, Spec({"a.incus"}));
  EXPECT_NE(a.issued.serial_hex, b.issued.serial_hex);
}

TEST_F(X509Test, KeyMatchesCert) {
  Leaf leaf = Sign(KeyKind::kEcdsaP256, Spec({"a.incus"}));
  EXPECT_TRUE(*KeyMatchesCert(leaf.key_pem, leaf.issued.cert_pem));
  EXPECT_FALSE(*KeyMatchesCert(*GenerateKey(KeyKind::kEcdsaP256), leaf.issued.cert_pem));
  EXPECT_FALSE(*KeyMatchesCert(root_files_->key_pem, leaf.issued.cert_pem));  // other type too
  EXPECT_TRUE(*KeyMatchesCert(root_files_->key_pem, root_files_->cert_pem));
  EXPECT_FALSE(KeyMatchesCert("junk", leaf.issued.cert_pem).ok());
  EXPECT_FALSE(KeyMatchesCert(leaf.key_pem, "junk").ok());
}

TEST_F(X509Test, InspectRefusesGarbage) {
  EXPECT_THAT(ErrorOf(InspectCert("")), HasSubstr("no readable certificate"));
}

// ---- PKCS#12 -------------------------------------------------------------

TEST_F(X509Test, Pkcs12ParsesBack) {
  LeafSpec spec = Spec({"auth.app.incus"});
  spec.common_name = "auth.app.incus";
  Leaf leaf = Sign(KeyKind::kRsa, spec);
  auto p12 = MakePkcs12(leaf.issued.cert_pem, leaf.key_pem, root_->cert_pem(), "changeit");
  ASSERT_TRUE(p12.ok()) << p12.error().message;

  const auto* p = reinterpret_cast<const unsigned char*>(p12->data());
  PKCS12* bundle = d2i_PKCS12(nullptr, &p, static_cast<long>(p12->size()));
  ASSERT_NE(bundle, nullptr);
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  EXPECT_EQ(PKCS12_parse(bundle, "wrong", &key, &cert, &ca), 0);
  ASSERT_EQ(PKCS12_parse(bundle, "changeit", &key, &cert, &ca), 1);
  EXPECT_EQ(X509_cmp(cert, Cert(leaf.issued.cert_pem).get()), 0);
  EXPECT_EQ(EVP_PKEY_eq(key, Key(leaf.key_pem).get()), 1);
  ASSERT_NE(ca, nullptr);
  ASSERT_EQ(sk_X509_num(ca), 1);
  EXPECT_EQ(X509_cmp(sk_X509_value(ca, 0), root_->cert()), 0);
  sk_X509_pop_free(ca, X509_free);
  X509_free(cert);
  EVP_PKEY_free(key);
  PKCS12_free(bundle);
}

TEST_F(X509Test, Pkcs12RefusesAForeignKey) {
  Leaf leaf = Sign(KeyKind::kEcdsaP256, Spec({"a.incus"}));
  auto p12 =
      MakePkcs12(leaf.issued.cert_pem, *GenerateKey(KeyKind::kEcdsaP256), root_->cert_pem(), "changeit");
  EXPECT_THAT(ErrorOf(p12), HasSubstr("does not belong"));
}

}  // namespace
}  // namespace forest::trust
