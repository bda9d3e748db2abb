#include "render/template.h"

#include <gtest/gtest.h>

namespace forest::render {
namespace {

TEST(Template, ReplacesVariables) {
  auto r = Expand("a={{a}} b={{b_2}}\n", {{"a", "1"}, {"b_2", "two"}}, "t");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "a=1 b=two\n");
}

TEST(Template, UnknownVariableNamesTemplateAndLine) {
  auto r = Expand("x\ny={{missing}}\n", {}, "cloud-init/node.yaml.tmpl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cloud-init/node.yaml.tmpl:2: no value for template variable 'missing'");
}

TEST(Template, UnterminatedAndInvalidNames) {
  EXPECT_FALSE(Expand("{{a", {{"a", "1"}}, "t").ok());
  auto r = Expand("{{A b}}", {}, "t");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("not a variable name"), std::string::npos);
}

TEST(Template, ValuesAreNotReExpanded) {
  auto r = Expand("{{a}}", {{"a", "{{b}}"}}, "t");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "{{b}}");
}

TEST(Template, Indent) {
  EXPECT_EQ(Indent("a\n\nb\n", 2), "  a\n\n  b");
  EXPECT_EQ(Indent("", 4), "");
}

}  // namespace
}  // namespace forest::render
