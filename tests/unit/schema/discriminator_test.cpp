// Tagged unions (`discriminator` on a oneOf), pydantic style.
#include <gtest/gtest.h>

#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

constexpr const char* kDevice = R"({
  "type":"object",
  "properties":{
    "attributes":{
      "discriminator":{"propertyName":"dtype"},
      "oneOf":[
        {"$ref":"#/definitions/cdrom"},
        {"type":"object","properties":{"dtype":{"enum":["DISK"]},"path":{"type":"string"}},
         "required":["dtype","path"],"additionalProperties":false},
        {"$ref":"#/definitions/display"}
      ]}},
  "definitions":{
    "cdrom":{"type":"object","properties":{"dtype":{"const":"CDROM"},"path":{"type":"string"}},
             "required":["dtype","path"]},
    "display":{"type":"object","properties":{"dtype":{"const":"DISPLAY"},
               "port":{"type":"integer","minimum":5900,"maximum":65535},
               "resolution":{"type":"string","default":"1024x768"}},
               "required":["dtype"]}
  }})";

TEST(SchemaDiscriminator, IssuesInsideABranchCarryTheTagInTheirPath) {
  auto schema = compile(kDevice);
  auto issues = schema.validate(parse(R"({"attributes":{"dtype":"DISPLAY","port":80}})"));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].dotted(), "attributes.DISPLAY.port");
  EXPECT_EQ(issues[0].message, "Input should be greater than or equal to 5900");
  EXPECT_EQ(issues[0].pointer(), "/attributes/port");  // the pointer names the real place
  EXPECT_EQ(issues[0].loc(), parse(R"(["attributes","DISPLAY","port"])").as_array());
}

TEST(SchemaDiscriminator, OnlyTheTaggedBranchIsValidated) {
  Found expected{{"attributes.DISK.path", "Field required"},
                 {"attributes.DISK.port", "Extra inputs are not permitted"}};
  EXPECT_EQ(check(kDevice, R"({"attributes":{"dtype":"DISK","port":1}})"), expected);
}

TEST(SchemaDiscriminator, MissingTagIsFieldRequiredAtTheTagProperty) {
  Found expected{{"attributes.dtype", "Field required"}};
  EXPECT_EQ(check(kDevice, R"({"attributes":{"path":"/x"}})"), expected);
}

TEST(SchemaDiscriminator, UnknownTagListsExpectedTagsInBranchOrder) {
  Found expected{{"attributes",
                  "Input tag 'NIC' found using 'dtype' does not match any of the expected tags: "
                  "'CDROM', 'DISK', 'DISPLAY'"}};
  EXPECT_EQ(check(kDevice, R"({"attributes":{"dtype":"NIC"}})"), expected);
}

TEST(SchemaDiscriminator, NonObjectIsNotADictionary) {
  Found expected{{"attributes", "Input should be a valid dictionary"}};
  EXPECT_EQ(check(kDevice, R"({"attributes":[1]})"), expected);
}

TEST(SchemaDiscriminator, ValidInstancePassesAndGetsBranchDefaults) {
  auto schema = compile(kDevice);
  json::value instance = parse(R"({"attributes":{"dtype":"DISPLAY","port":5901}})");
  EXPECT_TRUE(schema.validate_and_fill(instance).empty());
  EXPECT_EQ(instance.at("attributes").at("resolution"), json::value("1024x768"));
}

TEST(SchemaDiscriminator, BranchWithoutTagIsASchemaError) {
  EXPECT_THROW(compile(R"({"discriminator":{"propertyName":"t"},"oneOf":[{"properties":{"t":{"type":"string"}}}]})"),
               SchemaError);
}

}  // namespace
}  // namespace mw::schema::test
