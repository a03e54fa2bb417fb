// MethodSchema: positional params, TrueNAS attributes, defaults for trailing arguments.
#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "schema/method_schema.hpp"
#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

constexpr const char* kCreateParams = R"({
  "type":"array",
  "items":[
    {"title":"vm_create","type":"object","properties":{
       "name":{"type":"string","minLength":1},
       "memory":{"type":"integer","minimum":20},
       "bootloader":{"enum":["UEFI_CSM","UEFI"],"default":"UEFI"},
       "devices":{"type":"array","items":{"type":"object","properties":{"order":{"type":"integer"}}},"default":[]}},
     "required":["name","memory"],"additionalProperties":false},
    {"title":"options","type":"object","default":{},"properties":{
       "limit":{"type":"integer","minimum":0,"default":0}},"additionalProperties":false}
  ],
  "additionalItems":false,
  "minItems":1})";

struct Fixture {
  SchemaSet set{CompileOptions{.strict_integers = true}};
  MethodSchema method;
  Fixture() : method(set.compile_document("mw:///vm/create.params.json", parse(kCreateParams))) {}
};

std::vector<std::pair<std::string, std::string>> attributes(const ValidationErrors& errors) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : errors.errors()) {
    EXPECT_EQ(e.errnum, 22);
    out.emplace_back(e.attribute.value_or("<None>"), e.message);
  }
  return out;
}

TEST(MethodSchema, MissingRequiredFieldIsPrefixedWithArgumentTitle) {
  Fixture f;
  json::array params = parse(R"([{"name":"vm1"}])").as_array();
  Found expected{{"vm_create.memory", "Field required"}};
  EXPECT_EQ(attributes(f.method.validate_params(params)), expected);
}

TEST(MethodSchema, TooManyArgumentsIsReportedWithEmptyAttribute) {
  Fixture f;
  json::array params = parse(R"([{"name":"vm1","memory":512},{},3])").as_array();
  Found expected{{"", "Too many arguments (expected 2, found 3)"}};
  EXPECT_EQ(attributes(f.method.validate_params(params)), expected);
}

TEST(MethodSchema, MissingRequiredArgumentIsFieldRequiredAtItsTitle) {
  Fixture f;
  json::array params;
  Found expected{{"vm_create", "Field required"}};
  EXPECT_EQ(attributes(f.method.validate_params(params)), expected);
}

TEST(MethodSchema, TrailingDefaultsAndNestedDefaultsAreFilled) {
  Fixture f;
  json::array params = parse(R"([{"name":"vm1","memory":512}])").as_array();
  EXPECT_TRUE(f.method.validate_params(params).empty());
  EXPECT_EQ(json::value(params),
            parse(R"([{"name":"vm1","memory":512,"bootloader":"UEFI","devices":[]},{"limit":0}])"));
}

TEST(MethodSchema, NestedPathsUseDotsAndIndexes) {
  Fixture f;
  json::array params =
      parse(R"([{"name":"","memory":1.5,"devices":[{"order":1},{"order":"x"}]},{"limit":-1,"x":1}])").as_array();
  Found expected{{"vm_create.name", "String should have at least 1 character"},
                 {"vm_create.memory", "Input should be a valid integer"},
                 {"vm_create.devices.1.order", "Input should be a valid integer"},
                 {"options.limit", "Input should be greater than or equal to 0"},
                 {"options.x", "Extra inputs are not permitted"}};
  EXPECT_EQ(attributes(f.method.validate_params(params)), expected);
}

TEST(MethodSchema, ExposesArgumentsAndRawSchemas) {
  Fixture f;
  EXPECT_EQ(f.method.arg_count(), 2u);
  EXPECT_EQ(f.method.required_arg_count(), 1u);
  EXPECT_EQ(f.method.arg_names(), (std::vector<std::string>{"vm_create", "options"}));
  EXPECT_EQ(f.method.params_schema(), parse(kCreateParams));
  EXPECT_EQ(f.method.result_schema(), nullptr);
}

TEST(MethodSchema, TitleAndDefaultMayLiveBehindARef) {
  SchemaSet set(CompileOptions{.strict_integers = true});
  set.add_document("mw:///common/query.json", parse(R"({"definitions":{
      "filters":{"title":"filters","type":"array","default":[]},
      "options":{"title":"options","type":"object","default":{},"properties":{"limit":{"type":"integer"}}}}})"));
  MethodSchema method(set.compile_document("mw:///vm/query.params.json", parse(R"({"type":"array",
      "items":[{"$ref":"../common/query.json#/definitions/filters"},
               {"$ref":"../common/query.json#/definitions/options"}],"additionalItems":false})")));
  json::array params = parse(R"([[], {"limit":"1"}])").as_array();
  Found expected{{"options.limit", "Input should be a valid integer"}};
  EXPECT_EQ(attributes(method.validate_params(params)), expected);
  json::array none;
  EXPECT_TRUE(method.validate_params(none).empty());
  EXPECT_EQ(json::value(none), parse("[[],{}]"));
  json::array bad_filters = parse("[5]").as_array();
  Found expected_filters{{"filters", "Input should be a valid list"}};
  EXPECT_EQ(attributes(method.validate_params(bad_filters)), expected_filters);
}

TEST(MethodSchema, ArgumentWithDefaultAfterAMissingOneIsNotRequired) {
  SchemaSet set(CompileOptions{.strict_integers = true});
  MethodSchema method(set.compile_document("mw:///vm/x.params.json", parse(R"({"type":"array",
      "items":[{"title":"id","type":"integer"},{"title":"options","default":{}},{"title":"extra","type":"string"}],
      "additionalItems":false,"minItems":3})")));
  json::array params;
  Found expected{{"id", "Field required"}, {"extra", "Field required"}};
  EXPECT_EQ(attributes(method.validate_params(params)), expected);
}

TEST(MethodSchema, ResultIsCheckedWithoutDefaults) {
  SchemaSet set(CompileOptions{.strict_integers = true});
  auto params = set.compile_document("mw:///core/ping.params.json",
                                     parse(R"({"type":"array","items":[],"additionalItems":false})"));
  auto result = set.compile_document("mw:///core/ping.result.json", parse(R"({"type":"string","const":"pong"})"));
  MethodSchema method(params, result);
  EXPECT_TRUE(method.validate_result(json::value("pong")).empty());
  auto issues = method.validate_result(json::value(1));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].message, "Input should be a valid string");
  ASSERT_NE(method.result_schema(), nullptr);
  EXPECT_EQ(method.arg_count(), 0u);
  json::array extra = parse("[1]").as_array();
  Found expected{{"", "Too many arguments (expected 0, found 1)"}};
  EXPECT_EQ(attributes(method.validate_params(extra)), expected);
}

TEST(MethodSchema, NonPositionalParamsSchemaIsRejected) {
  SchemaSet set;
  try {
    MethodSchema method(set.compile_document("mw:///x.params.json", parse(R"({"type":"array"})")));
    FAIL() << "accepted";
  } catch (const SchemaError& e) {
    EXPECT_STREQ(e.what(),
                 "mw:///x.params.json#: a method params schema needs `items` as an array of argument schemas");
  }
}

// A vm.create-sized call (about 25 properties). Prints the cost for the report; the assertion
// only guards against pathological slowness (sanitizer builds are slow).
TEST(MethodSchema, ValidatesARealisticVmCreateQuickly) {
  SchemaSet set(CompileOptions{.strict_integers = true});
  auto compiled = set.compile_document("mw:///vm/create.params.json", parse(R"({
    "type":"array","minItems":1,"additionalItems":false,
    "items":[{"title":"vm_create","type":"object","additionalProperties":false,"required":["name","memory"],
      "properties":{
        "name":{"type":"string","minLength":1,"maxLength":1024,"pattern":"^[a-zA-Z_0-9]+$"},
        "description":{"type":"string","default":""},
        "vcpus":{"type":"integer","minimum":1,"default":1},
        "cores":{"type":"integer","minimum":1,"default":1},
        "threads":{"type":"integer","minimum":1,"default":1},
        "cpuset":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null},
        "nodeset":{"anyOf":[{"type":"string"},{"type":"null"}],"default":null},
        "enable_cpu_topology_extension":{"type":"boolean","default":false},
        "pin_vcpus":{"type":"boolean","default":false},
        "suspend_on_snapshot":{"type":"boolean","default":false},
        "trusted_platform_module":{"type":"boolean","default":false},
        "memory":{"type":"integer","minimum":20},
        "min_memory":{"type":["integer","null"],"minimum":20,"default":null},
        "hyperv_enlightenments":{"type":"boolean","default":false},
        "bootloader":{"enum":["UEFI_CSM","UEFI"],"default":"UEFI"},
        "bootloader_ovmf":{"type":"string","default":"OVMF_CODE.fd"},
        "autostart":{"type":"boolean","default":true},
        "hide_from_msr":{"type":"boolean","default":false},
        "ensure_display_device":{"type":"boolean","default":true},
        "time":{"enum":["LOCAL","UTC"],"default":"LOCAL"},
        "shutdown_timeout":{"type":"integer","minimum":5,"maximum":300,"default":90},
        "arch_type":{"type":["string","null"],"default":null},
        "machine_type":{"type":["string","null"],"default":null},
        "uuid":{"type":["string","null"],"default":null},
        "command_line_args":{"type":"string","default":""},
        "cpu_mode":{"enum":["CUSTOM","HOST-MODEL","HOST-PASSTHROUGH"],"default":"CUSTOM"},
        "cpu_model":{"type":["string","null"],"default":null},
        "enable_secure_boot":{"type":"boolean","default":false}}}]})"));
  MethodSchema method(compiled);
  const json::array call = parse(R"([{"name":"vm1","memory":2048,"vcpus":2,"cores":2,"threads":1,
      "bootloader":"UEFI","time":"UTC","cpu_mode":"HOST-PASSTHROUGH","cpuset":null,"min_memory":1024,
      "shutdown_timeout":60,"autostart":false,"description":"test vm","arch_type":null,
      "machine_type":null,"hyperv_enlightenments":true}])")
                               .as_array();
  constexpr int kRounds = 20000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) {
    json::array params = call;
    auto errors = method.validate_params(params);
    ASSERT_TRUE(errors.empty());
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  auto copy_start = std::chrono::steady_clock::now();
  std::size_t sizes = 0;
  for (int i = 0; i < kRounds; ++i) {
    json::array params = call;
    sizes += params.size();
  }
  auto copy_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - copy_start).count();
  EXPECT_EQ(sizes, static_cast<std::size_t>(kRounds));
  std::cout << "validate_params(vm.create): " << ns / kRounds << " ns/call including a params copy of "
            << copy_ns / kRounds << " ns" << std::endl;
  EXPECT_LT(ns / kRounds, 1'000'000);
}

}  // namespace
}  // namespace mw::schema::test
