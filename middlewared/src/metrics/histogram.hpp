#pragma once
// A Prometheus-style latency histogram with fixed upper bounds. observe() is a handful of relaxed
// atomic increments: it runs on the call path of every request.
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace mw::metrics {

class Histogram {
 public:
  // `upper_bounds` in seconds, strictly increasing; +Inf is implied.
  explicit Histogram(std::span<const double> upper_bounds);

  void observe(double seconds) noexcept;

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative;  // one per bound, then the +Inf bucket (== count)
    uint64_t count = 0;
    double sum = 0;  // seconds
  };
  Snapshot snapshot() const;

  // Call latencies: 100 µs to 60 s.
  static std::span<const double> default_bounds();

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket, not cumulative; last is +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_ns_{0};  // integral nanoseconds: no atomic double needed
};

}  // namespace mw::metrics
