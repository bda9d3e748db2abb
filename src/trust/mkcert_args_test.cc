#include "trust/mkcert_args.h"

#include <gtest/gtest.h>

namespace forest::trust {
namespace {

using Args = std::vector<std::string>;

TEST(ParseMkcertArgs, GoFlagSpellings) {
  auto p = ParseMkcertArgs({"-cert-file", "c.pem", "--key-file=k.pem", "-ecdsa", "--client=true", "a.incus", "b.incus"});
  ASSERT_FALSE(p.error) << p.error->message;
  EXPECT_EQ(p.args.cert_file, "c.pem");
  EXPECT_EQ(p.args.key_file, "k.pem");
  EXPECT_TRUE(p.args.ecdsa);
  EXPECT_TRUE(p.args.client);
  EXPECT_EQ(p.args.names, (Args{"a.incus", "b.incus"}));
}

TEST(ParseMkcertArgs, FlagsEndAtTheFirstName) {
  auto p = ParseMkcertArgs({"-install", "a.incus", "-ecdsa"});
  ASSERT_FALSE(p.error);
  EXPECT_TRUE(p.args.install);
  EXPECT_FALSE(p.args.ecdsa);
  EXPECT_EQ(p.args.names, (Args{"a.incus", "-ecdsa"}));
  auto dd = ParseMkcertArgs({"--", "-x.incus"});
  ASSERT_FALSE(dd.error);
  EXPECT_EQ(dd.args.names, (Args{"-x.incus"}));
}

TEST(ParseMkcertArgs, UnknownFlagsFailLikeGo) {
  auto p = ParseMkcertArgs({"-instal"});
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->exit_code, 2);
  EXPECT_EQ(p.error->message.rfind("flag provided but not defined: -instal\n", 0), 0u) << p.error->message;
  auto missing = ParseMkcertArgs({"-cert-file"});
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->message.rfind("flag needs an argument: -cert-file", 0), 0u);
  auto badbool = ParseMkcertArgs({"-ecdsa=maybe"});
  ASSERT_TRUE(badbool.error);
  EXPECT_EQ(badbool.error->exit_code, 2);
  EXPECT_TRUE(ParseMkcertArgs({"---x"}).error);
}

TEST(ParseMkcertArgs, MkcertsOwnCombinationChecks) {
  auto both = ParseMkcertArgs({"-install", "-CAROOT"});
  ASSERT_TRUE(both.error);
  EXPECT_EQ(both.error->exit_code, 1);
  EXPECT_EQ(both.error->message, "ERROR: you can't set -[un]install and -CAROOT at the same time\n");
  EXPECT_TRUE(ParseMkcertArgs({"-install", "-uninstall"}).error);
  EXPECT_TRUE(ParseMkcertArgs({"-csr", "x.csr", "-ecdsa"}).error);
  EXPECT_TRUE(ParseMkcertArgs({"-csr", "x.csr", "a.incus"}).error);
  EXPECT_FALSE(ParseMkcertArgs({"-csr", "x.csr", "-cert-file", "c.pem"}).error);
  EXPECT_FALSE(ParseMkcertArgs({"-CAROOT"}).error);
}

TEST(MkcertDefaultFiles, NamesLikeMkcert) {
  auto one = MkcertDefaultFiles({"auth.app.incus"}, false);
  EXPECT_EQ(one.cert, "./auth.app.incus.pem");
  EXPECT_EQ(one.key, "./auth.app.incus-key.pem");
  EXPECT_EQ(one.p12, "./auth.app.incus.p12");
  auto five = MkcertDefaultFiles({"example.com", "b", "c", "d", "e"}, false);
  EXPECT_EQ(five.cert, "./example.com+4.pem");
  EXPECT_EQ(five.key, "./example.com+4-key.pem");
  EXPECT_EQ(MkcertDefaultFiles({"*.app.incus"}, false).cert, "./_wildcard.app.incus.pem");
  EXPECT_EQ(MkcertDefaultFiles({"::1"}, false).cert, "./__1.pem");
  EXPECT_EQ(MkcertDefaultFiles({"a.incus"}, true).key, "./a.incus-client-key.pem");
}

}  // namespace
}  // namespace forest::trust
