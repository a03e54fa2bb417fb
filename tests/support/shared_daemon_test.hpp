#pragma once
// A test fixture whose tests share one real daemon: started before the suite's first test and
// stopped after its last, so a suite pays the start-up once. Tests must not depend on each
// other's leftovers (use distinct names).
#include <gtest/gtest.h>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {

class SharedDaemonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { daemon = new DaemonProcess(); }
  static void TearDownTestSuite() {
    delete daemon;
    daemon = nullptr;
  }
  // A client logged in as root (unix socket, peer credentials).
  static RpcClient root() { return RpcClient::unix_socket(daemon->socket_path()); }

  static inline DaemonProcess* daemon = nullptr;
};

}  // namespace mw::test
