// check_schema_files(): the `middlewared --check-schema` helper.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "schema/check_schema_cli.hpp"

namespace mw::schema {
namespace {

namespace fs = std::filesystem;

class CheckSchemaCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(MW_SCHEMA_TEST_TMP) / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  fs::path write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path;
  }
  int run(const fs::path& schema, const fs::path& instance) {
    out_.str("");
    err_.str("");
    return check_schema_files(schema, instance, out_, err_);
  }
  fs::path dir_;
  std::ostringstream out_, err_;
};

TEST_F(CheckSchemaCli, ValidInstanceExitsZeroSilently) {
  auto schema = write("s.json", R"({"type":"object","properties":{"a":{"type":"integer"}}})");
  EXPECT_EQ(run(schema, write("i.json", R"({"a":1})")), 0);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CheckSchemaCli, InvalidInstancePrintsPointerAndMessagePerIssue) {
  auto schema =
      write("s.json",
            R"({"type":"object","properties":{"a":{"type":"integer"},"b/c":{"type":"array","items":{"type":"string"}}},
      "required":["z"],"additionalProperties":false})");
  EXPECT_EQ(run(schema, write("i.json", R"({"a":1.5,"b/c":["x",2],"q":0})")), 1);
  EXPECT_EQ(out_.str(),
            "/a Input should be a valid integer\n"
            "/b~1c/1 Input should be a valid string\n"
            "/q Extra inputs are not permitted\n"
            "/z Field required\n");
}

TEST_F(CheckSchemaCli, RootIssueIsShownAsSlash) {
  EXPECT_EQ(run(write("s.json", R"({"type":"string"})"), write("i.json", "5")), 1);
  EXPECT_EQ(out_.str(), "/ Input should be a valid string\n");
}

TEST_F(CheckSchemaCli, InvalidSchemaExitsTwo) {
  EXPECT_EQ(run(write("s.json", R"({"type":"int"})"), write("i.json", "5")), 2);
  EXPECT_NE(err_.str().find("invalid schema: file://"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("s.json#/type: unknown type 'int'"), std::string::npos) << err_.str();
}

TEST_F(CheckSchemaCli, UnreadableOrUnparsableFilesExitTwo) {
  auto schema = write("s.json", "{}");
  EXPECT_EQ(run(schema, dir_ / "missing.json"), 2);
  EXPECT_NE(err_.str().find("cannot read"), std::string::npos);
  EXPECT_EQ(run(write("bad.json", "{nope"), write("i.json", "1")), 2);
  EXPECT_NE(err_.str().find("bad.json: invalid JSON"), std::string::npos) << err_.str();
}

TEST_F(CheckSchemaCli, SchemaUnderSchemasDirLoadsRelativeRefsAsMwUris) {
  write("schemas/common/query.json", R"({"definitions":{"limit":{"type":"integer","minimum":0}}})");
  auto schema = write("schemas/vm/query.params.json",
                      R"({"type":"object","properties":{"limit":{"$ref":"../common/query.json#/definitions/limit"}}})");
  EXPECT_EQ(run(schema, write("i.json", R"({"limit":-1})")), 1);
  EXPECT_EQ(out_.str(), "/limit Input should be greater than or equal to 0\n");
  auto broken = write("schemas/vm/broken.json", R"({"$ref":"../common/absent.json"})");
  EXPECT_EQ(run(broken, write("i.json", "1")), 2);
  EXPECT_NE(err_.str().find("mw:///vm/broken.json#/$ref: cannot resolve $ref 'mw:///common/absent.json'"),
            std::string::npos)
      << err_.str();
}

TEST_F(CheckSchemaCli, MethodSchemasUnderSchemasDirUseStrictIntegersAsTheDaemonDoes) {
  EXPECT_EQ(run(write("schemas/vm/x.result.json", R"({"type":"integer"})"), write("i.json", "2.0")), 1);
  EXPECT_EQ(out_.str(), "/ Input should be a valid integer\n");
}

TEST_F(CheckSchemaCli, OtherSchemasFollowTheStandardWhereTwoPointZeroIsAnInteger) {
  EXPECT_EQ(run(write("s.json", R"({"type":"integer"})"), write("i.json", "2.0")), 0);
  EXPECT_EQ(out_.str(), "");
}

// `default` is an annotation: an invalid one never makes a missing property invalid.
TEST_F(CheckSchemaCli, InvalidDefaultIsNotFilledInNorChecked) {
  auto schema = write("s.json", R"({"properties":{"foo":{"type":"integer","default":[]},
      "bar":{"type":"string","minLength":4,"default":"bad"}}})");
  EXPECT_EQ(run(schema, write("i.json", "{}")), 0) << out_.str();
  auto method = write("schemas/vm/y.params.json", R"({"type":"array","items":[{"type":"object",
      "properties":{"bar":{"type":"string","minLength":4,"default":"bad"}}}]})");
  EXPECT_EQ(run(method, write("i.json", "[{}]")), 0) << out_.str();
}

}  // namespace
}  // namespace mw::schema
