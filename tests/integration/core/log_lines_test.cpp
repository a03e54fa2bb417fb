// Text clients send reaches the real daemon's log only escaped: a newline in a user name, a
// login mechanism or a method name cannot forge a log line of its own.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "integration/core/remote_peer.hpp"
#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;

const std::string kForged = "evil\n[info] forged";
const std::string kEscaped = "evil\\n[info] forged";

void expect_no_forged_line(const DaemonProcess& d) {
  const std::string log = d.log();
  EXPECT_EQ(log.find("\n[info] forged"), std::string::npos) << log;
  EXPECT_NE(log.find(kEscaped), std::string::npos) << "the client's text was not logged at all:\n" << log;
}

TEST(LogLines, ALoginMechanismCannotForgeALogLine) {
  DaemonProcess d;
  auto t = RpcClient::tcp(d.tcp_port());
  EXPECT_THROW(t.call("auth.login_ex", {json::object{{"mechanism", kForged}}}), RpcError);
  expect_no_forged_line(d);
}

TEST(LogLines, AUserNameSentBeforeLoginCannotForgeALogLine) {
  std::string address = non_loopback_ipv4();
  if (address.empty()) GTEST_SKIP() << "no non-loopback IPv4 address on this machine";
  DaemonOptions o;
  o.listen = "0.0.0.0:0";
  DaemonProcess d(o);
  auto remote = RpcClient::tcp_to(address, d.tcp_port());
  // A plain-text password from a remote peer over plain TCP is refused, and the refusal is logged
  // with the user name the client sent.
  auto answer = remote.call(
      "auth.login_ex", {json::object{{"mechanism", "PASSWORD_PLAIN"}, {"username", kForged}, {"password", "secret"}}});
  EXPECT_EQ(answer.at("response_type"), "AUTH_ERR");
  expect_no_forged_line(d);
}

}  // namespace
}  // namespace mw::test
