#include "metrics/health.hpp"

#include <gtest/gtest.h>

#include "metrics/plugin_sources.hpp"

namespace mw::metrics {
namespace {

void add_vm_like_source(PluginSources& s) {
  s.add_health([](json::object& o) {
    o["hypervisor"] = "qemu 7.2.0";
    o["kvm"] = false;
    o["vms"] = json::object{{"total", 2}, {"running", 1}};
  });
}

TEST(Health, HealthyWhenStartedAndTheStoreTakesWrites) {
  PluginSources sources;
  add_vm_like_source(sources);
  auto r = health_report({true, {true, ""}, "0.1.0", 12.7}, sources, nullptr);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, (json::object{{"status", "healthy"},
                                  {"version", "0.1.0"},
                                  {"uptime_seconds", 12},
                                  {"hypervisor", "qemu 7.2.0"},
                                  {"kvm", false},
                                  {"vms", json::object{{"total", 2}, {"running", 1}}}}));
}

TEST(Health, StartingAnswers503WithAReasonAndDoesNotAskPlugins) {
  PluginSources sources;
  add_vm_like_source(sources);
  auto r = health_report({false, {true, ""}, "0.1.0", 0}, sources, nullptr);
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.body.at("status"), "starting");
  EXPECT_EQ(r.body.at("reason"), "the daemon is starting");
  EXPECT_FALSE(r.body.contains("vms"));
}

TEST(Health, UnwritableStoreAnswers503NamingTheError) {
  PluginSources none;
  auto r = health_report({true, {false, "database is locked"}, "0.1.0", 5}, none, nullptr);
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.body.at("status"), "unhealthy");
  EXPECT_EQ(r.body.at("reason"), "the database cannot be written: database is locked");
}

TEST(Health, PluginsCannotOverrideCoreFieldsAndAFailingSourceIsSkipped) {
  PluginSources s;
  s.add_health([](json::object& o) { throw std::runtime_error("boom"); });
  s.add_health([](json::object& o) {
    o["status"] = "fine, really";
    o["kvm"] = true;
  });
  auto r = health_report({true, {true, ""}, "0.1.0", 1}, s, nullptr);
  EXPECT_EQ(r.body.at("status"), "healthy");
  EXPECT_EQ(r.body.at("kvm"), true);
}

TEST(PluginSourcesTest, AFailingMetricsSourceContributesNothing) {
  PluginSources s;
  s.add_metrics([](std::vector<MetricSample>& out) {
    out.push_back({"a", "", "gauge", {}, 1});
    throw std::runtime_error("half way");
  });
  s.add_metrics([](std::vector<MetricSample>& out) { out.push_back({"b", "", "gauge", {}, 2}); });
  std::vector<MetricSample> samples;
  s.collect_metrics(samples, nullptr);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].name, "b");
}

}  // namespace
}  // namespace mw::metrics
