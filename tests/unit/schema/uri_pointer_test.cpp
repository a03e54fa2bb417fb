// URI resolution and JSON pointers.
#include <gtest/gtest.h>

#include "schema/issue.hpp"
#include "schema/json_pointer.hpp"
#include "schema/uri.hpp"

namespace mw::schema {
namespace {

TEST(SchemaUri, ResolvesRelativeReferencesPerRfc3986) {
  EXPECT_EQ(resolve_uri("mw:///vm/query.params.json", "../common/query.json#/definitions/filters"),
            "mw:///common/query.json#/definitions/filters");
  EXPECT_EQ(resolve_uri("mw:///vm/a.json", "#/x"), "mw:///vm/a.json#/x");
  EXPECT_EQ(resolve_uri("mw:///vm/a.json", "b.json"), "mw:///vm/b.json");
  EXPECT_EQ(resolve_uri("http://localhost:1234/", "folder/"), "http://localhost:1234/folder/");
  EXPECT_EQ(resolve_uri("http://localhost:1234/folder/", "folderInteger.json"),
            "http://localhost:1234/folder/folderInteger.json");
  EXPECT_EQ(resolve_uri("http://a/b/c/d;p?q", "../../g"), "http://a/g");
  EXPECT_EQ(resolve_uri("http://a/b/c/d;p?q", "//g"), "http://g");
  EXPECT_EQ(resolve_uri("http://a/b/c/d;p?q", "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(resolve_uri("http://a/b/c/d;p?q", "g/./h/../i"), "http://a/b/c/g/i");
  EXPECT_EQ(resolve_uri("mw:///a.json", "urn:x:y"), "urn:x:y");
}

TEST(SchemaUri, SplitsFragments) {
  auto parts = split_fragment("mw:///a.json#/b");
  EXPECT_EQ(parts.without_fragment, "mw:///a.json");
  EXPECT_EQ(parts.fragment, "/b");
  EXPECT_TRUE(parts.has_fragment);
  EXPECT_FALSE(split_fragment("mw:///a.json").has_fragment);
  EXPECT_TRUE(has_scheme("mw:///a"));
  EXPECT_FALSE(has_scheme("a/b.json"));
}

TEST(SchemaPointer, ParsesAndEscapesTokens) {
  auto tokens = parse_pointer("/a~1b/c~0d/");
  ASSERT_TRUE(tokens);
  EXPECT_EQ(*tokens, (std::vector<std::string>{"a/b", "c~d", ""}));
  EXPECT_FALSE(parse_pointer("a"));
  EXPECT_FALSE(parse_pointer("/a~2"));
  EXPECT_EQ(escape_pointer_token("a/b~c"), "a~1b~0c");
}

TEST(SchemaPointer, StepsIntoObjectsAndArrays) {
  json::value doc = json::object{{"a", json::array{1, 2}}};
  EXPECT_EQ(*step_into(doc, "a"), (json::value(json::array{1, 2})));
  EXPECT_EQ(*step_into(doc.at("a"), "1"), json::value(2));
  EXPECT_EQ(step_into(doc.at("a"), "01"), nullptr);
  EXPECT_EQ(step_into(doc.at("a"), "2"), nullptr);
  EXPECT_EQ(step_into(doc, "b"), nullptr);
}

TEST(SchemaIssue, RendersPointerDottedAndLoc) {
  Issue issue{{PathItem{std::string("attributes")}, PathItem{std::string("DISPLAY"), true},
               PathItem{std::string("a/b")}, PathItem{std::size_t{0}}},
              "m"};
  EXPECT_EQ(issue.pointer(), "/attributes/a~1b/0");
  EXPECT_EQ(issue.dotted(), "attributes.DISPLAY.a/b.0");
  EXPECT_EQ(json::value(issue.loc()), (json::value(json::array{"attributes", "DISPLAY", "a/b", 0})));
  EXPECT_EQ(Issue{}.pointer(), "");
}

}  // namespace
}  // namespace mw::schema
