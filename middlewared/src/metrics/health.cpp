#include "metrics/health.hpp"

#include <cmath>
#include <cstdint>

#include "metrics/plugin_sources.hpp"

namespace mw::metrics {

HealthReport health_report(const HealthInputs& in, const PluginSources& sources, spdlog::logger* log) {
  HealthReport r;
  json::object& b = r.body;
  if (!in.started) {
    r.http_status = 503;
    b["status"] = "starting";
    b["reason"] = "the daemon is starting";
  } else if (!in.store.writable) {
    r.http_status = 503;
    b["status"] = "unhealthy";
    b["reason"] = "the database cannot be written: " + in.store.reason;
  } else {
    b["status"] = "healthy";
  }
  b["version"] = in.version;
  b["uptime_seconds"] = static_cast<std::int64_t>(std::floor(in.uptime_seconds));
  // Plugins' sources may rely on what their start() set up, so they are asked only afterwards.
  if (!in.started) return r;
  json::object extra;
  sources.fill_health(extra, log);
  for (auto& [k, v] : extra)
    if (!b.contains(k)) b[k] = std::move(v);  // a plugin never overrides the core's own fields
  return r;
}

}  // namespace mw::metrics
