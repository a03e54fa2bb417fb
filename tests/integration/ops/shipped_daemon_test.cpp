// The daemon that ships (the target scripts/run.sh builds and runs, and the package installs)
// never has the test-only methods: test.sleep ties up worker threads, test.publish floods events.
// The suites start middlewared_testing instead (middlewared/daemon/CMakeLists.txt).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {
namespace {

std::vector<std::string> test_methods_of(const DaemonProcess& daemon) {
  auto methods = RpcClient::unix_socket(daemon.socket_path()).call("core.get_methods").as_object();
  EXPECT_TRUE(methods.contains("core.ping"));
  std::vector<std::string> out;
  for (const auto& m : methods)
    if (m.key().starts_with("test.")) out.emplace_back(m.key());
  return out;
}

TEST(ShippedDaemon, HasNoTestMethods) {
  DaemonProcess shipped({.binary = shipped_daemon_path()});
  EXPECT_EQ(test_methods_of(shipped), std::vector<std::string>{});
  try {
    RpcClient::unix_socket(shipped.socket_path()).call("test.sleep", {0});
    ADD_FAILURE() << "test.sleep answered";
  } catch (const RpcError& e) {
    EXPECT_EQ(e.code, -32601);
  }
}

TEST(ShippedDaemon, IsNotTheDaemonTheSuitesStart) {
  // Without this, the check above could pass only because no build has test.* methods at all.
  EXPECT_NE(shipped_daemon_path(), daemon_path());
  DaemonProcess testing;
  auto methods = test_methods_of(testing);
  EXPECT_NE(std::find(methods.begin(), methods.end(), "test.sleep"), methods.end());
}

TEST(ShippedDaemon, RunScriptBuildsAndRunsTheShippedTarget) {
  std::ifstream in(std::filesystem::path(MW_SOURCE_DIR) / "scripts" / "run.sh");
  std::string script((std::istreambuf_iterator<char>(in)), {});
  ASSERT_FALSE(script.empty());
  EXPECT_NE(script.find("--target middlewared midclt"), std::string::npos) << script;
  EXPECT_NE(script.find("exec build/bin/middlewared \"$@\""), std::string::npos) << script;
  EXPECT_EQ(script.find("middlewared_testing"), std::string::npos) << script;
  EXPECT_EQ(shipped_daemon_path().filename(), "middlewared");
}

}  // namespace
}  // namespace mw::test
