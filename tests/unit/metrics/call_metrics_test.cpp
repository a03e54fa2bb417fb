#include "metrics/call_metrics.hpp"

#include <gtest/gtest.h>

namespace mw::metrics {
namespace {

rpc::CallRecord record(std::string_view method, rpc::CallOutcome outcome, std::chrono::milliseconds d) {
  rpc::CallRecord r;
  r.method = method;
  r.outcome = outcome;
  r.duration = d;
  return r;
}

std::string rendered(const CallMetrics& m) {
  std::vector<Family> f;
  m.collect(f);
  return render_text(f);
}

TEST(CallMetrics, CountsCallsByMethodAndOutcome) {
  CallMetrics m;
  m.on_call(record("vm.query", rpc::CallOutcome::Success, std::chrono::milliseconds(2)));
  m.on_call(record("vm.query", rpc::CallOutcome::Success, std::chrono::milliseconds(3)));
  m.on_call(record("vm.create", rpc::CallOutcome::Refused, std::chrono::milliseconds(0)));
  std::string text = rendered(m);
  EXPECT_NE(text.find("middlewared_calls_total{method=\"vm.query\",outcome=\"success\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("middlewared_calls_total{method=\"vm.create\",outcome=\"refused\"} 1\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("outcome=\"error\""), std::string::npos) << "zero counters are not listed";
}

TEST(CallMetrics, RecordsLatencyPerMethod) {
  CallMetrics m;
  m.on_call(record("vm.query", rpc::CallOutcome::Success, std::chrono::milliseconds(2)));
  m.on_call(record("vm.query", rpc::CallOutcome::Error, std::chrono::milliseconds(200)));
  std::string text = rendered(m);
  EXPECT_NE(text.find("middlewared_call_duration_seconds_bucket{method=\"vm.query\",le=\"0.0025\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("middlewared_call_duration_seconds_bucket{method=\"vm.query\",le=\"+Inf\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("middlewared_call_duration_seconds_sum{method=\"vm.query\"} 0.202\n"), std::string::npos) << text;
  EXPECT_NE(text.find("middlewared_call_duration_seconds_count{method=\"vm.query\"} 2\n"), std::string::npos);
}

TEST(CallMetrics, UnknownMethodNamesShareOneLabel) {
  CallMetrics m;
  m.on_call(record("no.such_1", rpc::CallOutcome::UnknownMethod, std::chrono::milliseconds(0)));
  m.on_call(record("no.such_2", rpc::CallOutcome::UnknownMethod, std::chrono::milliseconds(0)));
  std::string text = rendered(m);
  EXPECT_NE(text.find("middlewared_calls_total{method=\"(unknown)\",outcome=\"unknown_method\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("no.such"), std::string::npos);
}

}  // namespace
}  // namespace mw::metrics
