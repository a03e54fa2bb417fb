#include "app/operations.hpp"

#include <middlewared/worker_pool.hpp>

#include <spdlog/spdlog.h>

#include "app/heap_trim.hpp"
#include "app/ops_routes.hpp"
#include "app/plugin_host.hpp"
#include "audit/audit_log.hpp"
#include "audit/audit_methods.hpp"
#include "metrics/call_metrics.hpp"
#include "rpc/dispatcher.hpp"

namespace mw::app {

Operations::Operations(PluginHost& host, events::EventHub& hub, jobs::JobManager& jobs, std::string version,
                       std::shared_ptr<spdlog::logger> log)
    : host_(host), calls_(std::make_shared<metrics::CallMetrics>()) {
  audit::AuditSettings settings;
  settings.max_rows = static_cast<std::size_t>(host.config().get_int("audit", "max_rows", 100000));
  audit_ =
      std::make_shared<audit::AuditLog>(host.open_datastore("audit", audit::AuditLog::migrations()), settings, log);
  host.add_method(audit::audit_query_method(*audit_));
  host.set_audit_sink([audit = audit_](const AuditEvent& event) { audit->record(event); });
  // [server] heap_trim_quiet_ms: how long calls must have stopped before the heap is trimmed, and a
  // pool thread must have waited before it gives back its stack; 0: never.
  const std::chrono::milliseconds quiet(host.config().get_int("server", "heap_trim_quiet_ms", 1000));
  WorkerPool::set_stack_release_after(quiet);
  heap_trim_ = std::make_shared<HeapTrim>(host.io_executor(), quiet, log);
  routes_ = std::make_unique<OpsRoutes>(
      OpsSources{hub, jobs, *calls_, host.plugin_sources(), *audit_, *heap_trim_, std::move(version), std::move(log)});
}

Operations::~Operations() = default;

void Operations::observe(rpc::Dispatcher& dispatcher, const std::vector<MethodInfo>& methods) {
  audit_->set_audited(audit::audited_methods(methods, host_.roles()));
  dispatcher.add_observer(calls_);
  dispatcher.add_observer(audit_);
  dispatcher.add_observer(heap_trim_);
}

void Operations::also_release_when_quiet(std::function<void()> release) {
  heap_trim_->also_release(std::move(release));
}

std::optional<server::HttpResponse> Operations::http(std::string_view target) { return routes_->handle(target); }

void Operations::set_started() {
  routes_->set_started();
  heap_trim_->start();
}

}  // namespace mw::app
