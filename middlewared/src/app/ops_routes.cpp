#include "app/ops_routes.hpp"

#include <array>

#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>

#include <middlewared/datastore.hpp>

#include "app/heap_trim.hpp"
#include "audit/audit_log.hpp"
#include "events/event_hub.hpp"
#include "jobs/job_manager.hpp"
#include "metrics/call_metrics.hpp"
#include "metrics/exposition.hpp"
#include "metrics/health.hpp"
#include "metrics/plugin_sources.hpp"
#include "metrics/process_metrics.hpp"
#include "session/client_session.hpp"

namespace mw::app {
namespace {

constexpr std::array<const char*, 5> kJobStates{"WAITING", "RUNNING", "SUCCESS", "FAILED", "ABORTED"};

}  // namespace

OpsRoutes::OpsRoutes(OpsSources sources)
    : s_(std::move(sources)),
      started_at_(std::chrono::steady_clock::now()),
      started_at_wall_(std::chrono::system_clock::now()),
      cache_([this] { return render_metrics(); }, std::chrono::seconds(1)) {}

OpsRoutes::~OpsRoutes() = default;

void OpsRoutes::set_started() { started_.store(true); }

std::optional<server::HttpResponse> OpsRoutes::handle(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/health") return health();
  if (path == "/metrics") return server::HttpResponse{200, metrics::kContentType, cache_.get()};
  return std::nullopt;
}

server::HttpResponse OpsRoutes::health() {
  metrics::HealthInputs in;
  in.started = started_.load();
  auto store = s_.audit.write_status();
  in.store = {store.ok, store.error};
  in.version = s_.version;
  in.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at_).count();
  auto report = metrics::health_report(in, s_.plugins, s_.log.get());
  return {report.http_status, "application/json", json::serialize(report.body) + "\n"};
}

std::string OpsRoutes::render_metrics() {
  using metrics::Family;
  std::vector<Family> families;
  families.push_back(
      {"middlewared_build_info", "Version of the running daemon.", "gauge", {{"", {{"version", s_.version}}, 1}}});
  families.push_back({"middlewared_start_time_seconds",
                      "When the daemon started, in seconds since the epoch.",
                      "gauge",
                      {{"", {}, std::chrono::duration<double>(started_at_wall_.time_since_epoch()).count()}}});

  // Connections, their logins and subscriptions, from one pass over the live sessions.
  Family connections{"middlewared_connections", "Open client connections (WebSocket).", "gauge", {}};
  Family sessions{"middlewared_sessions", "Authenticated connections by how they logged in.", "gauge", {}};
  Family subscriptions{"middlewared_subscriptions", "Event subscriptions over all connections.", "gauge", {}};
  std::map<std::string, double> by_credentials;
  double subscribed = 0;
  auto live = s_.hub.sessions();
  for (const auto& session : live) {
    if (auto creds = session->credentials()) by_credentials[creds->type] += 1;
    if (auto* c = dynamic_cast<session::ClientSession*>(session.get()))
      subscribed += static_cast<double>(c->subscription_count());
  }
  connections.series.push_back({"", {}, static_cast<double>(live.size())});
  for (const auto& [type, n] : by_credentials) sessions.series.push_back({"", {{"credentials", type}}, n});
  subscriptions.series.push_back({"", {}, subscribed});
  families.push_back(std::move(connections));
  families.push_back(std::move(sessions));
  families.push_back(std::move(subscriptions));

  Family jobs{"middlewared_jobs", "Retained jobs by state.", "gauge", {}};
  auto counts = s_.jobs.count_by_state();
  for (const char* state : kJobStates) {
    auto it = counts.find(state);
    jobs.series.push_back({"", {{"state", state}}, it == counts.end() ? 0.0 : static_cast<double>(it->second)});
  }
  families.push_back(std::move(jobs));

  s_.calls.collect(families);
  families.push_back({"middlewared_audit_dropped_total",
                      "Audit entries lost (queue full or database unwritable).",
                      "counter",
                      {{"", {}, static_cast<double>(s_.audit.dropped())}}});
  auto store = s_.audit.write_status();
  families.push_back({"middlewared_database_writable",
                      "1 when the last database write succeeded.",
                      "gauge",
                      {{"", {}, store.ok ? 1.0 : 0.0}}});

  if (auto self = metrics::read_self_figures()) metrics::append_process_families(*self, families);
  families.push_back({"middlewared_heap_trims_total",
                      "Times the heap's free pages were given back to the system after calls stopped.",
                      "counter",
                      {{"", {}, static_cast<double>(s_.heap_trim.trims())}}});
  families.push_back({"middlewared_heap_trimmed_bytes_total",
                      "Resident bytes those trims gave back.",
                      "counter",
                      {{"", {}, static_cast<double>(s_.heap_trim.released_bytes())}}});

  families.push_back({"middlewared_sqlite_memory_bytes",
                      "Heap memory SQLite holds over every database connection; its page caches are "
                      "emptied with the heap trim once calls have stopped.",
                      "gauge",
                      {{"", {}, static_cast<double>(Datastore::sqlite_heap_bytes())}}});

  std::vector<MetricSample> samples;
  s_.plugins.collect_metrics(samples, s_.log.get());
  std::vector<std::string> rejected;
  for (auto& f : metrics::families_from_samples(samples, &rejected)) families.push_back(std::move(f));
  for (const auto& name : rejected)
    s_.log->warn("metrics: dropped a plugin sample with an invalid name or type: {}", name);
  return metrics::render_text(families);
}

}  // namespace mw::app
