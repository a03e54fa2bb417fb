#pragma once
// Everything operational the daemon wires in beside the plugins, owned in one place so that
// main.cpp needs only a few lines: call metrics, the audit log and the heap trim (dispatcher
// observers), the audit.query method, and the /health and /metrics routes.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <middlewared/method.hpp>

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
namespace mw::rpc {
class Dispatcher;
}
namespace mw::audit {
class AuditLog;
}
namespace mw::metrics {
class CallMetrics;
}

namespace mw::app {

class HeapTrim;
class OpsRoutes;
class PluginHost;

class Operations {
 public:
  // Opens <state>/db/audit.sqlite and registers audit.query with `host` (so construct it before
  // the method table is compiled). Throws std::runtime_error when the database cannot be opened.
  Operations(PluginHost& host, events::EventHub& hub, jobs::JobManager& jobs, std::string version,
             std::shared_ptr<spdlog::logger> log);
  ~Operations();

  // Once every method is registered: decides which are audited and starts observing calls.
  void observe(rpc::Dispatcher& dispatcher, const std::vector<MethodInfo>& methods);
  // /health and /metrics; nullopt for other targets.
  std::optional<server::HttpResponse> http(std::string_view target);
  // More for the heap trim to give back once calls have stopped (HeapTrim::also_release); before
  // set_started().
  void also_release_when_quiet(std::function<void()> release);
  // Plugins have started: /health may say healthy, and the heap trim starts watching for quiet.
  void set_started();

 private:
  PluginHost& host_;
  std::shared_ptr<metrics::CallMetrics> calls_;
  std::shared_ptr<audit::AuditLog> audit_;
  std::shared_ptr<HeapTrim> heap_trim_;
  std::unique_ptr<OpsRoutes> routes_;
};

}  // namespace mw::app
