// The schema files are the contract: every registered method has both, every schema file has a
// method, and the create defaults there match the ones the plugin applies.
#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

#include "plugin_fixture.hpp"
#include "device/device_kind.hpp"
#include "vm_fields.hpp"

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
  for (const auto& f : vm_fields()) {
    ASSERT_TRUE(props.contains(f.name)) << f.name;
    const auto& p = props.at(f.name).as_object();
    if (f.name == "name" || f.name == "memory") {
      EXPECT_FALSE(p.contains("default")) << f.name;
    } else {
      ASSERT_TRUE(p.contains("default")) << f.name;
      EXPECT_EQ(p.at("default"), f.create_default) << f.name;
    }
  }
  EXPECT_EQ(props.size(), vm_fields().size());
}

TEST_F(SchemaContractTest, DeviceAttributeDocsMatchTheModels) {
  auto defs = read_json(kSchemas / "vm" / "common.json").as_object().at("definitions").as_object();
  for (const auto& dtype : device_types()) {
    const auto& props = defs.at("attributes_" + dtype).as_object().at("properties").as_object();
    const auto& fields = device_kind(dtype)->fields();
    EXPECT_EQ(props.size(), fields.size() + 1) << dtype;  // + dtype
    for (const auto& f : fields) {
      ASSERT_TRUE(props.contains(f.name)) << dtype << "." << f.name;
      const auto& p = props.at(f.name).as_object();
      if (p.contains("default")) {
        EXPECT_EQ(p.at("default"), f.default_value) << dtype << "." << f.name;
      }
      if (!f.literals.empty()) {
        json::array literals(f.literals.begin(), f.literals.end());
        if (f.nullable) literals.insert(literals.begin(), nullptr);
        EXPECT_EQ(p.at("enum"), literals) << dtype << "." << f.name;
      }
    }
  }
}

}  // namespace
}  // namespace mw::vm::testing
