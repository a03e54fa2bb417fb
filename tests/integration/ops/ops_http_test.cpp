// GET /health and GET /metrics on the real daemon.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <filesystem>
#include <thread>

#include "integration/ops/http_reply.hpp"
#include "integration/ops/prometheus_text.hpp"
#include "support/daemon_process.hpp"
#include "support/http_get.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"
#include "support/shared_daemon_test.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class OpsHttpTest : public SharedDaemonTest {
 protected:
  static HttpReplyText get(const std::string& target) {
    return split_http_reply(run_http_get(daemon->socket_path(), target));
  }

  // Scrapes until `ready` accepts the page (the page is cached for up to a second).
  static PromText scrape_until(const std::function<bool(const PromText&)>& ready) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      auto page = parse_prometheus_text(get("/metrics").body);
      if (ready(page) || std::chrono::steady_clock::now() > deadline) return page;
      std::this_thread::sleep_for(100ms);
    }
  }
};

TEST_F(OpsHttpTest, HealthSaysHealthyWithVersionAndUptime) {
  auto reply = get("/health");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.headers["content-type"], "application/json");
  auto body = json::parse(reply.body).as_object();
  EXPECT_EQ(body.at("status"), "healthy");
  auto version = run_command({daemon_path().string(), "--version"});
  EXPECT_EQ("middlewared " + std::string(body.at("version").as_string()) + "\n", version.out);
  EXPECT_GE(body.at("uptime_seconds").as_int64(), 0);
}

TEST_F(OpsHttpTest, HealthCarriesWhatTheVmPluginAdds) {
  auto body = json::parse(get("/health").body).as_object();
  ASSERT_TRUE(body.contains("vms")) << json::serialize(body);
  EXPECT_TRUE(body.at("kvm").is_bool());
  EXPECT_EQ(std::string(body.at("hypervisor").as_string()).rfind("qemu ", 0), 0u) << body.at("hypervisor");
  auto before = body.at("vms").at("total").as_int64();
  auto root = RpcClient::unix_socket(daemon->socket_path());
  auto vm = root.call("vm.create", {json::object{{"name", "healthvm"}, {"memory", 256}}});
  auto after = json::parse(get("/health").body).at("vms");
  EXPECT_EQ(after.at("total").as_int64(), before + 1);
  EXPECT_EQ(after.at("running").as_int64(), 0);
  root.call("vm.delete", {vm.at("id")});
}

TEST_F(OpsHttpTest, MetricsIsWellFormedPrometheusText) {
  auto root = RpcClient::unix_socket(daemon->socket_path());
  root.call("core.ping");
  auto reply = get("/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  auto page = parse_prometheus_text(reply.body);
  EXPECT_TRUE(page.problems.empty()) << ::testing::PrintToString(page.problems) << "\n" << reply.body;
  for (const char* family :
       {"middlewared_calls_total", "middlewared_call_duration_seconds", "middlewared_connections",
        "middlewared_sessions", "middlewared_subscriptions", "middlewared_jobs", "middlewared_build_info"})
    EXPECT_TRUE(page.types.contains(family)) << family;
  EXPECT_EQ(page.types["middlewared_call_duration_seconds"], "histogram");
}

// Prometheus's own linter (Debian's prometheus package, installed by scripts/install-deps.sh)
// agrees with our checker: no errors and no lint warnings on a page with calls, jobs and a VM.
TEST_F(OpsHttpTest, PromtoolFindsNoProblemInTheMetricsPage) {
  if (!std::filesystem::exists("/usr/bin/promtool"))
    GTEST_SKIP() << "promtool is not installed (apt-get install prometheus)";
  auto root = RpcClient::unix_socket(daemon->socket_path());
  root.call("core.ping");
  auto vm = root.call("vm.create", {json::object{{"name", "promvm"}, {"memory", 256}}});
  auto reply = get("/metrics");
  root.call("vm.delete", {vm.at("id")});
  ASSERT_EQ(reply.status, 200);
  auto r = run_command({"/usr/bin/promtool", "check", "metrics"}, reply.body);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out + r.err, "") << reply.body;
}

// The series every Prometheus client library exports, describing the daemon's own process.
TEST_F(OpsHttpTest, MetricsCarryTheStandardProcessSeries) {
  auto page = parse_prometheus_text(get("/metrics").body);
  EXPECT_EQ(page.types["process_cpu_seconds_total"], "counter");
  for (const char* gauge : {"process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
                            "process_max_fds", "process_start_time_seconds"})
    EXPECT_EQ(page.types[gauge], "gauge") << gauge;
  EXPECT_GT(page.value("process_resident_memory_bytes").value_or(0), 1 << 20);
  EXPECT_GE(page.value("process_virtual_memory_bytes").value_or(0),
            page.value("process_resident_memory_bytes").value_or(1));
  EXPECT_GE(page.value("process_open_fds").value_or(0), 3);
  EXPECT_GT(page.value("process_max_fds").value_or(0), page.value("process_open_fds").value_or(0));
  EXPECT_GE(page.value("process_cpu_seconds_total").value_or(-1), 0);
  // The daemon's own start, not the test's: within the last hour and not in the future.
  const double start = page.value("process_start_time_seconds").value_or(0);
  const double now = static_cast<double>(::time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);
  EXPECT_NEAR(start, page.value("middlewared_start_time_seconds").value_or(0), 5);
}

TEST_F(OpsHttpTest, MetricsCountCallsByMethodAndOutcome) {
  auto root = RpcClient::unix_socket(daemon->socket_path());
  auto anonymous = RpcClient::tcp(daemon->tcp_port());
  auto count = [](const PromText& p, const char* method, const char* outcome) {
    return p.value("middlewared_calls_total", {{"method", method}, {"outcome", outcome}}).value_or(0);
  };
  auto before = parse_prometheus_text(get("/metrics").body);
  for (int i = 0; i < 3; ++i) root.call("core.ping");
  EXPECT_THROW(root.call("test.fail", {json::value(22)}), RpcError);
  EXPECT_THROW(anonymous.call("vm.query"), RpcError);  // not authenticated: refused
  EXPECT_THROW(root.call("no.such_method"), RpcError);
  auto after = scrape_until([&](const PromText& p) {
    return count(p, "core.ping", "success") >= count(before, "core.ping", "success") + 3 &&
           count(p, "(unknown)", "unknown_method") > count(before, "(unknown)", "unknown_method");
  });
  // `before` may be a cached page from a moment ago: only methods no one else calls are exact.
  EXPECT_GE(count(after, "core.ping", "success"), count(before, "core.ping", "success") + 3);
  EXPECT_EQ(count(after, "test.fail", "error"), count(before, "test.fail", "error") + 1);
  EXPECT_EQ(count(after, "vm.query", "refused"), count(before, "vm.query", "refused") + 1);
  EXPECT_EQ(count(after, "(unknown)", "unknown_method"), count(before, "(unknown)", "unknown_method") + 1);
  auto n = after.value("middlewared_call_duration_seconds_count", {{"method", "core.ping"}});
  ASSERT_TRUE(n.has_value());
  EXPECT_GE(*n, 3);
}

TEST_F(OpsHttpTest, MetricsShowConnectionsSessionsSubscriptionsAndJobs) {
  std::vector<RpcClient> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(RpcClient::unix_socket(daemon->socket_path()));
  clients[0].call("core.subscribe", {"core.get_jobs"});
  auto job = clients[1].call("test.fail_job", {json::value(13)});
  auto failed = [&](const PromText& p) { return p.value("middlewared_jobs", {{"state", "FAILED"}}).value_or(0); };
  auto page = scrape_until([&](const PromText& p) {
    return p.value("middlewared_connections").value_or(0) >= 3 &&
           p.value("middlewared_subscriptions").value_or(0) >= 1 && failed(p) >= 1;
  });
  EXPECT_GE(page.value("middlewared_connections").value_or(0), 3);
  EXPECT_GE(page.value("middlewared_sessions", {{"credentials", "UNIX_SOCKET"}}).value_or(0), 3);
  EXPECT_GE(page.value("middlewared_subscriptions").value_or(0), 1);
  EXPECT_GE(failed(page), 1);
  EXPECT_TRUE(page.value("middlewared_jobs", {{"state", "RUNNING"}}).has_value())
      << "every state is listed, zero or not";
}

TEST_F(OpsHttpTest, MetricsPageIsCachedForUpToOneSecond) {
  auto root = RpcClient::unix_socket(daemon->socket_path());
  auto t0 = std::chrono::steady_clock::now();
  auto first = get("/metrics").body;
  for (int i = 0; i < 5; ++i) root.call("core.ping");
  auto second = get("/metrics").body;
  auto elapsed = std::chrono::steady_clock::now() - t0;
  if (elapsed < 900ms) {
    EXPECT_EQ(first, second) << "re-rendered within " << elapsed.count() << " ns";
  } else {
    EXPECT_NE(first, second);
  }
}

TEST_F(OpsHttpTest, OtherPathsStayNotFound) { EXPECT_EQ(get("/healthz").status, 404); }

// A daemon that trims its heap 100 ms after calls stop: it trims after the start-up and after a
// burst of calls, and not while nothing happens. The page is rendered at most once a second, so
// each scrape here comes more than a second after the one before, and shows the figures of then.
TEST(HeapTrim, GivesTheHeapBackOnceCallsStopAndNotWhileIdle) {
  DaemonProcess d({.config_text = "[server]\nheap_trim_quiet_ms = 100\n"});
  auto scrape = [&] {
    std::this_thread::sleep_for(1100ms);
    return parse_prometheus_text(split_http_reply(run_http_get(d.socket_path(), "/metrics")).body);
  };
  auto trims = [](const PromText& p) { return p.value("middlewared_heap_trims_total").value_or(-1); };
  auto released = [](const PromText& p) { return p.value("middlewared_heap_trimmed_bytes_total").value_or(-1); };

  auto settled = scrape();
  EXPECT_GE(trims(settled), 1) << "no trim after the start-up";
  auto idle = scrape();
  EXPECT_EQ(trims(idle), trims(settled)) << "trimmed again with no call in between";

  auto root = RpcClient::unix_socket(d.socket_path());
  for (int i = 0; i < 20; ++i) {
    auto vm = root.call("vm.create", {json::object{{"name", "trim" + std::to_string(i)}, {"memory", 128}}});
    root.call("vm.delete", {vm.at("id")});
  }
  auto after = scrape();
  EXPECT_GE(trims(after), trims(idle) + 1) << "no trim once the calls stopped";
  EXPECT_GE(released(after), released(idle));
  EXPECT_GE(released(idle), 0);
}

// SQLite's page caches are emptied with the heap trim once calls stop. The quiet period is long
// enough that the scrape right after the calls comes before it.
TEST(HeapTrim, EmptiesSqlitePageCachesOnceCallsStop) {
  DaemonProcess d({.config_text = "[server]\nheap_trim_quiet_ms = 1500\n"});
  auto sqlite_bytes = [&] {
    auto page = parse_prometheus_text(split_http_reply(run_http_get(d.socket_path(), "/metrics")).body);
    return page.value("middlewared_sqlite_memory_bytes").value_or(-1);
  };
  auto root = RpcClient::unix_socket(d.socket_path());
  for (int i = 0; i < 60; ++i)
    root.call("vm.create", {json::object{{"name", "cached" + std::to_string(i)}, {"memory", 128}}});
  root.call("vm.query");
  const double busy = sqlite_bytes();
  ASSERT_GT(busy, 0);

  std::this_thread::sleep_for(4s);  // the quiet period, then at most one more for the trim's check
  const double quiet = sqlite_bytes();
  EXPECT_GT(quiet, 0);
  EXPECT_LT(quiet, busy * 3 / 4) << "SQLite held " << busy << " bytes after the calls and " << quiet << " once quiet";
}

TEST(PrometheusTextChecker, RejectsMalformedExposition) {
  EXPECT_FALSE(parse_prometheus_text("m 1\n").problems.empty()) << "no TYPE";
  EXPECT_FALSE(parse_prometheus_text("# TYPE m gauge\nm{a=\"1} 1\n").problems.empty()) << "unterminated value";
  EXPECT_FALSE(parse_prometheus_text("# TYPE m gauge\nm one\n").problems.empty()) << "bad value";
  EXPECT_FALSE(parse_prometheus_text("# TYPE m gauge\nm 1\n# TYPE n gauge\nn 1\nm 2\n").problems.empty())
      << "split family";
  EXPECT_FALSE(
      parse_prometheus_text("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 0\n")
          .problems.empty())
      << "not cumulative";
  EXPECT_TRUE(parse_prometheus_text("# HELP m x\n# TYPE m gauge\nm{a=\"q\\\"\"} 1\n").problems.empty());
}

}  // namespace
}  // namespace mw::test
