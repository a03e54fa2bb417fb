#pragma once
// GET /health: 200 {"status":"healthy", version, uptime_seconds, plus what plugins add
// (hypervisor, kvm, vms)}; 503 with "status" and "reason" while the daemon is starting or when
// the database cannot be written.
#include <string>

#include <middlewared/json.hpp>

namespace spdlog {
class logger;
}

namespace mw::metrics {

class PluginSources;

struct StoreStatus {
  bool writable = true;
  std::string reason;  // why not, when !writable
};

struct HealthInputs {
  bool started = false;
  StoreStatus store;
  std::string version;
  double uptime_seconds = 0;
};

struct HealthReport {
  int http_status = 200;
  json::object body;
};

HealthReport health_report(const HealthInputs& in, const PluginSources& sources, spdlog::logger* log);

}  // namespace mw::metrics
