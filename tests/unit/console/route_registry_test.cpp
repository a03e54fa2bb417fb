#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/route_registry.hpp"

using mw::server::RouteRegistry;

TEST(RouteRegistry, PrefixesMatchWholePathSegments) {
  EXPECT_TRUE(RouteRegistry::prefix_matches("/_download", "/_download"));
  EXPECT_TRUE(RouteRegistry::prefix_matches("/_download", "/_download/7"));
  EXPECT_FALSE(RouteRegistry::prefix_matches("/_download", "/_downloads"));
  EXPECT_TRUE(RouteRegistry::prefix_matches("/vm/display/", "/vm/display/3/vnc.html"));
  EXPECT_FALSE(RouteRegistry::prefix_matches("/vm/display/", "/vm/display"));
}

TEST(RouteRegistry, PicksTheLongestMatchingPrefix) {
  RouteRegistry routes(1);
  routes.add_http("/a", [](const mw::HttpRequest&) { return mw::HttpReply{200, "text/plain", "short"}; });
  routes.add_http("/a/b", [](const mw::HttpRequest&) { return mw::HttpReply{200, "text/plain", "long"}; });
  ASSERT_TRUE(routes.find_http("/a/b/c"));
  EXPECT_EQ((*routes.find_http("/a/b/c"))({}).body, "long");
  EXPECT_EQ((*routes.find_http("/a/x"))({}).body, "short");
  EXPECT_EQ(routes.find_http("/b"), nullptr);
  EXPECT_EQ(routes.find_websocket("/a"), nullptr);
}

TEST(RouteRegistry, RefusesDuplicateAndRelativePrefixes) {
  RouteRegistry routes(1);
  routes.add_websocket("/_shell", [](const mw::HttpRequest&, auto) { return nullptr; });
  EXPECT_THROW(routes.add_websocket("/_shell", [](const mw::HttpRequest&, auto) { return nullptr; }),
               std::invalid_argument);
  EXPECT_THROW(routes.add_http("_download", [](const mw::HttpRequest&) { return mw::HttpReply{}; }),
               std::invalid_argument);
}

TEST(RouteRegistry, RunsBlockingWorkOffTheCallingThread) {
  RouteRegistry routes(1);
  std::mutex m;
  std::condition_variable cv;
  std::thread::id ran_on;
  bool done = false;
  routes.run_blocking([&] {
    std::lock_guard lock(m);
    ran_on = std::this_thread::get_id();
    done = true;
    cv.notify_all();
  });
  std::unique_lock lock(m);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return done; }));
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

TEST(RouteRegistry, DropsWorkAfterShutdown) {
  RouteRegistry routes(1);
  routes.shutdown();
  std::atomic<bool> ran{false};
  routes.run_blocking([&] { ran = true; });
  routes.shutdown();
  EXPECT_FALSE(ran);
}
