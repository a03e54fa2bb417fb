// Runs the official JSON-Schema-Test-Suite (draft-07) from the installed Debian package: every
// required test, plus the optional format tests for the formats we implement. Each group gets a
// fresh spec-mode SchemaSet with the suite's remotes registered under http://localhost:1234/.
// The required tests also go through `middlewared --check-schema` (check_schema_files), which
// must answer as the standard says too.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "schema/check_schema_cli.hpp"
#include "schema/schema_set.hpp"

namespace {

namespace fs = std::filesystem;
using mw::json::value;
namespace schema = mw::schema;

const fs::path kSuite = MW_JSON_SCHEMA_TEST_SUITE_DIR;

value load(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

struct Tally {
  int passed = 0;
  int total = 0;
  std::vector<std::string> failures;
};

void register_remotes(schema::SchemaSet& set) {
  const fs::path remotes = kSuite / "remotes";
  for (const auto& entry : fs::recursive_directory_iterator(remotes)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::string rel = fs::relative(entry.path(), remotes).generic_string();
    set.add_document("http://localhost:1234/" + rel, load(entry.path()));
  }
}

void run_file(const fs::path& file, Tally& tally) {
  const value groups = load(file);
  int group_index = 0;
  for (const auto& group : groups.as_array()) {
    const auto& g = group.as_object();
    std::string group_name = file.filename().string() + " / " + std::string(g.at("description").as_string());
    schema::SchemaSet set;  // spec mode
    register_remotes(set);
    schema::CompiledSchema compiled;
    std::string compile_error;
    try {
      compiled = set.compile_document(
          "mw:///suite/" + file.stem().string() + "/" + std::to_string(group_index) + ".json", g.at("schema"));
    } catch (const std::exception& e) {
      compile_error = e.what();
    }
    for (const auto& test : g.at("tests").as_array()) {
      const auto& t = test.as_object();
      ++tally.total;
      std::string name = group_name + " / " + std::string(t.at("description").as_string());
      if (!compile_error.empty()) {
        tally.failures.push_back(name + ": schema did not compile: " + compile_error);
        continue;
      }
      bool expected = t.at("valid").as_bool();
      bool fast = compiled.is_valid(t.at("data"));
      auto issues = compiled.validate(t.at("data"));
      bool full = issues.empty();
      if (fast == expected && full == expected) {
        ++tally.passed;
      } else {
        tally.failures.push_back(name + ": expected " + (expected ? "valid" : "invalid") + ", is_valid said " +
                                 (fast ? "valid" : "invalid") + ", validate found " + std::to_string(issues.size()) +
                                 " issue(s)");
      }
    }
    ++group_index;
  }
}

void report(const std::string& label, const Tally& tally) {
  for (const auto& failure : tally.failures) ADD_FAILURE() << failure;
  std::cout << label << ": " << tally.passed << "/" << tally.total << " passed" << std::endl;
}

TEST(JsonSchemaTestSuite, Draft7RequiredTestsAllPass) {
  ASSERT_TRUE(fs::is_directory(kSuite / "tests" / "draft7"))
      << "JSON-Schema-Test-Suite not installed at " << kSuite << " (apt-get install json-schema-test-suite)";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSuite / "tests" / "draft7")) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  Tally tally;
  for (const auto& file : files) run_file(file, tally);
  report("draft7", tally);
  EXPECT_GT(tally.total, 400);
}

// Each case as a schema file and an instance file, checked as `middlewared --check-schema` checks
// them. refRemote.json is left out: its schemas name http://localhost:1234/, which a schema file
// on disk cannot load.
void run_file_through_cli(const fs::path& file, const fs::path& dir, Tally& tally) {
  const value groups = load(file);
  for (const auto& group : groups.as_array()) {
    const auto& g = group.as_object();
    fs::path schema = dir / "schema.json";
    std::ofstream(schema) << boost::json::serialize(g.at("schema"));
    for (const auto& test : g.at("tests").as_array()) {
      const auto& t = test.as_object();
      ++tally.total;
      fs::path instance = dir / "instance.json";
      std::ofstream(instance) << boost::json::serialize(t.at("data"));
      std::ostringstream out, err;
      int code = schema::check_schema_files(schema, instance, out, err);
      int expected = t.at("valid").as_bool() ? 0 : 1;
      if (code == expected) {
        ++tally.passed;
      } else {
        tally.failures.push_back(file.filename().string() + " / " + std::string(g.at("description").as_string()) +
                                 " / " + std::string(t.at("description").as_string()) + ": exit " +
                                 std::to_string(code) + ", expected " + std::to_string(expected) + ": " + out.str() +
                                 err.str());
      }
    }
  }
}

TEST(JsonSchemaTestSuite, Draft7RequiredTestsPassThroughCheckSchema) {
  ASSERT_TRUE(fs::is_directory(kSuite / "tests" / "draft7"));
  const fs::path dir = fs::path(MW_SCHEMA_TEST_TMP) / "suite-through-cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSuite / "tests" / "draft7"))
    if (entry.is_regular_file() && entry.path().extension() == ".json" && entry.path().filename() != "refRemote.json")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  Tally tally;
  for (const auto& file : files) run_file_through_cli(file, dir, tally);
  report("draft7 through --check-schema", tally);
  EXPECT_GT(tally.total, 400);
}

TEST(JsonSchemaTestSuite, Draft7OptionalFormatsWeImplementAllPass) {
  Tally tally;
  for (const char* format : {"date-time", "date", "time", "ipv4", "ipv6", "regex"}) {
    fs::path file = kSuite / "tests" / "draft7" / "optional" / "format" / (std::string(format) + ".json");
    ASSERT_TRUE(fs::exists(file)) << file;
    run_file(file, tally);
  }
  run_file(kSuite / "tests" / "draft7" / "optional" / "ecmascript-regex.json", tally);
  report("draft7 optional formats", tally);
  EXPECT_GT(tally.total, 0);
}

}  // namespace
