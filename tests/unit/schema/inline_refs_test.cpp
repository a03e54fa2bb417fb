// Schemas written out whole for core.get_methods: references across files and within one are
// replaced by their targets, siblings of $ref win, and a recursive schema stops at the limit.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "schema/inline_refs.hpp"

namespace mw::schema {
namespace {

namespace json = boost::json;

TEST(InlineRefs, FollowsRelativeReferencesAcrossFilesKeepingSiblings) {
  SchemaDocuments docs;
  docs["common/query.json"] = json::parse(R"({"definitions": {"filters": {"title": "filters", "type": "array"},
                                                                "wrapped": {"$ref": "#/definitions/filters"}}})");
  docs["vm/query.params.json"] = json::parse(R"({"items": [{"$ref": "../common/query.json#/definitions/wrapped",
                                                             "description": "mine"}]})");
  auto out = inline_refs(docs["vm/query.params.json"], "vm/query.params.json", docs);
  EXPECT_EQ(out, json::parse(R"({"items": [{"title": "filters", "type": "array", "description": "mine"}]})"));
}

TEST(InlineRefs, LeavesUnresolvableAndTooDeepReferences) {
  SchemaDocuments docs;
  docs["a.json"] = json::parse(R"({"definitions": {"node": {"type": "object",
                                   "properties": {"next": {"$ref": "#/definitions/node"}}}},
                                   "properties": {"root": {"$ref": "#/definitions/node"},
                                                  "lost": {"$ref": "missing.json#/x"}}})");
  auto out = inline_refs(docs["a.json"], "a.json", docs, 2);
  EXPECT_EQ(out.at("properties").at("lost"), json::parse(R"({"$ref": "missing.json#/x"})"));
  const auto& second = out.at("properties").at("root").at("properties").at("next");
  EXPECT_EQ(second.at("properties").at("next"), json::parse(R"({"$ref": "#/definitions/node"})"));
}

}  // namespace
}  // namespace mw::schema
