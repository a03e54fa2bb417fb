#include "metrics/call_metrics.hpp"

#include <mutex>

namespace mw::metrics {
namespace {

constexpr std::array<rpc::CallOutcome, 4> kAllOutcomes{rpc::CallOutcome::Success, rpc::CallOutcome::Error,
                                                       rpc::CallOutcome::Refused, rpc::CallOutcome::UnknownMethod};

std::size_t outcome_index(rpc::CallOutcome o) {
  for (std::size_t i = 0; i < kAllOutcomes.size(); ++i)
    if (kAllOutcomes[i] == o) return i;
  return 1;
}

}  // namespace

CallMetrics::CallMetrics() = default;
CallMetrics::~CallMetrics() = default;

CallMetrics::MethodStats& CallMetrics::stats_for(std::string_view method) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = methods_.find(method); it != methods_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto [it, inserted] = methods_.try_emplace(std::string(method));
  if (inserted) it->second = std::make_unique<MethodStats>();
  return *it->second;
}

void CallMetrics::on_call(const rpc::CallRecord& record) noexcept {
  try {
    std::string_view method =
        record.outcome == rpc::CallOutcome::UnknownMethod ? std::string_view(kUnknownMethodLabel) : record.method;
    MethodStats& s = stats_for(method);
    s.outcomes[outcome_index(record.outcome)].fetch_add(1, std::memory_order_relaxed);
    s.latency.observe(std::chrono::duration<double>(record.duration).count());
  } catch (...) {
    // Only an allocation failure on a method's first call can land here; losing one count is fine.
  }
}

void CallMetrics::collect(std::vector<Family>& out) const {
  Family calls{"middlewared_calls_total", "Finished JSON-RPC calls by method and outcome.", "counter", {}};
  Family latency{"middlewared_call_duration_seconds",
                 "Time from receiving a call to answering it (job methods: until the job was accepted).",
                 "histogram",
                 {}};
  std::shared_lock lock(mutex_);
  for (const auto& [method, stats] : methods_) {
    for (std::size_t i = 0; i < kOutcomes; ++i) {
      uint64_t n = stats->outcomes[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      calls.series.push_back(
          {"", {{"method", method}, {"outcome", rpc::call_outcome_name(kAllOutcomes[i])}}, static_cast<double>(n)});
    }
    auto snap = stats->latency.snapshot();
    for (std::size_t i = 0; i < snap.cumulative.size(); ++i) {
      std::string le = i < snap.upper_bounds.size() ? format_value(snap.upper_bounds[i]) : "+Inf";
      latency.series.push_back({"_bucket", {{"method", method}, {"le", le}}, static_cast<double>(snap.cumulative[i])});
    }
    latency.series.push_back({"_sum", {{"method", method}}, snap.sum});
    latency.series.push_back({"_count", {{"method", method}}, static_cast<double>(snap.count)});
  }
  out.push_back(std::move(calls));
  out.push_back(std::move(latency));
}

}  // namespace mw::metrics
