#include "metrics/plugin_sources.hpp"

#include <spdlog/spdlog.h>

namespace mw::metrics {

void PluginSources::add_metrics(MetricsSource source) {
  std::lock_guard lock(mutex_);
  metrics_.push_back(std::move(source));
}

void PluginSources::add_health(HealthSource source) {
  std::lock_guard lock(mutex_);
  health_.push_back(std::move(source));
}

void PluginSources::collect_metrics(std::vector<MetricSample>& out, spdlog::logger* log) const {
  std::lock_guard lock(mutex_);
  for (const auto& source : metrics_) {
    std::size_t before = out.size();
    try {
      source(out);
    } catch (const std::exception& e) {
      out.resize(before);  // a half-filled contribution would be misleading
      if (log) log->warn("a metrics source failed: {}", e.what());
    }
  }
}

void PluginSources::fill_health(json::object& out, spdlog::logger* log) const {
  std::lock_guard lock(mutex_);
  for (const auto& source : health_) {
    try {
      source(out);
    } catch (const std::exception& e) {
      if (log) log->warn("a health source failed: {}", e.what());
    }
  }
}

}  // namespace mw::metrics
