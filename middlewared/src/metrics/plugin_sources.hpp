#pragma once
// What plugins registered through PluginContext::add_metrics_source / add_health_source. A source
// that throws is logged and skipped: one broken plugin must not take /metrics or /health down.
#include <memory>
#include <mutex>
#include <vector>

#include <middlewared/metrics.hpp>

namespace spdlog {
class logger;
}

namespace mw::metrics {

class PluginSources {
 public:
  void add_metrics(MetricsSource source);
  void add_health(HealthSource source);

  void collect_metrics(std::vector<MetricSample>& out, spdlog::logger* log) const;
  void fill_health(json::object& out, spdlog::logger* log) const;

 private:
  mutable std::mutex mutex_;
  std::vector<MetricsSource> metrics_;
  std::vector<HealthSource> health_;
};

}  // namespace mw::metrics
