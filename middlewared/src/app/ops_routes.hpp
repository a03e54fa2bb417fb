#pragma once
// GET /health and GET /metrics: what an operator's load balancer and Prometheus read.
// /health answers from state kept current elsewhere (the audit writer's database probe), so it
// never blocks the network thread; /metrics is rendered at most once per second (ScrapeCache).
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/scrape_cache.hpp"
#include "server/server.hpp"

namespace spdlog {
class logger;
}
namespace mw::events {
class EventHub;
}
namespace mw::jobs {
class JobManager;
}
namespace mw::audit {
class AuditLog;
}
namespace mw::metrics {
class CallMetrics;
class PluginSources;
}  // namespace mw::metrics

namespace mw::app {

class HeapTrim;

struct OpsSources {
  events::EventHub& hub;
  jobs::JobManager& jobs;
  const metrics::CallMetrics& calls;
  const metrics::PluginSources& plugins;
  const audit::AuditLog& audit;
  const HeapTrim& heap_trim;
  std::string version;
  std::shared_ptr<spdlog::logger> log;
};

class OpsRoutes {
 public:
  explicit OpsRoutes(OpsSources sources);
  ~OpsRoutes();

  // Until then /health answers 503 "starting" (plugins are still starting).
  void set_started();
  // The answer for /health or /metrics; nullopt for any other target.
  std::optional<server::HttpResponse> handle(std::string_view target);

 private:
  server::HttpResponse health();
  std::string render_metrics();

  OpsSources s_;
  std::chrono::steady_clock::time_point started_at_;
  std::chrono::system_clock::time_point started_at_wall_;
  std::atomic<bool> started_{false};
  metrics::ScrapeCache cache_;
};

}  // namespace mw::app
