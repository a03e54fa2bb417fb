// $ref across documents, $id base changes and JSON-pointer fragments.
#include <gtest/gtest.h>

#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

TEST(SchemaReferences, RelativeRefResolvesAcrossMethodSchemaFiles) {
  SchemaSet set(CompileOptions{.strict_integers = true});
  set.add_document(method_schema_uri("common/query.json"), parse(R"({"definitions":{
      "filters":{"type":"array","items":{"type":"array"}}}})"));
  auto schema = set.compile_document(method_schema_uri("vm/query.params.json"),
                                     parse(R"({"$ref":"../common/query.json#/definitions/filters"})"));
  EXPECT_TRUE(schema.is_valid(parse(R"([["id","=",1]])")));
  Found expected{{"0", "Input should be a valid list"}};
  EXPECT_EQ(found(schema.validate(parse("[5]"))), expected);
  EXPECT_EQ(method_schema_uri("vm/create.params.json"), "mw:///vm/create.params.json");
}

TEST(SchemaReferences, CompileByUriWithFragment) {
  SchemaSet set;
  set.add_document("mw:///defs.json", parse(R"({"definitions":{"port":{"type":"integer","minimum":1}}})"));
  auto port = set.compile("mw:///defs.json#/definitions/port");
  EXPECT_TRUE(port.is_valid(json::value(5)));
  EXPECT_FALSE(port.is_valid(json::value(0)));
}

TEST(SchemaReferences, PointerFragmentsHonourTildeAndPercentEscapes) {
  auto schema = compile(R"({"definitions":{"a/b":{"type":"integer"},"c~d":{"type":"string"},"e%f":{"type":"boolean"}},
      "properties":{"x":{"$ref":"#/definitions/a~1b"},"y":{"$ref":"#/definitions/c~0d"},"z":{"$ref":"#/definitions/e%25f"}}})");
  EXPECT_TRUE(schema.is_valid(parse(R"({"x":1,"y":"s","z":true})")));
  Found expected{{"x", "Input should be a valid integer"},
                 {"y", "Input should be a valid string"},
                 {"z", "Input should be a valid boolean"}};
  EXPECT_EQ(found(schema.validate(parse(R"({"x":"1","y":1,"z":1})"))), expected);
}

TEST(SchemaReferences, IdChangesTheBaseForNestedRefs) {
  SchemaSet set;
  set.add_document("http://example.test/folder/int.json", parse(R"({"type":"integer"})"));
  auto schema = set.compile_document("mw:///root.json", parse(R"({"$id":"http://example.test/",
      "items":{"$id":"folder/","items":{"$ref":"int.json"}}})"));
  EXPECT_TRUE(schema.is_valid(parse("[[1]]")));
  EXPECT_FALSE(schema.is_valid(parse(R"([["a"]])")));
}

TEST(SchemaReferences, PlainNameIdIsAnAnchor) {
  auto schema = compile(R"({"definitions":{"x":{"$id":"#thing","type":"null"}},"$ref":"#thing"})");
  EXPECT_TRUE(schema.is_valid(json::value(nullptr)));
  EXPECT_FALSE(schema.is_valid(json::value(1)));
}

TEST(SchemaReferences, RecursiveSchemaValidatesNestedData) {
  auto schema = compile(R"({"type":"object","properties":{"child":{"$ref":"#"},"v":{"type":"integer"}}})");
  Found expected{{"child.child.v", "Input should be a valid integer"}};
  EXPECT_EQ(found(schema.validate(parse(R"({"child":{"child":{"v":"x"}}})"))), expected);
}

TEST(SchemaReferences, MetaSchemaIsAvailableOffline) {
  auto schema = compile(R"({"$ref":"http://json-schema.org/draft-07/schema#"})", false);
  EXPECT_TRUE(schema.is_valid(parse(R"({"type":"string","minLength":1})")));
  EXPECT_FALSE(schema.is_valid(parse(R"({"minLength":-1})")));
}

TEST(SchemaReferences, LoaderProvidesUnknownDocuments) {
  SchemaSet set;
  int calls = 0;
  set.set_loader([&](const std::string& uri) -> std::optional<json::value> {
    ++calls;
    if (uri == "mw:///lazy.json") return parse(R"({"type":"string"})");
    return std::nullopt;
  });
  auto schema = set.compile_document("mw:///main.json", parse(R"({"items":{"$ref":"lazy.json"}})"));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(set.has_document("mw:///lazy.json"));
  EXPECT_FALSE(schema.is_valid(parse("[1]")));
}

TEST(SchemaReferences, CompiledSchemaOutlivesItsSet) {
  CompiledSchema kept;
  {
    SchemaSet set;
    kept = set.compile_document("mw:///a.json", parse(R"({"type":"integer"})"));
  }
  EXPECT_TRUE(kept.is_valid(json::value(3)));
  EXPECT_FALSE(kept.is_valid(json::value("3")));
}

}  // namespace
}  // namespace mw::schema::test
