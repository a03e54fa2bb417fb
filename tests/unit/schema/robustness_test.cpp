// Hostile schemas and instances end in issues or SchemaErrors, never in crashes or hangs.
// Inputs the fuzzer found live here as regression cases.
#include <gtest/gtest.h>

#include "schema/compile_options.hpp"
#include "schema/ecma_regex.hpp"
#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

json::value nested_arrays(int depth) {
  json::value v = json::array{};
  for (int i = 0; i < depth; ++i) v = json::array{std::move(v)};
  return v;
}

TEST(SchemaRobustness, DeepInstanceNestingBecomesAnIssue) {
  auto schema =
      compile(R"({"$ref":"#/definitions/a","definitions":{"a":{"type":"array","items":{"$ref":"#/definitions/a"}}}})");
  auto issues = schema.validate(nested_arrays(200));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].message, "Input is nested too deeply (limit 64 levels)");
  EXPECT_EQ(issues[0].path.size(), static_cast<std::size_t>(kMaxInstanceDepth) + 1);
  EXPECT_TRUE(schema.validate(nested_arrays(60)).empty());
}

TEST(SchemaRobustness, SchemaRecursionWithoutInstanceProgressIsCut) {
  auto schema = compile(R"({"allOf":[{"$ref":"#"}]})");
  auto issues = schema.validate(json::value(1));
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].message, "Schema recursion is too deep (limit 512 levels)");
  EXPECT_FALSE(schema.is_valid(json::value(1)));
}

TEST(SchemaRobustness, HugeStringIsMatchedAgainstABacktrackingPronePattern) {
  // RE2 runs in time linear in the subject: a megabyte against ^(a|b)*$ is simply matched.
  auto schema = compile(R"({"pattern":"^(a|b)*$"})");
  std::string huge(1 << 20, 'a');
  EXPECT_TRUE(schema.validate(json::value(huge)).empty());
  huge.back() = 'c';
  EXPECT_FALSE(schema.validate(json::value(huge)).empty());
}

TEST(SchemaRobustness, HugeStringWithoutPatternIsFine) {
  auto schema = compile(R"({"type":"string","maxLength":2000000})");
  EXPECT_TRUE(schema.validate(json::value(std::string(1 << 20, 'x'))).empty());
}

TEST(SchemaRobustness, MegabytePatternIsASchemaError) {
  std::string pattern(1 << 20, 'a');
  SchemaSet set;
  json::object schema{{"pattern", pattern}};
  EXPECT_THROW(set.compile_document("mw:///big.json", schema), SchemaError);
  json::object as_key{{"patternProperties", json::object{{pattern, json::object{}}}}};
  EXPECT_THROW(set.compile_document("mw:///big2.json", as_key), SchemaError);
  // As an instance of format "regex" it is simply invalid.
  EXPECT_FALSE(compile(R"({"format":"regex"})").is_valid(json::value(pattern)));
}

TEST(SchemaRobustness, HugeRepeatsAreRefused) {
  EXPECT_TRUE(regex_problem("a{100000}").has_value());
  EXPECT_TRUE(regex_problem("a{2,100000}").has_value());
  EXPECT_FALSE(regex_problem("a{2,1000}").has_value());
  EXPECT_FALSE(regex_problem("[(]{3}").has_value());
}

TEST(SchemaRobustness, WhatRe2CannotRunIsRefusedWithAReason) {
  EXPECT_EQ(regex_problem("(a)\\1"), "back-references are not supported");
  EXPECT_EQ(regex_problem("a(?=b)"), "lookahead and lookbehind are not supported");
  EXPECT_EQ(regex_problem("(?<!a)b"), "lookahead and lookbehind are not supported");
  SchemaSet set;
  EXPECT_THROW(set.compile_document("mw:///backref.json", json::object{{"pattern", "(a)\\1"}}), SchemaError);
}

TEST(SchemaRobustness, EcmaSyntaxIsTranslatedForRe2) {
  EXPECT_TRUE(EcmaRegex("^\\u00e9$").search("\xc3\xa9"));
  EXPECT_TRUE(EcmaRegex("^(?<word>[a-z]+)$").search("abc"));
  EXPECT_TRUE(EcmaRegex("\\cJ").search("a\nb"));
  EXPECT_TRUE(EcmaRegex("^.$").search("\xc3\xa9")) << "a character, not a byte";
}

TEST(SchemaRobustness, DeeplyNestedSchemaIsASchemaError) {
  json::value schema = json::object{};
  for (int i = 0; i < 2000; ++i) schema = json::object{{"not", std::move(schema)}};
  SchemaSet set;
  EXPECT_THROW(set.compile_document("mw:///deep.json", std::move(schema)), SchemaError);
}

TEST(SchemaRobustness, LargeUniqueArrayIsCheckedQuickly) {
  json::array items;
  for (int i = 0; i < 200000; ++i) items.emplace_back(i);
  auto schema = compile(R"({"uniqueItems":true})");
  EXPECT_TRUE(schema.validate(items).empty());
  items.emplace_back(json::object{{"a", 1}});
  items.emplace_back(json::object{{"a", 1}});
  auto issues = schema.validate(items);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].message, "List should have unique items (item 200001 equals item 200000)");
}

TEST(SchemaRobustness, UniqueItemsComparesObjectsIgnoringKeyOrder) {
  EXPECT_EQ(message(R"({"uniqueItems":true})", R"([{"a":1,"b":2},{"b":2,"a":1}])"),
            "List should have unique items (item 1 equals item 0)");
}

}  // namespace
}  // namespace mw::schema::test
