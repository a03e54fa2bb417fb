// SchemaError: what() names the document URI and the JSON pointer of the offending place.
#include <gtest/gtest.h>

#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

std::string compile_error(std::string_view uri, std::string_view text) {
  SchemaSet set;
  try {
    set.compile_document(uri, parse(text));
  } catch (const SchemaError& e) {
    return e.what();
  }
  return "<compiled>";
}

TEST(SchemaCompileErrors, UnresolvableRefNamesFileAndPointer) {
  EXPECT_EQ(compile_error("mw:///vm/create.params.json", R"({"items":[{"properties":{"a":{"$ref":"../nope.json"}}}]})"),
            "mw:///vm/create.params.json#/items/0/properties/a/$ref: cannot resolve $ref 'mw:///nope.json'");
}

TEST(SchemaCompileErrors, MissingPointerTargetIsReported) {
  EXPECT_EQ(compile_error("mw:///a.json", R"({"$ref":"#/definitions/missing"})"),
            "mw:///a.json#/$ref: cannot resolve $ref 'mw:///a.json#/definitions/missing': no such location");
}

TEST(SchemaCompileErrors, InvalidRegexNamesThePatternLocation) {
  std::string what = compile_error("mw:///r.json", R"({"properties":{"x":{"pattern":"^(abc"}}})");
  EXPECT_EQ(what.rfind("mw:///r.json#/properties/x/pattern: invalid regular expression", 0), 0u) << what;
  what = compile_error("mw:///r.json", R"({"patternProperties":{"a/(":{}}})");
  EXPECT_EQ(what.rfind("mw:///r.json#/patternProperties/a~1(: invalid regular expression", 0), 0u) << what;
}

TEST(SchemaCompileErrors, BadKeywordValuesAreRejected) {
  EXPECT_EQ(compile_error("mw:///k.json", R"({"type":"int"})"), "mw:///k.json#/type: unknown type 'int'");
  EXPECT_EQ(compile_error("mw:///k.json", R"({"type":[]})"), "mw:///k.json#/type: type must name at least one type");
  EXPECT_EQ(compile_error("mw:///k.json", R"({"minLength":-1})"),
            "mw:///k.json#/minLength: minLength must be a non-negative integer");
  EXPECT_EQ(compile_error("mw:///k.json", R"({"properties":{"a":5}})"),
            "mw:///k.json#/properties/a: a schema must be an object or a boolean");
  EXPECT_EQ(compile_error("mw:///k.json", R"({"required":[1]})"),
            "mw:///k.json#/required: required must be an array of strings");
  EXPECT_EQ(compile_error("mw:///k.json", R"({"multipleOf":0})"),
            "mw:///k.json#/multipleOf: multipleOf must be greater than 0");
  EXPECT_EQ(compile_error("mw:///k.json", R"({"anyOf":[]})"),
            "mw:///k.json#/anyOf: anyOf must be a non-empty array of schemas");
  EXPECT_EQ(compile_error("mw:///k.json", R"({"errorMessage":1})"),
            "mw:///k.json#/errorMessage: errorMessage must be a string");
}

TEST(SchemaCompileErrors, BrokenDefinitionIsFoundEvenWhenUnused) {
  EXPECT_EQ(compile_error("mw:///d.json", R"({"definitions":{"x":{"maxItems":"3"}}})"),
            "mw:///d.json#/definitions/x/maxItems: maxItems must be a non-negative integer");
}

TEST(SchemaCompileErrors, ErrorInReferencedDocumentNamesThatDocument) {
  SchemaSet set;
  set.add_document("mw:///common/bad.json", parse(R"({"definitions":{"x":{"type":7}}})"));
  try {
    set.compile_document("mw:///vm/a.json", parse(R"({"$ref":"../common/bad.json#/definitions/x"})"));
    FAIL() << "compiled";
  } catch (const SchemaError& e) {
    EXPECT_EQ(e.document_uri(), "mw:///common/bad.json");
    EXPECT_EQ(e.pointer(), "/definitions/x/type");
  }
}

TEST(SchemaCompileErrors, CircularRefIsRejected) {
  EXPECT_EQ(
      compile_error(
          "mw:///c.json",
          R"({"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"})"),
      "mw:///c.json#/definitions/a/$ref: circular $ref");
}

TEST(SchemaCompileErrors, DocumentRulesAreEnforced) {
  SchemaSet set;
  set.add_document("mw:///once.json", parse("{}"));
  EXPECT_THROW(set.add_document("mw:///once.json", parse("{}")), SchemaError);
  EXPECT_THROW(set.add_document("relative.json", parse("{}")), SchemaError);
  EXPECT_THROW(set.compile("mw:///never-added.json"), SchemaError);
  EXPECT_THROW(set.add_document("mw:///dup.json", parse(R"({"definitions":{"a":{"$id":"mw:///once.json"}}})")),
               SchemaError);
  EXPECT_FALSE(set.has_document("mw:///dup.json"));  // a failed registration leaves nothing behind
  EXPECT_NO_THROW(set.add_document("mw:///dup.json", parse("{}")));
}

}  // namespace
}  // namespace mw::schema::test

namespace mw::schema::test {
namespace {

TEST(SchemaCompileErrors, FailedCompileCanBeRetriedOnceTheMissingDocumentExists) {
  SchemaSet set;
  set.add_document("mw:///a.json", parse(R"({"properties":{"x":{"$ref":"b.json"}}})"));
  EXPECT_THROW(set.compile("mw:///a.json"), SchemaError);
  set.add_document("mw:///b.json", parse(R"({"type":"integer"})"));
  auto schema = set.compile("mw:///a.json");
  EXPECT_FALSE(schema.is_valid(parse(R"({"x":"no"})")));
  EXPECT_TRUE(schema.is_valid(parse(R"({"x":1})")));
}

}  // namespace
}  // namespace mw::schema::test
