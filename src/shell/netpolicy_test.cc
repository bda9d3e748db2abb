#include "shell/netpolicy.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace forest::shell {
namespace {

Plumbing TestPlumbing() {
  Plumbing p;
  p.host_ipv4 = "10.203.32.1";
  p.host_ipv6 = "fd00:5e11::1";
  p.helper_ipv6 = "fd00:5e11::53";
  p.dns_upstreams = {"2620:fe::fe", "9.9.9.9"};
  return p;
}

JailNet Jail(std::string name, NetMode mode, std::string ipv4, std::vector<std::string> ipv6) {
  JailNet j;
  j.name = std::move(name);
  j.mode = mode;
  j.ipv4 = std::move(ipv4);
  j.ipv6 = std::move(ipv6);
  return j;
}

std::vector<JailNet> ThreeJails() {
  JailNet b = Jail("b-x", NetMode::kAllowlist, "10.203.32.3", {"fd00:5e00:2::/48", "fd00:5e11:0:1::3"});
  b.allow4 = {"198.51.100.10", "198.51.100.0/24", "1.2.3.4", "1.2.3.4"};
  b.allow6 = {"2001:db8::/32", "2001:db8:1::1"};
  return {Jail("a", NetMode::kRestricted, "10.203.32.2", {"fd00:5e00:1::/48"}), b,
          Jail("c", NetMode::kOpen, "10.203.32.4", {"fd00:5e00:3::/48"})};
}

// The block that starts with `head` (a line of the text) up to its closing
// tab-indented brace.
std::string Block(const std::string& text, const std::string& head) {
  size_t start = text.find(head);
  if (start == std::string::npos) return "";
  size_t end = text.find("\n\t}\n", start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end + 4 - start);
}

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(NetPolicy, ReplacesTheTableAtomically) {
  std::string t = RenderTable("forest-shell", TestPlumbing(), ThreeJails());
  // Comments first, then create (so delete cannot fail), delete, define.
  size_t create = t.find("\ntable inet forest-shell {}\n");
  size_t del = t.find("\ndelete table inet forest-shell\n");
  size_t define = t.find("\ntable inet forest-shell {\n");
  ASSERT_NE(create, std::string::npos) << t;
  EXPECT_LT(create, del);
  EXPECT_LT(del, define);
  std::istringstream head(t.substr(0, create));
  for (std::string line; std::getline(head, line);)
    EXPECT_EQ(line.substr(0, 2), "# ") << "only comments first";
  EXPECT_TRUE(t.ends_with("\t}\n}\n"));
}

TEST(NetPolicy, BaseChainsJudgeOnlyJailSources) {
  std::string t = RenderTable("forest-shell", TestPlumbing(), ThreeJails());
  std::string fwd = Block(t, "\tchain forward {");
  EXPECT_TRUE(Has(fwd, "type filter hook forward priority filter; policy accept;")) << fwd;
  // Established/related first, then one dispatch per jail and family.
  EXPECT_TRUE(Has(
      fwd, "policy accept;\n\t\tct state established,related accept\n\t\tip saddr 10.203.32.2 goto jail_a\n"))
      << fwd;
  EXPECT_TRUE(Has(fwd, "ip6 saddr @jail_a_src6 goto jail_a\n"));
  EXPECT_TRUE(Has(fwd, "ip saddr 10.203.32.3 goto jail_b_x\n"));
  EXPECT_TRUE(Has(fwd, "ip6 saddr @jail_b_x_src6 goto jail_b_x\n"));
  EXPECT_EQ(std::count(fwd.begin(), fwd.end(), '\n'), 10) << "nothing else in forward:\n" << fwd;

  std::string in = Block(t, "\tchain input {");
  EXPECT_TRUE(Has(in,
                  "type filter hook input priority filter; policy accept;\n"
                  "\t\tct state established,related accept\n"
                  "\t\tip saddr @jails4 goto jail_to_host\n"
                  "\t\tip6 saddr @jails6 goto jail_to_host\n\t}\n"))
      << in;
  std::string host = Block(t, "\tchain jail_to_host {");
  EXPECT_TRUE(Has(host, "jump jail_common\n"));
  EXPECT_TRUE(Has(host, "goto deny\n\t}\n")) << "everything else to the host is rejected:\n" << host;
}

TEST(NetPolicy, SetsHoldEveryJailsSources) {
  std::string t = RenderTable("forest-shell", TestPlumbing(), ThreeJails());
  std::string s4 = Block(t, "\tset jails4 {");
  EXPECT_TRUE(Has(s4, "flags interval"));
  EXPECT_TRUE(Has(s4, "10.203.32.2,\n\t\t\t10.203.32.3,\n\t\t\t10.203.32.4\n")) << s4;
  std::string s6 = Block(t, "\tset jails6 {");
  EXPECT_TRUE(Has(
      s6, "fd00:5e00:1::/48,\n\t\t\tfd00:5e00:2::/48,\n\t\t\tfd00:5e00:3::/48,\n\t\t\tfd00:5e11:0:1::3\n"))
      << s6;
  std::string b6 = Block(t, "\tset jail_b_x_src6 {");
  EXPECT_TRUE(Has(b6, "type ipv6_addr\n\t\tflags interval\n"));
  EXPECT_TRUE(Has(b6, "fd00:5e00:2::/48,\n\t\t\tfd00:5e11:0:1::3\n")) << b6;
}

TEST(NetPolicy, EveryModeRejectsOtherJailsAndAllowsPlumbing) {
  std::string t = RenderTable("forest-shell", TestPlumbing(), ThreeJails());
  std::string common = Block(t, "\tchain jail_common {");
  // East-west first, before anything that accepts.
  EXPECT_TRUE(Has(common, "{\n\t\tip daddr @jails4 goto deny\n\t\tip6 daddr @jails6 goto deny\n")) << common;
  EXPECT_TRUE(Has(common,
                  "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, "
                  "parameter-problem, nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
                  "nd-neighbor-advert } accept"));
  EXPECT_TRUE(Has(common, "icmp type { destination-unreachable, time-exceeded, parameter-problem } accept"));
  EXPECT_TRUE(Has(common, "ip daddr @plumbing_dns4 meta l4proto { tcp, udp } th dport 53 accept"));
  EXPECT_TRUE(Has(common, "ip6 daddr @plumbing_dns6 meta l4proto { tcp, udp } th dport 53 accept"));
  EXPECT_TRUE(Has(common, "ip6 daddr fd00:5e11::53 tcp dport 8053 accept"));
  EXPECT_TRUE(Has(common, "ip6 daddr fd00:5e11::1 tcp dport 8443 accept"));
  EXPECT_TRUE(Has(common, "ip daddr @plumbing_echo4 icmp type echo-request accept"));
  EXPECT_TRUE(Has(Block(t, "\tset plumbing_dns4 {"), "9.9.9.9,\n\t\t\t10.203.32.1\n"));
  EXPECT_TRUE(Has(Block(t, "\tset plumbing_dns6 {"), "2620:fe::fe,\n\t\t\tfd00:5e11::53\n"));
  EXPECT_TRUE(
      Has(Block(t, "\tset plumbing_echo6 {"), "2620:fe::fe,\n\t\t\tfd00:5e11::1,\n\t\t\tfd00:5e11::53\n"));
  for (const char* chain : {"\tchain jail_a {", "\tchain jail_b_x {", "\tchain jail_c {"}) {
    EXPECT_TRUE(Has(Block(t, chain), std::string(chain) + "\n\t\tjump jail_common\n")) << chain;
  }
  std::string deny = Block(t, "\tchain deny {");
  EXPECT_TRUE(Has(deny, "meta l4proto tcp reject with tcp reset\n\t\treject with icmpx admin-prohibited\n"));
}

TEST(NetPolicy, RestrictedRejectsPrivateRanges) {
  std::string t = RenderTable("forest-shell", TestPlumbing(), ThreeJails());
  std::string a = Block(t, "\tchain jail_a {");
  EXPECT_TRUE(
      Has(a, "ip daddr @restricted4 goto deny\n\t\tip6 daddr @restricted6 goto deny\n\t\taccept\n\t}"))
      << a;
  std::string r4 = Block(t, "\tset restricted4 {");
  for (const char* p :
       {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"}) {
    EXPECT_TRUE(Has(r4, std::string("\t") + p)) << p;
  }
  std::string r6 = Block(t, "\tset restricted6 {");
  for (const char* p : {"\t::,", "\t::1,", "::ffff:0.0.0.0/96", "fc00::/7", "fe80::/10", "ff00::/8"}) {
    EXPECT_TRUE(Has(r6, p)) << p << "\n" << r6;
  }
}

TEST(NetPolicy, AllowlistPassesOnlyItsList) {
  std::string t = RenderTable("forest-shell", TestPlumbing(), ThreeJails());
  std::string b = Block(t, "\tchain jail_b_x {");
  EXPECT_TRUE(
      Has(b, "ip daddr @jail_b_x_allow4 accept\n\t\tip6 daddr @jail_b_x_allow6 accept\n\t\tgoto deny\n\t}"))
      << b;
  // Sorted, duplicates and contained entries merged (nft refuses overlaps).
  std::string a4 = Block(t, "\tset jail_b_x_allow4 {");
  EXPECT_TRUE(Has(a4, "elements = {\n\t\t\t1.2.3.4,\n\t\t\t198.51.100.0/24\n\t\t}")) << a4;
  std::string a6 = Block(t, "\tset jail_b_x_allow6 {");
  EXPECT_TRUE(Has(a6, "elements = {\n\t\t\t2001:db8::/32\n\t\t}")) << a6;
  // Other modes have no allow sets.
  EXPECT_FALSE(Has(t, "jail_a_allow4"));
  EXPECT_FALSE(Has(t, "jail_c_allow4"));
}

TEST(NetPolicy, AllowlistEmptyMeansOnlyPlumbing) {
  std::vector<JailNet> jails = {Jail("a", NetMode::kAllowlist, "10.203.32.2", {"fd00:5e00:1::/48"})};
  std::string t = RenderTable("forest-shell", TestPlumbing(), jails);
  std::string a4 = Block(t, "\tset jail_a_allow4 {");
  EXPECT_EQ(a4, "\tset jail_a_allow4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n");
  EXPECT_TRUE(Has(Block(t, "\tchain jail_a {"),
                  "jump jail_common\n\t\tip daddr @jail_a_allow4 accept\n"
                  "\t\tip6 daddr @jail_a_allow6 accept\n\t\tgoto deny\n"));
}

TEST(NetPolicy, OpenStillRejectsOtherJails) {
  std::string t = RenderTable("forest-shell", TestPlumbing(), ThreeJails());
  EXPECT_EQ(Block(t, "\tchain jail_c {"), "\tchain jail_c {\n\t\tjump jail_common\n\t\taccept\n\t}\n");
  EXPECT_TRUE(Has(t, "\t# jail c: open\n\tchain jail_c {"));
}

TEST(NetPolicy, OutputIsDeterministic) {
  std::vector<JailNet> jails = ThreeJails();
  std::string t = RenderTable("forest-shell", TestPlumbing(), jails);
  std::reverse(jails.begin(), jails.end());
  std::reverse(jails[1].allow4.begin(), jails[1].allow4.end());
  Plumbing p = TestPlumbing();
  std::reverse(p.dns_upstreams.begin(), p.dns_upstreams.end());
  EXPECT_EQ(RenderTable("forest-shell", p, jails), t);
  // Jails appear sorted by name.
  EXPECT_LT(t.find("chain jail_a {"), t.find("chain jail_b_x {"));
  EXPECT_LT(t.find("chain jail_b_x {"), t.find("chain jail_c {"));
}

TEST(NetPolicy, ImagePullsGoWhereIncusListens) {
  // Another forest set core.https_address to its bridge: the jails pull there.
  Plumbing p = TestPlumbing();
  p.incus_ipv6 = "fd00:f00d::1";
  p.incus_port = 9443;
  std::string common = Block(RenderTable("forest-shell", p, ThreeJails()), "\tchain jail_common {");
  EXPECT_TRUE(Has(common, "ip6 daddr fd00:f00d::1 tcp dport 9443 accept")) << common;
  EXPECT_FALSE(Has(common, "dport 8443"));
  p.incus_port = 0;
  EXPECT_TRUE(Has(RenderTable("forest-shell", p, ThreeJails()), "incus_port: 0 is out of range"));
}

TEST(NetPolicy, NoJailsJudgesNothing) {
  std::string t = RenderTable("forest-shell", TestPlumbing(), {});
  EXPECT_EQ(Block(t, "\tset jails4 {"), "\tset jails4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n");
  EXPECT_TRUE(Has(t, "ct state established,related accept\n\t}\n"));
}

TEST(NetPolicy, AbsentPlumbingLeavesNoRule) {
  Plumbing p;
  p.host_ipv4 = "10.203.32.1";
  std::string t = RenderTable("forest-shell", p, ThreeJails());
  EXPECT_FALSE(Has(t, "dport 8053"));
  EXPECT_FALSE(Has(t, "dport 8443"));
  EXPECT_EQ(Block(t, "\tset plumbing_dns6 {"),
            "\tset plumbing_dns6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n");
}

// Invalid input renders text nft -f refuses as a whole, so the table loaded
// before stays; the failing line says why.
void ExpectRefused(const std::string& table, const Plumbing& p, const std::vector<JailNet>& jails,
                   const std::string& why) {
  std::string t = RenderTable(table, p, jails);
  EXPECT_TRUE(Has(t, "\nforest-invalid-input \"")) << t;
  EXPECT_TRUE(Has(t, why)) << t;
  EXPECT_FALSE(Has(t, "table inet")) << t;
}

TEST(NetPolicyInvalid, RefusesBadInput) {
  Plumbing p = TestPlumbing();
  auto jails = ThreeJails();
  ExpectRefused("bad name;", p, jails, "table name 'bad name;'");
  ExpectRefused("", p, jails, "table name");
  auto j = jails;
  j[0].ipv4 = "10.203.32.0/24";
  ExpectRefused("t", p, j, "jail a: ipv4: '10.203.32.0/24' is not one IPv4 address");
  j = jails;
  j[0].ipv6.push_back("fd00::1/64");
  ExpectRefused("t", p, j, "jail a: ipv6[1]: 'fd00::1/64' has host bits set");
  j = jails;
  j[1].allow4.push_back("1.2.3.4; drop");
  ExpectRefused("t", p, j, "jail b-x: allow4[4]");
  j = jails;
  j[0].name = "A\"}";
  ExpectRefused("t", p, j, "jail name: ");
  j = jails;
  j[2].name = "a";
  ExpectRefused("t", p, j, "jail a is listed twice");
  j = jails;
  j[2].ipv4 = "10.203.32.2";
  ExpectRefused("t", p, j, "jails a and c share ipv4 10.203.32.2");
  j = jails;
  j[2].ipv6 = {"fd00:5e00::/32"};
  ExpectRefused("t", p, j, "jails a and c overlap in ipv6");
  j = jails;
  j[0].ipv4 = "";
  j[0].ipv6 = {};
  ExpectRefused("t", p, j, "jail a: has no source address");
  Plumbing q = p;
  q.dns_upstreams.push_back("dns.example");
  ExpectRefused("t", q, jails, "dns_upstreams: 'dns.example'");
  q = p;
  q.helper_ipv6 = "10.0.0.1";
  ExpectRefused("t", q, jails, "helper_ipv6");
}

TEST(NetPolicyInvalid, RefusalQuotesNothingRaw) {
  auto jails = ThreeJails();
  jails[0].ipv4 = "1\"\n}\ndelete table inet x";
  std::string t = RenderTable("t", TestPlumbing(), jails);
  EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 2) << t;
  EXPECT_EQ(std::count(t.begin(), t.end(), '"'), 2) << t;
}

// nft -c parses and checks the text against the kernel without changing
// anything; it needs CAP_NET_ADMIN.
TEST(NetPolicyNft, KernelAcceptsEveryMode) {
  if (geteuid() != 0) GTEST_SKIP() << "nft -c needs root";
  const char* nft = nullptr;
  for (const char* c : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"}) {
    if (access(c, X_OK) == 0) nft = c;
  }
  if (!nft) GTEST_SKIP() << "nft is not installed";
  auto check = [&](const std::string& text) {
    char path[] = "/tmp/forest-netpolicy-XXXXXX";
    int fd = mkstemp(path);
    EXPECT_GE(fd, 0);
    close(fd);
    std::string cmd = std::string(nft) + " -c -f - >" + path + " 2>&1";
    FILE* f = popen(cmd.c_str(), "w");
    EXPECT_NE(f, nullptr);
    fwrite(text.data(), 1, text.size(), f);
    int status = pclose(f);
    std::ifstream in(path);
    std::stringstream msg;
    msg << in.rdbuf();
    unlink(path);
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, msg.str());
  };
  auto ok = [&](const std::vector<JailNet>& jails) {
    auto [code, msg] = check(RenderTable("forest-np-check", TestPlumbing(), jails));
    EXPECT_EQ(code, 0) << msg;
  };
  ok(ThreeJails());
  ok({});
  ok({Jail("a", NetMode::kAllowlist, "10.203.32.2", {"fd00:5e00:1::/48"})});
  ok({Jail("a", NetMode::kOpen, "", {"fd00:5e00:1::/48"})});
  ok({Jail("a", NetMode::kRestricted, "10.203.32.2", {})});
  Plumbing none;
  auto [code, msg] = check(RenderTable("forest-np-check", none, ThreeJails()));
  EXPECT_EQ(code, 0) << msg;
  // A refusal is refused.
  auto bad = ThreeJails();
  bad[0].ipv4 = "nope";
  auto [bad_code, bad_msg] = check(RenderTable("forest-np-check", TestPlumbing(), bad));
  EXPECT_NE(bad_code, 0);
  EXPECT_TRUE(Has(bad_msg, "jail a: ipv4")) << bad_msg;
}

}  // namespace
}  // namespace forest::shell
