// The command as app.cc's table would add it, parsed from a command line.
#include "cli/idmap_cmd.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "base/files.h"

namespace forest::cli {
namespace {

int RunIdmap(std::vector<std::string> args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  Context ctx{o, e, 0, {}};
  CLI::App app{"forest"};
  AddIdmapCommand(app, ctx);
  args.insert(args.begin(), "forest");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& x) {
    return app.exit(x, o, e);
  }
  *out = o.str();
  *err = e.str();
  return ctx.exit_code;
}

TEST(IdmapCommand, OwnerPrintsTheMapAndAllowsIt) {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/forest-idmap-cmd-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  std::string share = tmpl + "/share";
  std::filesystem::create_directory(share);
  std::string out, err;
  if (geteuid() == 0) {
    ASSERT_EQ(chown(share.c_str(), 1234, 1235), 0);
  }
  int rc = RunIdmap({"idmap", "owner", "--subuid", tmpl + "/subuid", "--subgid", tmpl + "/subgid", share},
                    &out, &err);
  EXPECT_EQ(rc, 0) << err;
  if (geteuid() == 0) {
    EXPECT_EQ(out, "uid 1234 1234\ngid 1235 1235\n");
    EXPECT_EQ(*ReadFile(tmpl + "/subuid"), "root:1234:1\n");
    EXPECT_EQ(*ReadFile(tmpl + "/subgid"), "root:1235:1\n");
    // Root's folders are never mapped: nothing printed, nothing allowed.
    std::filesystem::create_directory(tmpl + "/rootowned");
    rc = RunIdmap(
        {"idmap", "owner", "--subuid", tmpl + "/subuid", "--subgid", tmpl + "/subgid", tmpl + "/rootowned"},
        &out, &err);
    EXPECT_EQ(rc, 0);
    EXPECT_EQ(out, "");
    EXPECT_NE(err.find("is owned by root"), std::string::npos);
    EXPECT_EQ(*ReadFile(tmpl + "/subuid"), "root:1234:1\n");
  } else {
    EXPECT_EQ(out, "uid " + std::to_string(geteuid()) + " " + std::to_string(geteuid()) + "\ngid " +
                       std::to_string(getegid()) + " " + std::to_string(getegid()) + "\n");
  }
  rc = RunIdmap({"idmap", "owner", tmpl + "/missing"}, &out, &err);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("missing"), std::string::npos);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace forest::cli
