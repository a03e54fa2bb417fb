#include "midclt/call_args.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace json = boost::json;
using namespace midclt;

TEST(JsonOrString, ParsesJsonDocuments) {
  EXPECT_EQ(json_or_string("1"), json::value(1));
  EXPECT_EQ(json_or_string("true"), json::value(true));
  EXPECT_EQ(json_or_string("null"), json::value(nullptr));
  EXPECT_EQ(json_or_string(R"("quoted")"), json::value("quoted"));
  EXPECT_EQ(json_or_string(R"([["name","=","x"]])"), json::parse(R"([["name","=","x"]])"));
  EXPECT_EQ(json_or_string(" {\"a\": 1}\n"), json::parse(R"({"a":1})"));
}

TEST(JsonOrString, KeepsNonJsonAsRawString) {
  EXPECT_EQ(json_or_string("testvm"), json::value("testvm"));
  EXPECT_EQ(json_or_string("1 2"), json::value("1 2"));
  EXPECT_EQ(json_or_string(""), json::value(""));
  EXPECT_EQ(json_or_string("{broken"), json::value("{broken"));
  EXPECT_EQ(json_or_string("True"), json::value("True"));
}

TEST(CallCommandLine, TakesMethodAndArgs) {
  auto p = parse_call_command({"vm.query", R"([["id","=",1]])", R"({"get":true})"});
  ASSERT_TRUE(p.command);
  EXPECT_EQ(p.command->method, "vm.query");
  EXPECT_EQ(p.command->args.size(), 2u);
  EXPECT_FALSE(p.command->job);
  EXPECT_FALSE(p.command->quiet);
  EXPECT_EQ(p.command->job_print, JobPrint::ProgressBar);
}

TEST(CallCommandLine, AcceptsOptionsBeforeAndAfterTheMethod) {
  auto p = parse_call_command({"-q", "-jp", "description", "vm.stop", "1", "-j"});
  ASSERT_TRUE(p.command);
  EXPECT_TRUE(p.command->quiet);
  EXPECT_TRUE(p.command->job);
  EXPECT_EQ(p.command->job_print, JobPrint::Description);
  EXPECT_EQ(p.command->method, "vm.stop");
  EXPECT_EQ(p.command->args, std::vector<std::string>{"1"});
}

TEST(CallCommandLine, TreatsNegativeNumbersAndDashAsArguments) {
  auto p = parse_call_command({"m", "-5", "-1.5", "-"});
  ASSERT_TRUE(p.command);
  EXPECT_EQ(p.command->args, (std::vector<std::string>{"-5", "-1.5", "-"}));
}

TEST(CallCommandLine, DoubleDashEndsOptions) {
  auto p = parse_call_command({"m", "--", "-j"});
  ASSERT_TRUE(p.command);
  EXPECT_FALSE(p.command->job);
  EXPECT_EQ(p.command->args, std::vector<std::string>{"-j"});
}

TEST(CallCommandLine, RejectsMissingMethod) {
  auto p = parse_call_command({"-j"});
  EXPECT_FALSE(p.command);
  EXPECT_NE(p.error.find("the following arguments are required: METHOD"), std::string::npos);
}

TEST(CallCommandLine, RejectsUnknownJobPrintChoice) {
  auto p = parse_call_command({"-jp", "fancy", "m"});
  EXPECT_FALSE(p.command);
  EXPECT_NE(p.error.find("invalid choice: 'fancy'"), std::string::npos);
}

TEST(CallCommandLine, RejectsUnknownOption) {
  auto p = parse_call_command({"m", "--bogus"});
  EXPECT_FALSE(p.command);
  EXPECT_NE(p.error.find("unrecognized arguments: --bogus"), std::string::npos);
}

TEST(BuildParams, ReadsStdinOnceForEveryDash) {
  int reads = 0;
  StdinSource source{[] { return false; },
                     [&] {
                       ++reads;
                       return std::string(R"({"name":"vm"})");
                     }};
  auto r = build_params({"1", "-", "-"}, source);
  ASSERT_TRUE(r.params);
  EXPECT_EQ(*r.params, json::parse(R"([1, {"name":"vm"}, {"name":"vm"}])").get_array());
  EXPECT_EQ(reads, 1);
}

TEST(BuildParams, PassesNonJsonStdinAsString) {
  StdinSource source{[] { return false; }, [] { return std::string("plain text\n"); }};
  auto r = build_params({"-"}, source);
  ASSERT_TRUE(r.params);
  EXPECT_EQ((*r.params)[0], json::value("plain text\n"));
}

TEST(BuildParams, RefusesStdinFromATerminal) {
  StdinSource source{[] { return true; }, [] { return std::string(); }};
  auto r = build_params({"-"}, source);
  EXPECT_FALSE(r.params);
  EXPECT_EQ(r.error,
            "Error: Cannot read from stdin when connected to a terminal.\n"
            "Please pipe input or provide the argument directly.\n");
}
