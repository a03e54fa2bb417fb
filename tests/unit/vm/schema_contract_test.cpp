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

TEST_F(SchemaContractTest, DeviceAttributeModelsMatchTheSchemas) {
  auto defs = read_json(kSchemas / "vm" / "common.json").as_object().at("definitions").as_object();
  for (const auto& dtype : device_types()) {
    const auto& props = defs.at("attributes_" + dtype).as_object().at("properties").as_object();
    // The typed attributes have the schema's fields, and their initialisers its defaults.
    const json::object model = to_json(*default_attributes(dtype));
    EXPECT_EQ(props.size(), model.size()) << dtype;
    for (const auto& [name, value] : model) {
      ASSERT_TRUE(props.contains(name)) << dtype << "." << name;
      const auto& p = props.at(name).as_object();
      if (p.contains("default")) {
        EXPECT_EQ(p.at("default"), value) << dtype << "." << name;
      }
    }
  }
}

}  // namespace
}  // namespace mw::vm::testing
