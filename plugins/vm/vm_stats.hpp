#pragma once
// The vm.stats event (our extension, docs/COMPATIBILITY.md): once a second, for each running VM,
// its CPU %, memory (balloon size and the QEMU process's resident memory), disk and network
// throughput, from the counters /metrics reads. It samples only while a connection subscribes.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <middlewared/events.hpp>

#include "runtime_registry.hpp"
#include "vm_metrics.hpp"
#include "vm_state.hpp"

namespace mw::vm {

inline constexpr const char* kStatsEvent = "vm.stats";

// The event's fields from two samples `seconds` apart (`before` null: the first one; rates null).
json::object stats_fields(int64_t id, const std::string& name, double now, const VmCounters& counters,
                          const VmCounters* before, double seconds);

class VmStatsSampler {
 public:
  VmStatsSampler(VmState& state, RuntimeRegistry& registry, EventBus& events,
                 std::chrono::milliseconds period = std::chrono::seconds(1));
  ~VmStatsSampler();
  void start();
  void stop();

 private:
  void run();
  void sample();

  VmState& state_;
  RuntimeRegistry& registry_;
  EventBus& events_;
  const std::chrono::milliseconds period_;
  struct Last {
    std::chrono::steady_clock::time_point at;
    VmCounters counters;
  };
  std::map<int64_t, Last> last_;  // sampler thread only
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace mw::vm
