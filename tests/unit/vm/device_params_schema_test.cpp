// vm.device.create/update params schemas on their own (no plugin): the attributes of every dtype
// are stated there, so what a client reads from core.get_methods is what the daemon enforces.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <map>

#include "fake_plugin_context.hpp"
#include "schema/method_schema.hpp"
#include "schema/schema_set.hpp"

namespace mw::vm::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Found = std::vector<std::pair<std::string, std::string>>;

const schema::MethodSchema& method(const std::string& file) {
  static std::map<std::string, schema::MethodSchema> compiled;
  auto it = compiled.find(file);
  if (it == compiled.end())
    it = compiled.emplace(file, schema::MethodSchema(schema_files().compile(schema::method_schema_uri(file)))).first;
  return it->second;
}

Found errors_of(const ValidationErrors& errors) {
  Found out;
  for (const auto& e : errors.errors()) out.emplace_back(e.attribute.value_or("None"), e.message);
  return out;
}

// Validates (and fills) vm.device.create's params [create]; `create` becomes the filled argument.
Found create_errors(json::value& create) {
  json::array params{create};
  auto found = errors_of(method("vm/device/create.params.json").validate_params(params));
  create = params.at(0);
  return found;
}

Found create_errors(const std::string& body) {
  json::value v = boost::json::parse(body);
  return create_errors(v);
}

json::object filled_attributes(const std::string& body) {
  json::value v = boost::json::parse(body);
  EXPECT_THAT(create_errors(v), IsEmpty()) << body;
  return v.at("attributes").as_object();
}

TEST(DeviceParamsSchema, EachDtypeIsValidAndGetsItsDefaults) {
  for (const char* attributes :
       {R"({"dtype": "DISK", "path": "/dev/zvol/tank/d0"})", R"({"dtype": "RAW", "path": "/mnt/tank/r.img"})",
        R"({"dtype": "CDROM", "path": "/mnt/tank/a.iso"})", R"({"dtype": "NIC"})", R"({"dtype": "DISPLAY"})",
        R"({"dtype": "PCI", "pptdev": "0000:01:00.0"})", R"({"dtype": "USB"})"})
    EXPECT_THAT(create_errors(std::string(R"({"vm": 1, "attributes": )") + attributes + "}"), IsEmpty()) << attributes;
  auto nic = filled_attributes(R"({"vm": 1, "attributes": {"dtype": "NIC"}})");
  EXPECT_EQ(nic.at("type"), "E1000");
  EXPECT_EQ(nic.at("trust_guest_rx_filters"), false);
  EXPECT_TRUE(nic.at("mac").is_null());
  auto display = filled_attributes(R"({"vm": 1, "attributes": {"dtype": "DISPLAY", "type": "VNC"}})");
  EXPECT_EQ(display.at("type"), "VNC");
  EXPECT_EQ(display.at("bind"), "127.0.0.1");
  EXPECT_EQ(display.at("resolution"), "1024x768");
  EXPECT_EQ(display.at("web"), true);
}

TEST(DeviceParamsSchema, TopLevelDtypeStandsForAttributesDtype) {
  auto nic = filled_attributes(R"({"vm": 1, "dtype": "NIC", "attributes": {"type": "VIRTIO"}})");
  EXPECT_EQ(nic.at("dtype"), "NIC");
  EXPECT_EQ(nic.at("type"), "VIRTIO");
  EXPECT_EQ(nic.at("trust_guest_rx_filters"), false);
  EXPECT_EQ(filled_attributes(R"({"vm": 1, "dtype": "USB"})").at("controller_type"), "nec-xhci");
  EXPECT_THAT(
      create_errors(R"({"vm": 1, "dtype": "NIC", "attributes": {"mac": "00:a0:98:xx:xx:xx"}})"),
      ElementsAre(std::pair<std::string, std::string>(
          "vm_device_create.attributes.NIC.mac",
          "Assertion failed, MAC address must be a colon-separated hexadecimal value (e.g. 00:a0:99:7e:bb:8a).")));
  // Two different tags are the plugin's to refuse (its error names both fields); the schema
  // checks the attributes as the dtype they name.
  EXPECT_THAT(create_errors(R"({"vm": 1, "dtype": "NIC", "attributes": {"dtype": "USB"}})"), IsEmpty());
}

TEST(DeviceParamsSchema, MissingOrUnknownDtypeIsOneErrorAtTheTag) {
  EXPECT_THAT(create_errors(R"({"vm": 1, "attributes": {}})"),
              ElementsAre(std::pair<std::string, std::string>("vm_device_create.attributes.dtype", "Field required")));
  EXPECT_THAT(create_errors(R"({"vm": 1})"),
              ElementsAre(std::pair<std::string, std::string>("vm_device_create.attributes.dtype", "Field required")));
  EXPECT_THAT(create_errors(R"({"vm": 1, "attributes": {"dtype": "FLOPPY", "path": "/a"}})"),
              ElementsAre(std::pair<std::string, std::string>(
                  "vm_device_create.attributes",
                  "Input tag 'FLOPPY' found using 'dtype' does not match any of the expected tags: "
                  "'DISK', 'RAW', 'CDROM', 'NIC', 'DISPLAY', 'PCI', 'USB'")));
}

TEST(DeviceParamsSchema, MissingRequiredAttributeNamesTheDtype) {
  EXPECT_THAT(
      create_errors(R"({"vm": 1, "attributes": {"dtype": "RAW"}})"),
      ElementsAre(std::pair<std::string, std::string>("vm_device_create.attributes.RAW.path", "Field required")));
  EXPECT_THAT(
      create_errors(R"({"vm": 1, "dtype": "PCI", "attributes": {}})"),
      ElementsAre(std::pair<std::string, std::string>("vm_device_create.attributes.PCI.pptdev", "Field required")));
}

TEST(DeviceParamsSchema, WrongTypesAndForeignAttributes) {
  EXPECT_THAT(create_errors(R"({"vm": 1, "attributes": {"dtype": "NIC", "trust_guest_rx_filters": 1, "port": 5900}})"),
              ElementsAre(std::pair<std::string, std::string>("vm_device_create.attributes.NIC.trust_guest_rx_filters",
                                                              "Input should be a valid boolean"),
                          std::pair<std::string, std::string>("vm_device_create.attributes.NIC.port",
                                                              "Extra inputs are not permitted")));
  EXPECT_THAT(create_errors(R"({"vm": 1, "attributes": {"dtype": "DISPLAY", "port": 80}})"),
              ElementsAre(std::pair<std::string, std::string>("vm_device_create.attributes.DISPLAY.port",
                                                              "Input should be greater than or equal to 5900")));
  // Not an object: one error, whichever way the dtype is given.
  for (const char* body : {R"({"vm": 1, "attributes": "NIC"})", R"({"vm": 1, "dtype": "NIC", "attributes": []})",
                           R"({"vm": 1, "dtype": "FLOPPY", "attributes": 5})"})
    EXPECT_THAT(create_errors(body), ElementsAre(std::pair<std::string, std::string>(
                                         "vm_device_create.attributes", "Input should be a valid dictionary")))
        << body;
}

// A validator that fills no defaults (the standard's reading, as `middlewared --check-schema`)
// accepts the same requests: the top-level dtype is spelled out in the schema, not only filled in.
TEST(DeviceParamsSchema, TheContractHoldsWithoutFillingDefaults) {
  auto params = schema_files().compile(schema::method_schema_uri("vm/device/create.params.json"));
  EXPECT_TRUE(params.is_valid(boost::json::parse(R"([{"vm": 1, "dtype": "NIC", "attributes": {"type": "VIRTIO"}}])")));
  EXPECT_TRUE(params.is_valid(boost::json::parse(R"([{"vm": 1, "attributes": {"dtype": "NIC"}}])")));
  EXPECT_FALSE(params.is_valid(boost::json::parse(R"([{"vm": 1, "attributes": {"type": "VIRTIO"}}])")));
  EXPECT_FALSE(params.is_valid(boost::json::parse(R"([{"vm": 1, "dtype": "NIC", "attributes": {"type": "PCNET"}}])")));
  EXPECT_FALSE(params.is_valid(boost::json::parse(R"([{"vm": 1, "attributes": {"pptdev": "0000:01:00.0"}}])")));
}

TEST(DeviceParamsSchema, UpdateTakesPartialAttributesWithoutDefaults) {
  json::array params = boost::json::parse(R"([5, {"attributes": {"type": "VIRTIO"}}])").as_array();
  EXPECT_THAT(errors_of(method("vm/device/update.params.json").validate_params(params)), IsEmpty());
  // Nothing is filled in: the change is merged into the stored attributes, then checked whole.
  EXPECT_EQ(params.at(1).at("attributes"), boost::json::parse(R"({"type": "VIRTIO"})"));
  params = boost::json::parse(R"([5, {"attributes": "VIRTIO"}])").as_array();
  EXPECT_THAT(errors_of(method("vm/device/update.params.json").validate_params(params)),
              ElementsAre(std::pair<std::string, std::string>("vm_device_update.attributes",
                                                              "Input should be a valid dictionary")));
}

}  // namespace
}  // namespace mw::vm::testing
