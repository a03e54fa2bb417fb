#include "metrics/exposition.hpp"

#include <gtest/gtest.h>

namespace mw::metrics {
namespace {

TEST(Exposition, RendersHelpTypeAndSeriesWithLabels) {
  std::vector<Family> f{
      {"mw_calls_total", "Calls.", "counter", {{"", {{"method", "vm.query"}, {"outcome", "success"}}, 3}}}};
  EXPECT_EQ(render_text(f),
            "# HELP mw_calls_total Calls.\n"
            "# TYPE mw_calls_total counter\n"
            "mw_calls_total{method=\"vm.query\",outcome=\"success\"} 3\n");
}

TEST(Exposition, EscapesLabelValuesAndHelpText) {
  std::vector<Family> f{{"m", "a \\ b\nc", "gauge", {{"", {{"v", "q\"u\\o\nte"}}, 1}}}};
  EXPECT_EQ(render_text(f), "# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{v=\"q\\\"u\\\\o\\nte\"} 1\n");
}

TEST(Exposition, MergesFamiliesThatShareAName) {
  std::vector<Family> f{{"m", "first", "gauge", {{"", {{"a", "1"}}, 1}}},
                        {"other", "o", "gauge", {{"", {}, 5}}},
                        {"m", "second", "gauge", {{"", {{"a", "2"}}, 2}}}};
  EXPECT_EQ(render_text(f),
            "# HELP m first\n# TYPE m gauge\nm{a=\"1\"} 1\nm{a=\"2\"} 2\n"
            "# HELP other o\n# TYPE other gauge\nother 5\n");
}

TEST(Exposition, FormatsSpecialAndFractionalValues) {
  EXPECT_EQ(format_value(0.0001), "0.0001");
  EXPECT_EQ(format_value(2.5), "2.5");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
}

TEST(Exposition, ChecksMetricAndLabelNames) {
  EXPECT_TRUE(valid_metric_name("middlewared_vm_cpu_seconds_total"));
  EXPECT_TRUE(valid_metric_name("ns:rule_name"));
  EXPECT_FALSE(valid_metric_name("9lives"));
  EXPECT_FALSE(valid_metric_name("vm.cpu"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_TRUE(valid_label_name("vm_id"));
  EXPECT_FALSE(valid_label_name("__name__"));
  EXPECT_FALSE(valid_label_name("a:b"));
}

TEST(Exposition, GroupsPluginSamplesByNameAndDropsInvalidOnes) {
  std::vector<MetricSample> samples{
      {"mw_vm_memory_bytes", "Balloon size.", "gauge", {{"vm", "1"}}, 100},
      {"bad.name", "x", "gauge", {}, 1},
      {"mw_vm_memory_bytes", "Balloon size.", "gauge", {{"vm", "2"}}, 200},
      {"mw_weird", "x", "summary", {}, 1},
      {"mw_label", "x", "gauge", {{"__reserved", "1"}}, 1},
  };
  std::vector<std::string> rejected;
  auto families = families_from_samples(samples, &rejected);
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].series.size(), 2u);
  EXPECT_EQ(rejected, (std::vector<std::string>{"bad.name", "mw_weird", "mw_label"}));
}

}  // namespace
}  // namespace mw::metrics
