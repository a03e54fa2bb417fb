// Every user-visible issue text, in TrueNAS (pydantic v2) wording.
#include <gtest/gtest.h>

#include "schema/messages.hpp"
#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

TEST(SchemaMessages, TypeMismatchUsesPydanticWording) {
  EXPECT_EQ(message(R"({"type":"integer"})", R"("1")"), "Input should be a valid integer");
  EXPECT_EQ(message(R"({"type":"string"})", "1"), "Input should be a valid string");
  EXPECT_EQ(message(R"({"type":"boolean"})", "0"), "Input should be a valid boolean");
  EXPECT_EQ(message(R"({"type":"number"})", R"("1.5")"), "Input should be a valid number");
  EXPECT_EQ(message(R"({"type":"object"})", "[]"), "Input should be a valid dictionary");
  EXPECT_EQ(message(R"({"type":"array"})", "{}"), "Input should be a valid list");
  EXPECT_EQ(message(R"({"type":"null"})", "false"), "Input should be None");
}

TEST(SchemaMessages, NullableTypeReportsTheOtherType) {
  EXPECT_EQ(message(R"({"type":["string","null"]})", "5"), "Input should be a valid string");
  EXPECT_EQ(message(R"({"type":["null","integer"]})", "true"), "Input should be a valid integer");
  EXPECT_TRUE(check(R"({"type":["string","null"]})", "null").empty());
}

TEST(SchemaMessages, SeveralTypesAreJoinedWithOr) {
  EXPECT_EQ(message(R"({"type":["integer","string"]})", "[]"),
            "Input should be a valid integer or Input should be a valid string");
}

TEST(SchemaMessages, NumericBoundsPrintLimitsAsJsonDoes) {
  EXPECT_EQ(message(R"({"minimum":20})", "19"), "Input should be greater than or equal to 20");
  EXPECT_EQ(message(R"({"minimum":20.0})", "19"), "Input should be greater than or equal to 20");
  EXPECT_EQ(message(R"({"maximum":300})", "301"), "Input should be less than or equal to 300");
  EXPECT_EQ(message(R"({"exclusiveMinimum":0.5})", "0.5"), "Input should be greater than 0.5");
  EXPECT_EQ(message(R"({"exclusiveMaximum":10})", "10"), "Input should be less than 10");
  EXPECT_EQ(message(R"({"multipleOf":4})", "6"), "Input should be a multiple of 4");
  EXPECT_EQ(message(R"({"multipleOf":0.5})", "0.75"), "Input should be a multiple of 0.5");
  EXPECT_TRUE(check(R"({"minimum":20,"maximum":300})", "20").empty());
  EXPECT_TRUE(check(R"({"multipleOf":0.0001})", "0.0075").empty());
}

TEST(SchemaMessages, StringLengthsUseSingularForOne) {
  EXPECT_EQ(message(R"({"minLength":1})", R"("")"), "String should have at least 1 character");
  EXPECT_EQ(message(R"({"minLength":3})", R"("ab")"), "String should have at least 3 characters");
  EXPECT_EQ(message(R"({"maxLength":1})", R"("ab")"), "String should have at most 1 character");
  EXPECT_EQ(message(R"({"maxLength":1024})", "\"" + std::string(1025, 'x') + "\""),
            "String should have at most 1024 characters");
}

TEST(SchemaMessages, StringLengthCountsCodePointsNotBytes) {
  EXPECT_TRUE(check(R"({"maxLength":2})", "\"\xc3\xa9\xc3\xa9\"").empty());
  EXPECT_EQ(message(R"({"minLength":2})", "\"\xf0\x9f\x92\xa9\""), "String should have at least 2 characters");
}

TEST(SchemaMessages, EnumListsChoicesLikePydantic) {
  EXPECT_EQ(message(R"({"enum":["UEFI_CSM","UEFI"]})", R"("BIOS")"), "Input should be 'UEFI_CSM' or 'UEFI'");
  EXPECT_EQ(message(R"({"enum":["A","B","C"]})", R"("D")"), "Input should be 'A', 'B' or 'C'");
  EXPECT_EQ(message(R"({"enum":["A"]})", R"("D")"), "Input should be 'A'");
  EXPECT_EQ(message(R"({"enum":[1,null,true,"x"]})", "2"), "Input should be 1, null, true or 'x'");
}

TEST(SchemaMessages, ConstUsesTheSameRendering) {
  EXPECT_EQ(message(R"({"const":"DISK"})", R"("CDROM")"), "Input should be 'DISK'");
  EXPECT_EQ(message(R"({"const":5})", "6"), "Input should be 5");
}

TEST(SchemaMessages, PatternQuotesTheSource) {
  EXPECT_EQ(message(R"({"pattern":"^[^{}]*$"})", R"("a{b")"), "String should match pattern '^[^{}]*$'");
  EXPECT_TRUE(check(R"({"pattern":"b+"})", R"("abbc")").empty());  // unanchored search
}

TEST(SchemaMessages, ListLengthsSayAfterValidationNot) {
  EXPECT_EQ(message(R"({"minItems":2})", "[1]"), "List should have at least 2 items after validation, not 1");
  EXPECT_EQ(message(R"({"minItems":1})", "[]"), "List should have at least 1 item after validation, not 0");
  EXPECT_EQ(message(R"({"maxItems":1})", "[1,2,3]"), "List should have at most 1 item after validation, not 3");
}

TEST(SchemaMessages, RequiredIsReportedAtTheMissingProperty) {
  auto issues =
      check(R"({"type":"object","properties":{"memory":{"type":"integer"}},"required":["memory","name"]})", "{}");
  Found expected{{"memory", "Field required"}, {"name", "Field required"}};
  EXPECT_EQ(issues, expected);
}

TEST(SchemaMessages, AdditionalPropertiesFalseIsReportedAtTheExtraProperty) {
  auto issues = check(R"({"properties":{"a":{}},"additionalProperties":false})", R"({"a":1,"zz":2,"yy":3})");
  Found expected{{"zz", "Extra inputs are not permitted"}, {"yy", "Extra inputs are not permitted"}};
  EXPECT_EQ(issues, expected);
}

TEST(SchemaMessages, AnyOfJoinsBranchMessagesWithOrDeduplicated) {
  EXPECT_EQ(message(R"({"anyOf":[{"type":"integer"},{"type":"string"},{"type":"integer","minimum":3}]})", "[]"),
            "Input should be a valid integer or Input should be a valid string");
  EXPECT_EQ(message(R"({"oneOf":[{"type":"string","maxLength":2},{"type":"integer"}]})", R"("abc")"),
            "String should have at most 2 characters or Input should be a valid integer");
}

TEST(SchemaMessages, AnyOfWithNullBranchReportsOnlyTheOtherBranch) {
  EXPECT_EQ(message(R"({"anyOf":[{"type":"string"},{"type":"null"}]})", "1"), "Input should be a valid string");
}

TEST(SchemaMessages, AnyOfObjectBranchReportsItsOwnIssues) {
  auto issues = check(
      R"({"anyOf":[{"type":"null"},{"type":"object","properties":{"port":{"type":"integer"}},"required":["port"]}]})",
      R"({"port":"x"})");
  Found expected{{"port", "Input should be a valid integer"}};
  EXPECT_EQ(issues, expected);
}

TEST(SchemaMessages, OtherKeywordsHaveClearMessages) {
  EXPECT_EQ(message(R"({"uniqueItems":true})", "[1,2,1]"), "List should have unique items (item 2 equals item 0)");
  EXPECT_EQ(message(R"({"not":{"type":"string"}})", R"("x")"), "Input should not match the excluded schema");
  EXPECT_EQ(message(R"({"contains":{"const":3}})", "[1]"), "List should contain at least one item matching the schema");
  EXPECT_EQ(message(R"({"minProperties":2})", R"({"a":1})"),
            "Dictionary should have at least 2 items after validation, not 1");
  EXPECT_EQ(message(R"({"maxProperties":0})", R"({"a":1})"),
            "Dictionary should have at most 0 items after validation, not 1");
  EXPECT_EQ(message("false", "1"), "No value is allowed here");
  EXPECT_EQ(message(R"({"oneOf":[{"type":"integer"},{"minimum":0}]})", "1"),
            "Input should match exactly one of the allowed schemas, but matched 2");
  auto names = check(R"({"propertyNames":{"maxLength":2}})", R"({"abc":1})");
  Found expected_names{{"abc", "Invalid property name 'abc': String should have at most 2 characters"}};
  EXPECT_EQ(names, expected_names);
  auto deps = check(R"({"dependencies":{"a":["b"]}})", R"({"a":1})");
  Found expected_deps{{"b", "Field required when 'a' is present"}};
  EXPECT_EQ(deps, expected_deps);
  auto cond = check(R"({"if":{"type":"integer"},"then":{"minimum":5},"else":{"type":"string"}})", "3");
  Found expected_cond{{"", "Input should be greater than or equal to 5"}};
  EXPECT_EQ(cond, expected_cond);
  EXPECT_EQ(message(R"({"if":{"type":"integer"},"then":{"minimum":5},"else":{"type":"string"}})", "null"),
            "Input should be a valid string");
  EXPECT_EQ(message(R"({"items":[{}],"additionalItems":false})", "[1,2]"),
            "List should have at most 1 item after validation, not 2");
}

TEST(SchemaMessages, AllIssuesAreCollectedInDocumentOrder) {
  auto issues = check(R"({"type":"object","properties":{
      "a":{"type":"integer"},"b":{"type":"string","minLength":2,"pattern":"^x"},
      "c":{"type":"array","items":{"type":"integer"}}},
    "required":["a","b","c","d"],"additionalProperties":false})",
                      R"({"zz":1,"c":[1,"two",3,"four"],"b":"y"})");
  Found expected{{"a", "Field required"},
                 {"b", "String should have at least 2 characters"},
                 {"b", "String should match pattern '^x'"},
                 {"c.1", "Input should be a valid integer"},
                 {"c.3", "Input should be a valid integer"},
                 {"zz", "Extra inputs are not permitted"},
                 {"d", "Field required"}};
  EXPECT_EQ(issues, expected);
}

TEST(SchemaMessages, ErrorMessageReplacesInnerIssues) {
  const char* schema = R"({"properties":{"mac":{"type":"string","pattern":"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$",
    "errorMessage":"Assertion failed, MAC address must be a colon-separated hexadecimal value (e.g. 00:a0:99:7e:bb:8a)."}}})";
  auto issues = check(schema, R"({"mac":"00-a0"})");
  Found expected{
      {"mac", "Assertion failed, MAC address must be a colon-separated hexadecimal value (e.g. 00:a0:99:7e:bb:8a)."}};
  EXPECT_EQ(issues, expected);
  EXPECT_EQ(check(schema, R"({"mac":5})"), expected);
  EXPECT_TRUE(check(schema, R"({"mac":"00:a0:99:7e:bb:8a"})").empty());
}

TEST(SchemaMessages, RenderNumberAvoidsExponentForms) {
  EXPECT_EQ(messages::render_number(json::value(20.0)), "20");
  EXPECT_EQ(messages::render_number(json::value(-3)), "-3");
  EXPECT_EQ(messages::render_number(json::value(0.1)), "0.1");
  EXPECT_EQ(messages::render_number(json::value(18446744073709551615ULL)), "18446744073709551615");
  EXPECT_EQ(messages::too_many_arguments(2, 3), "Too many arguments (expected 2, found 3)");
}

TEST(SchemaIntegers, StrictModeRejectsFloatWhereIntegerExpected) {
  EXPECT_EQ(message(R"({"type":"integer"})", "1.0", true), "Input should be a valid integer");
  EXPECT_EQ(message(R"({"type":"integer"})", "1e2", true), "Input should be a valid integer");
  EXPECT_EQ(message(R"({"type":"integer"})", R"("1")", true), "Input should be a valid integer");
  EXPECT_EQ(message(R"({"type":"boolean"})", "1", true), "Input should be a valid boolean");
  EXPECT_TRUE(check(R"({"type":"number"})", "1.5", true).empty());
  EXPECT_TRUE(check(R"({"type":"number"})", "1", true).empty());
}

TEST(SchemaIntegers, SpecModeAcceptsIntegralFloats) {
  EXPECT_TRUE(check(R"({"type":"integer"})", "1.0", false).empty());
  EXPECT_EQ(message(R"({"type":"integer"})", "1.5", false), "Input should be a valid integer");
  EXPECT_TRUE(check(R"({"enum":[1]})", "1.0", false).empty());
}

TEST(SchemaIntegers, StrictModeKeepsDoublesApartFromIntegersInEnum) {
  EXPECT_EQ(message(R"({"enum":[1,2]})", "1.0", true), "Input should be 1 or 2");
}

TEST(SchemaIntegers, HugeIntegersCompareExactly) {
  EXPECT_EQ(message(R"({"maximum":9223372036854775807})", "18446744073709551615"),
            "Input should be less than or equal to 9223372036854775807");
  EXPECT_TRUE(check(R"({"minimum":-9223372036854775808})", "-9223372036854775808").empty());
}

}  // namespace
}  // namespace mw::schema::test
