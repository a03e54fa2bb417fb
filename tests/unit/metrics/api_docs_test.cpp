#include "app/api_docs.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <fstream>

namespace mw::app {
namespace {

const SchemaFiles kSchemas{
    {"common/query.json",
     R"({"definitions": {"filters": {"type": "array", "default": []}, "options": {"type": "object", "default": {}}}})"},
    {"vm/query.params.json",
     R"({"type": "array", "items": [{"$ref": "../common/query.json#/definitions/filters"},
        {"$ref": "../common/query.json#/definitions/options"}], "minItems": 2})"},
};

TEST(ApiDocs, ExampleParamsFollowRefsIntoOtherSchemaFiles) {
  auto schema = json::parse(kSchemas[1].second);
  EXPECT_EQ(example_params(schema, "vm/query.params.json", kSchemas), (json::array{json::array{}, json::object{}}));
}

TEST(ApiDocs, ExampleParamsPreferTheSchemasOwnExample) {
  auto schema = json::parse(R"({"type": "array", "items": [{"type": "integer"}], "minItems": 1, "examples": [[7]]})");
  EXPECT_EQ(example_params(schema, "x/y.params.json", {}), (json::array{7}));
}

TEST(ApiDocs, ExampleParamsBuildRequiredPropertiesFromTypesDefaultsAndEnums) {
  auto schema = json::parse(
      R"({"type": "array", "minItems": 1, "items": [{"type": "object", "required": ["name", "memory", "bootloader", "vcpus"],
      "properties": {"name": {"type": "string"}, "memory": {"type": "integer", "minimum": 20},
                     "bootloader": {"enum": ["UEFI", "UEFI_CSM"]}, "vcpus": {"type": "integer", "default": 1},
                     "optional": {"type": "string"}}}, {"type": "boolean", "default": false}]})");
  EXPECT_EQ(example_params(schema, "vm/create.params.json", {}),
            (json::array{json::object{{"name", "string"}, {"memory", 20}, {"bootloader", "UEFI"}, {"vcpus", 1}}}));
}

TEST(ApiDocs, PrettyJsonIndentsObjectsAndKeepsShortScalarListsInline) {
  EXPECT_EQ(pretty_json(json::parse(R"({"a": [1, 2], "b": {"c": null}, "d": []})")),
            "{\n  \"a\": [1,2],\n  \"b\": {\n    \"c\": null\n  },\n  \"d\": []\n}");
}

TEST(ApiDocs, OnePagePerNamespaceWithRolesJobFlagSchemasAndExample) {
  MethodSpec query{
      .name = "vm.query", .description = "Query virtual machines.", .roles = {"VM_READ"}, .filterable = true};
  MethodSpec convert{
      .name = "vm.device.convert", .description = "Convert a disk.", .roles = {"VM_DEVICE_WRITE"}, .job = true};
  MethodSpec hidden{.name = "vm.secret_thing", .private_method = true};
  MethodSpec echo{.name = "test.echo", .description = "Echo."};
  MethodSpec ping{.name = "core.ping", .description = "Answers pong.", .no_auth = true};
  json::value params = json::parse(kSchemas[1].second), result = json::parse(R"({"type": "array"})");
  std::vector<MethodInfo> infos{{&query, &params, &result},
                                {&convert, &params, &result},
                                {&hidden, &params, &result},
                                {&echo, &params, &result},
                                {&ping, &params, &result}};
  auto pages = render_api_docs(infos, kSchemas, {"test"});
  std::vector<std::string> names;
  for (const auto& p : pages) names.push_back(p.file_name);
  EXPECT_EQ(names, (std::vector<std::string>{"core.md", "vm.md", "vm.device.md", "README.md"}));

  const std::string& vm = pages[1].text;
  EXPECT_NE(vm.find("| [`vm.query`](#vmquery) | `VM_READ` | no | Query virtual machines. |"), std::string::npos) << vm;
  EXPECT_NE(vm.find("## `vm.query`"), std::string::npos);
  EXPECT_NE(vm.find("**Params** (`schemas/vm/query.params.json`)"), std::string::npos);
  EXPECT_NE(vm.find("midclt call vm.query '[]' '{}'"), std::string::npos) << vm;
  EXPECT_EQ(vm.find("secret_thing"), std::string::npos) << "private methods stay out";
  EXPECT_NE(pages[2].text.find("| yes |"), std::string::npos);
  EXPECT_NE(pages[2].text.find("midclt call vm.device.convert -j"), std::string::npos);
  EXPECT_NE(pages[0].text.find("none: callable without logging in"), std::string::npos);
  EXPECT_NE(pages[3].text.find("| [`vm.device`](vm.device.md) | 1 |"), std::string::npos) << pages[3].text;
}

TEST(ApiDocs, WritingRemovesPagesOfNamespacesThatWentAway) {
  ScratchDir dir;
  std::ofstream(dir.path() / "gone.md") << "old";
  std::ofstream(dir.path() / "keep.txt") << "not a page";
  EXPECT_EQ(write_api_docs(dir.path(), {{"vm.md", "# vm\n"}}), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "gone.md"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "keep.txt"));
  std::ifstream in(dir.path() / "vm.md");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "# vm\n");
}

}  // namespace
}  // namespace mw::app
