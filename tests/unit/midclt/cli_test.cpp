#include "midclt/cli.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace midclt;

namespace {
CliOutcome parse(std::vector<std::string> args) {
  args.insert(args.begin(), "midclt");
  return parse_command_line(args);
}
}  // namespace

TEST(CommandLine, ParsesGlobalOptionsBeforeTheSubcommand) {
  auto o = parse({"-u", "ws://h:1/api/current", "-U", "root", "-P", "pw", "-t", "120", "--insecure",
                  "--no-channel-binding", "--plain", "ping"});
  ASSERT_TRUE(o.parsed);
  const auto& g = o.parsed->options;
  EXPECT_EQ(g.uri, "ws://h:1/api/current");
  EXPECT_EQ(g.username, "root");
  EXPECT_EQ(g.password, "pw");
  EXPECT_EQ(g.timeout, 120);
  EXPECT_TRUE(g.insecure);
  EXPECT_TRUE(g.no_channel_binding);
  EXPECT_TRUE(g.plain);
  EXPECT_TRUE(std::holds_alternative<PingCommand>(o.parsed->command));
}

TEST(CommandLine, LongOptionNames) {
  auto o = parse({"--uri=ws+unix:///s", "--username", "u", "--api-key", "1-abc", "--timeout", "5", "ping"});
  ASSERT_TRUE(o.parsed);
  EXPECT_EQ(o.parsed->options.uri, "ws+unix:///s");
  EXPECT_EQ(o.parsed->options.api_key, "1-abc");
  EXPECT_EQ(o.parsed->options.timeout, 5);
}

TEST(CommandLine, CallKeepsJobPrintOptionAndRawArguments) {
  auto o = parse({"call", "-j", "-jp", "description", "vm.stop", "1", R"({"force": true})", "-"});
  ASSERT_TRUE(o.parsed);
  const auto& call = std::get<CallCommand>(o.parsed->command);
  EXPECT_TRUE(call.job);
  EXPECT_EQ(call.job_print, JobPrint::Description);
  EXPECT_EQ(call.method, "vm.stop");
  EXPECT_EQ(call.args, (std::vector<std::string>{"1", R"({"force": true})", "-"}));
}

TEST(CommandLine, CallArgumentsMayLookLikeNegativeNumbers) {
  auto o = parse({"call", "m", "-1"});
  ASSERT_TRUE(o.parsed);
  EXPECT_EQ(std::get<CallCommand>(o.parsed->command).args, std::vector<std::string>{"-1"});
}

TEST(CommandLine, SubscribeTakesEventNumberAndTimeout) {
  auto o = parse({"subscribe", "vm.query", "-n", "2", "-t", "5"});
  ASSERT_TRUE(o.parsed);
  const auto& s = std::get<SubscribeCommand>(o.parsed->command);
  EXPECT_EQ(s.event, "vm.query");
  EXPECT_EQ(s.number, 2);
  EXPECT_EQ(s.timeout, 5);
}

TEST(CommandLine, WaitreadyTimeoutIsItsOwn) {
  auto o = parse({"-t", "9", "waitready", "-t", "3"});
  ASSERT_TRUE(o.parsed);
  EXPECT_EQ(std::get<WaitReadyCommand>(o.parsed->command).timeout, 3);
  EXPECT_EQ(o.parsed->options.timeout, 9);
}

TEST(CommandLine, NoSubcommandPrintsHelp) {
  auto o = parse({});
  EXPECT_FALSE(o.parsed);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_NE(o.out.find("call"), std::string::npos);
  EXPECT_NE(o.out.find("subscribe"), std::string::npos);
}

TEST(CommandLine, VersionPrintsProjectVersion) {
  auto o = parse({"--version"});
  EXPECT_FALSE(o.parsed);
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out, std::string("midclt ") + MIDCLT_TEST_VERSION + "\n");
}

TEST(CommandLine, UsageErrorsExitTwo) {
  EXPECT_EQ(parse({"-t", "abc", "ping"}).exit_code, 2);
  EXPECT_EQ(parse({"call"}).exit_code, 2);
  EXPECT_EQ(parse({"subscribe"}).exit_code, 2);
  EXPECT_EQ(parse({"bogus"}).exit_code, 2);
}

TEST(CallTimeout, OptionBeatsEnvironmentBeatsDefault) {
  Environment env{[](const char* n) -> std::optional<std::string> {
                    return std::string(n) == "CALL_TIMEOUT" ? std::optional<std::string>("15") : std::nullopt;
                  },
                  [](std::string_view) { return false; }};
  Environment empty{[](const char*) -> std::optional<std::string> { return std::nullopt; },
                    [](std::string_view) { return false; }};
  GlobalOptions with_t;
  with_t.timeout = 3;
  EXPECT_EQ(effective_call_timeout(with_t, env), 3);
  EXPECT_EQ(effective_call_timeout(GlobalOptions{}, env), 15);
  EXPECT_EQ(effective_call_timeout(GlobalOptions{}, empty), 60);
  GlobalOptions zero;
  zero.timeout = 0;
  EXPECT_EQ(effective_call_timeout(zero, empty), 60);
}
