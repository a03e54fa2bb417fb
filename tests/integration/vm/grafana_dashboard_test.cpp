// etc/grafana/middlewared.json queries only metrics the daemon exports: every metric name in its
// PromQL (panels and template variables) appears on a live /metrics page of a daemon running a VM
// with a bridged NIC, so the dashboard has no panel that could stay empty because of a typo.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "support/http_get.hpp"
#include "vm_daemon_fixture.hpp"

namespace vm_it {
namespace {

// Every PromQL text in a Grafana dashboard: targets' "expr" and query variables' "query"/"definition".
void collect_queries(const json::value& v, std::vector<std::string>& out) {
  if (v.is_array()) {
    for (const auto& e : v.as_array()) collect_queries(e, out);
  } else if (v.is_object()) {
    for (const auto& [key, value] : v.as_object()) {
      if ((key == "expr" || key == "definition") && value.is_string()) out.emplace_back(value.as_string());
      collect_queries(value, out);
    }
  }
}

// The metric names a PromQL expression selects: identifiers that are not functions (followed by
// '('), keywords, label names (inside {} or by/without lists), durations or string contents.
std::set<std::string> metric_names(std::string expr) {
  static const std::regex strings(R"("[^"]*")"), braces(R"(\{[^}]*\})"), ranges(R"(\[[^\]]*\])"),
      groupings(R"(\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\))"),
      identifier(R"(([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?)");
  static const std::set<std::string> keywords{"and", "or", "unless", "bool", "offset", "by", "without", "inf", "nan"};
  for (const auto* re : {&strings, &braces, &ranges, &groupings}) expr = std::regex_replace(expr, *re, " ");
  std::set<std::string> names;
  for (std::sregex_iterator it(expr.begin(), expr.end(), identifier), end; it != end; ++it) {
    const auto pos = static_cast<std::size_t>(it->position(0));
    if ((*it)[2].matched || keywords.contains((*it)[1].str())) continue;
    if (pos > 0 && (std::isdigit(static_cast<unsigned char>(expr[pos - 1])) || expr[pos - 1] == '.')) continue;
    names.insert((*it)[1].str());
  }
  return names;
}

// Series names (histogram suffixes included) on a Prometheus text page.
std::set<std::string> exported_names(const std::string& page) {
  std::set<std::string> names;
  std::istringstream lines(page);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != '#') names.insert(line.substr(0, line.find_first_of("{ ")));
  return names;
}

class GrafanaDashboardTest : public VmDaemonTest {
 protected:
  static void SetUpTestSuite() {
    have_bridge_ = enter_namespace_with_bridge();
    VmDaemonTest::SetUpTestSuite();
  }
  static inline bool have_bridge_ = false;
};

TEST(GrafanaQueries, MetricNamesAreFoundOutsideLabelsFunctionsAndRanges) {
  EXPECT_EQ(metric_names(R"(histogram_quantile(0.95, sum by (le, method) (rate(a_bucket{job=~"$job", x="y z"}[5m]))))"),
            std::set<std::string>{"a_bucket"});
  EXPECT_EQ(metric_names("time() - b_seconds / c_total offset 1h"), (std::set<std::string>{"b_seconds", "c_total"}));
  EXPECT_EQ(metric_names("label_values(d_info{job=~\"$job\"}, instance)"),
            (std::set<std::string>{"d_info", "instance"}));
}

TEST_F(GrafanaDashboardTest, EveryMetricItsQueriesUseIsOnTheLiveMetricsPage) {
  if (!have_bridge_) GTEST_SKIP() << "needs root to create br0 in a private network namespace (for the NIC series)";
  std::ifstream file(std::string(MW_SOURCE_DIR) + "/etc/grafana/middlewared.json");
  ASSERT_TRUE(file) << "etc/grafana/middlewared.json is missing";
  std::stringstream text;
  text << file.rdbuf();
  const auto dashboard = json::parse(text.str());
  std::vector<std::string> queries;
  collect_queries(dashboard, queries);
  ASSERT_GE(queries.size(), 20u);

  // A running diskless VM with a NIC on br0 makes every per-VM family appear.
  auto vm =
      call("vm.create",
           {js(R"({"name": "grafana", "memory": 64, "bootloader": "UEFI_CSM", "ensure_display_device": false})")});
  const auto id = vm.at("id").as_int64();
  call("vm.device.create",
       {js(R"({"vm": )" + std::to_string(id) + R"(, "attributes": {"dtype": "NIC", "nic_attach": "br0"}})")});
  call("vm.start", {id});
  auto session = client();  // an open, logged-in connection: middlewared_sessions has a series
  session.call("core.ping");
  const auto reply = mw::test::run_http_get(daemon_->socket_path(), "/metrics");
  call("vm.poweroff", {id});
  call("vm.delete", {id});
  const auto exported = exported_names(reply.substr(reply.find("\r\n\r\n") + 4));

  for (const auto& query : queries) {
    auto names = metric_names(query);
    // label_values(metric, label): the second argument is a label, not a metric.
    if (query.rfind("label_values(", 0) == 0)
      names.erase(query.substr(query.rfind(',') + 1, query.rfind(')') - query.rfind(',') - 1).erase(0, 1));
    EXPECT_FALSE(names.empty()) << "no metric in: " << query;
    for (const auto& name : names)
      EXPECT_TRUE(exported.contains(name)) << name << " (in " << query << ") is not on /metrics";
  }
}

}  // namespace
}  // namespace vm_it
