#pragma once
// test.*: methods that exist only to test the core (jobs, locks, concurrency, frames) before and
// beside the real plugins, and /_test/socket, a plugin WebSocket that echoes and logs in on
// "login". Linked only when MW_TEST_PLUGIN is on; never in release builds.
#include <memory>

#include <middlewared/plugin.hpp>

namespace mw::plugins::test {
std::unique_ptr<Plugin> make_test_plugin();
}
