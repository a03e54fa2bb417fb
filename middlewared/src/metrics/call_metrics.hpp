#pragma once
// Counts every finished call by method and outcome and records its latency: the dispatcher's
// observer behind middlewared_calls_total and middlewared_call_duration_seconds.
// The call path takes a shared lock for the lookup and bumps atomics; the exclusive lock is taken
// only the first time a method is seen.
#include <array>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "metrics/exposition.hpp"
#include "metrics/histogram.hpp"
#include "rpc/call_observer.hpp"

namespace mw::metrics {

class CallMetrics : public rpc::CallObserver {
 public:
  CallMetrics();
  ~CallMetrics() override;

  void on_call(const rpc::CallRecord& record) noexcept override;

  // Appends the call families (counter by method/outcome, latency histogram by method).
  void collect(std::vector<Family>& out) const;

  // Unknown method names are client input: they share one label value so that a client cannot
  // grow the metric set without bound.
  static constexpr const char* kUnknownMethodLabel = "(unknown)";

 private:
  static constexpr std::size_t kOutcomes = 4;
  struct MethodStats {
    std::array<std::atomic<uint64_t>, kOutcomes> outcomes{};
    Histogram latency{Histogram::default_bounds()};
  };
  MethodStats& stats_for(std::string_view method);

  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<MethodStats>, std::less<>> methods_;
};

}  // namespace mw::metrics
