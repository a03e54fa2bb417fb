// Filling `default` values into the instance while validating.
#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>

#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

TEST(SchemaDefaults, MissingPropertyGetsDeepCopyOfDefault) {
  auto schema = compile(R"({"type":"object","properties":{
      "cores":{"type":"integer","default":1},
      "opts":{"type":"object","default":{"a":[1,2]}},
      "name":{"type":"string"}}})");
  json::value instance = parse(R"({"name":"x"})");
  EXPECT_TRUE(schema.validate_and_fill(instance).empty());
  EXPECT_EQ(instance, parse(R"({"name":"x","cores":1,"opts":{"a":[1,2]}})"));
  instance.as_object()["opts"].as_object()["a"].as_array().push_back(3);
  EXPECT_EQ(schema.source().at("properties").at("opts").at("default"), parse(R"({"a":[1,2]})"));
}

TEST(SchemaDefaults, PresentPropertyIsNotOverwritten) {
  auto schema = compile(R"({"properties":{"cores":{"default":1}}})");
  json::value instance = parse(R"({"cores":4})");
  schema.validate_and_fill(instance);
  EXPECT_EQ(instance, parse(R"({"cores":4})"));
}

TEST(SchemaDefaults, ValidateDoesNotChangeTheInstance) {
  auto schema = compile(R"({"properties":{"cores":{"default":1}}})");
  json::value instance = parse("{}");
  EXPECT_TRUE(schema.validate(instance).empty());
  EXPECT_EQ(instance, parse("{}"));
}

TEST(SchemaDefaults, FilledValuesAreValidatedToo) {
  auto schema = compile(R"({"properties":{"cores":{"type":"integer","default":"one"}}})");
  json::value instance = parse("{}");
  Found expected{{"cores", "Input should be a valid integer"}};
  EXPECT_EQ(found(schema.validate_and_fill(instance)), expected);
}

TEST(SchemaDefaults, NestedObjectDefaultsAreFilledInsideFilledDefaults) {
  auto schema = compile(R"({"properties":{"display":{"type":"object","default":{},
      "properties":{"port":{"type":"integer","default":5900}}}}})");
  json::value instance = parse("{}");
  EXPECT_TRUE(schema.validate_and_fill(instance).empty());
  EXPECT_EQ(instance, parse(R"({"display":{"port":5900}})"));
}

TEST(SchemaDefaults, DefaultBehindRefIsFound) {
  auto schema = compile(R"({"definitions":{"n":{"type":"integer","default":7}},
      "properties":{"x":{"$ref":"#/definitions/n"}}})");
  json::value instance = parse("{}");
  EXPECT_TRUE(schema.validate_and_fill(instance).empty());
  EXPECT_EQ(instance, parse(R"({"x":7})"));
}

TEST(SchemaDefaults, TupleItemsAppendTrailingDefaultsUntilOneHasNone) {
  auto schema = compile(R"({"type":"array","items":[{"type":"integer"},{"default":"b"},{},{"default":"d"}]})");
  json::value instance = parse("[1]");
  EXPECT_TRUE(schema.validate_and_fill(instance).empty());
  EXPECT_EQ(instance, parse(R"([1,"b"])"));
  json::value empty = parse("[]");
  schema.validate_and_fill(empty);
  EXPECT_EQ(empty, parse("[]"));
}

TEST(SchemaDefaults, DefaultsAreFilledThroughTheMatchingAnyOfBranchOnly) {
  auto schema = compile(R"({"properties":{"x":{"anyOf":[{"type":"null"},
      {"type":"object","properties":{"a":{"default":1}}}]}}})");
  json::value with_object = parse(R"({"x":{}})");
  EXPECT_TRUE(schema.validate_and_fill(with_object).empty());
  EXPECT_EQ(with_object, parse(R"({"x":{"a":1}})"));
  json::value with_null = parse(R"({"x":null})");
  EXPECT_TRUE(schema.validate_and_fill(with_null).empty());
  EXPECT_EQ(with_null, parse(R"({"x":null})"));
}

TEST(SchemaDefaults, FailedBranchesLeaveNoDefaultsBehind) {
  auto schema = compile(R"({"anyOf":[{"properties":{"a":{"default":1}},"required":["b"]},
      {"properties":{"c":{"default":2}}}]})");
  json::value instance = parse("{}");
  EXPECT_TRUE(schema.validate_and_fill(instance).empty());
  EXPECT_EQ(instance, parse(R"({"c":2})"));
}

}  // namespace
}  // namespace mw::schema::test
