#pragma once
// What a plugin adds to GET /metrics (Prometheus text) and GET /health.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <middlewared/json.hpp>

namespace mw {

struct MetricSample {
  std::string name;  // "middlewared_vm_cpu_seconds_total"
  std::string help;
  std::string type;  // "gauge" or "counter"
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// Appends the plugin's current samples. Called at most once a second (the scrape is cached).
using MetricsSource = std::function<void(std::vector<MetricSample>&)>;

// Adds the plugin's fields to the /health object ("hypervisor", "kvm", "vms").
using HealthSource = std::function<void(json::object&)>;

}  // namespace mw
