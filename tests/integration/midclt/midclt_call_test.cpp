// `midclt call` and `midclt ping` against the real daemon: output forms and error texts.
#include <regex>

#include "midclt_fixture.hpp"

namespace midclt_it {

using CallTest = MidcltAgainstDaemon;

TEST_F(CallTest, PingPrintsPong) {
  auto r = midclt({"ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pong\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CallTest, CallCorePingPrintsTheStringRaw) {
  auto r = midclt({"call", "core.ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pong\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CallTest, CallOverTcpWorksWithoutLoginForCorePing) {
  auto r = midclt_raw({"-u", tcp_uri(), "call", "core.ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pong\n");
}

TEST_F(CallTest, ObjectResultIsOneLineJsonWithPythonSeparators) {
  auto r = midclt({"call", "test.echo", R"({"b": [1, 2.5, true, null], "a": "caf\u00e9", "c": {}})"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"b": [1, 2.5, true, null], "a": "caf\u00e9", "c": {}})"
                   "\n");
}

TEST_F(CallTest, BooleanResultPrintsAsPythonLiteral) {
  auto r = midclt({"call", "test.echo", "true"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "True\n");
}

TEST_F(CallTest, NullResultPrintsNull) {
  auto r = midclt({"call", "test.echo", "null"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "null\n");
}

TEST_F(CallTest, NonJsonArgumentIsSentAsString) {
  auto r = midclt({"call", "test.echo", "testvm"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "testvm\n");
}

TEST_F(CallTest, QuotedJsonStringArgumentIsUnquoted) {
  auto r = midclt({"call", "test.echo", R"("42")"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
}

TEST_F(CallTest, DashReadsOneJsonDocumentFromStdin) {
  auto r = midclt({"call", "test.echo", "-"}, "{\"name\": \"from-stdin\", \"memory\": 512}\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, R"({"name": "from-stdin", "memory": 512})"
                   "\n");
}

TEST_F(CallTest, UnknownMethodPrintsMethodDoesNotExist) {
  auto r = midclt({"call", "no_such.method"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Method does not exist\n");
}

TEST_F(CallTest, QuietSuppressesTheErrorText) {
  auto r = midclt({"call", "-q", "no_such.method"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
}

TEST_F(CallTest, CallErrorPrintsTheReason) {
  auto r = midclt({"call", "test.fail", "13", "Denied on purpose"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.substr(0, r.err.find('\n') + 1), "[EACCES] Denied on purpose\n") << r.err;
}

TEST_F(CallTest, ValidationErrorPrintsErrnameAttributeAndMessage) {
  // core.ping takes no arguments: the schema check reports the extra one.
  auto r = midclt({"call", "core.ping", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "[EINVAL] ALL: Too many arguments (expected 0, found 1)\n");
}

TEST_F(CallTest, CallTimeoutExitsOne) {
  auto r = midclt_raw({"-u", unix_uri(), "-t", "1", "call", "test.sleep", "3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Call timeout\n");
}

TEST_F(CallTest, CallTimeoutComesFromTheEnvironment) {
  auto r = midclt_raw({"-u", unix_uri(), "call", "test.sleep", "3"}, "", {{"CALL_TIMEOUT", "1"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Call timeout\n");
}

TEST_F(CallTest, MidcltUriEnvironmentSelectsTheSocket) {
  auto r = midclt_raw({"call", "core.ping"}, "", {{"MIDCLT_URI", unix_uri()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pong\n");
}

TEST_F(CallTest, FailedPasswordLoginPrintsToStdoutAndExitsZero) {
  auto r = midclt_raw({"-u", tcp_uri(), "-U", "nobody", "-P", "wrong", "call", "core.ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Failed to login:  Invalid username or password\n");
}

TEST_F(CallTest, UnauthenticatedTcpCallReportsNotAuthenticated) {
  auto r = midclt_raw({"-u", tcp_uri(), "call", "core.get_jobs"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Not authenticated"), std::string::npos) << r.err;
}

TEST_F(CallTest, LegacyWebsocketEndpointAnswersCalls) {
  auto r = midclt_raw({"-u", tcp_uri("/websocket"), "call", "core.ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "pong\n");
}

}  // namespace midclt_it
