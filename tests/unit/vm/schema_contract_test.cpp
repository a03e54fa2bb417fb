// The schema files are the contract: every registered method has both, every schema file has a
// method, and the create defaults there match the ones the plugin applies.
#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

#include "device/device_kind.hpp"
#include "model/vm_config.hpp"
#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kSchemas = MW_SOURCE_DIR "/schemas";

json::value read_json(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str());
}

fs::path schema_base(const std::string& method) {
  std::string rel = method;
  std::replace(rel.begin(), rel.end(), '.', '/');
  return kSchemas / rel;
}

class SchemaContractTest : public VmPluginTest {};

TEST_F(SchemaContractTest, EveryMethodHasParamsAndResultSchemas) {
  ASSERT_FALSE(ctx->methods_.empty());
  for (const auto& [name, spec] : ctx->methods_) {
    for (const char* suffix : {".params.json", ".result.json"}) {
      fs::path p = schema_base(name).string() + suffix;
      ASSERT_TRUE(fs::exists(p)) << p;
      EXPECT_NO_THROW(read_json(p)) << p;
    }
    auto params = read_json(schema_base(name).string() + ".params.json").as_object();
    EXPECT_EQ(params.at("type"), "array") << name;
    EXPECT_EQ(params.at("additionalItems"), false) << name;
  }
}

TEST_F(SchemaContractTest, EverySchemaFileBelongsToAMethod) {
  for (const auto& entry : fs::recursive_directory_iterator(kSchemas / "vm")) {
    std::string rel = fs::relative(entry.path(), kSchemas).string();
    for (const std::string suffix : {".params.json", ".result.json"}) {
      if (!rel.ends_with(suffix)) continue;
      std::string method = rel.substr(0, rel.size() - suffix.size());
      std::replace(method.begin(), method.end(), '/', '.');
      EXPECT_TRUE(ctx->methods_.contains(method)) << rel;
    }
  }
}

TEST_F(SchemaContractTest, CreateDefaultsMatchThePlugin) {
  auto item = read_json(kSchemas / "vm" / "create.params.json").as_object().at("items").as_array().at(0).as_object();
  EXPECT_EQ(item.at("title"), "vm_create");
  const auto& props = item.at("properties").as_object();
  // VmConfig's initialisers are vm.create's defaults.
  const json::object defaults = to_json(VmConfig{});
  std::size_t stored = 0;
  VmConfig::fields([&](const std::string& name, auto) {
    ++stored;
    ASSERT_TRUE(props.contains(name)) << name;
    const auto& p = props.at(name).as_object();
    if (name == "name" || name == "memory") {
      EXPECT_FALSE(p.contains("default")) << name;
    } else {
      ASSERT_TRUE(p.contains("default")) << name;
      EXPECT_EQ(p.at("default"), defaults.at(name)) << name;
    }
  });
  EXPECT_EQ(props.size(), stored);
}

// The tagged union the params schemas state has one branch per device kind, in the kinds' order
// (the order the "expected tags" error lists them in).
TEST_F(SchemaContractTest, DeviceAttributesUnionHasABranchPerKind) {
  auto defs = read_json(kSchemas / "vm" / "common.json").as_object().at("definitions").as_object();
  const auto& branches = defs.at("device_attributes").at("then").at("oneOf").as_array();
  std::vector<std::string> tags;
  for (const auto& b : branches) {
    std::string ref(b.at("$ref").as_string());
    tags.push_back(ref.substr(ref.rfind("attributes_") + 11));
  }
  EXPECT_EQ(tags, device_types());
}

// The value a member has when its initialiser restates nothing: null, "", false or 0.
bool is_zero(const json::value& v) {
  return v.is_null() || (v.is_string() && v.as_string().empty()) || (v.is_bool() && !v.as_bool()) ||
         (v.is_int64() && v.as_int64() == 0);
}

// Every field of `model` is a property of the schema; its value is the schema's default (or the
// tag's const), or zero when the schema has none (a struct never invents a default), nested objects included.
void expect_schema_defaults(const json::object& props, const json::object& model, const std::string& where) {
  EXPECT_EQ(props.size(), model.size()) << where;
  for (const auto& [name, value] : model) {
    std::string at = where + "." + std::string(name);
    ASSERT_TRUE(props.contains(name)) << at;
    const auto& p = props.at(name).as_object();
    if (value.is_object() && p.contains("properties")) {
      expect_schema_defaults(p.at("properties").as_object(), value.as_object(), at);
    } else if (p.contains("default") || p.contains("const")) {
      EXPECT_EQ(p.contains("default") ? p.at("default") : p.at("const"), value) << at;
    } else {
      EXPECT_TRUE(is_zero(value)) << at << " restates a default the schema does not have: " << value;
    }
  }
}

// The typed attributes keep member initialisers for what has no params to come from (stored rows
// written before a field existed, typed fixtures); this pins them to the schema's defaults.
TEST_F(SchemaContractTest, DeviceAttributeModelsMatchTheSchemas) {
  auto defs = read_json(kSchemas / "vm" / "common.json").as_object().at("definitions").as_object();
  for (const auto& dtype : device_types()) {
    const auto& props = defs.at("attributes_" + dtype).as_object().at("properties").as_object();
    expect_schema_defaults(props, to_json(*default_attributes(dtype)), dtype);
  }
  // Objects that are null by default, with every member present.
  NicAttributes nic;
  nic.pci_address.emplace();
  expect_schema_defaults(defs.at("attributes_NIC").as_object().at("properties").as_object(),
                         to_json(DeviceAttributes(nic)), "NIC");
  UsbAttributes usb;
  usb.usb.emplace();
  expect_schema_defaults(defs.at("attributes_USB").as_object().at("properties").as_object(),
                         to_json(DeviceAttributes(usb)), "USB");
}

}  // namespace
}  // namespace mw::vm::testing
