#include "vm_stats.hpp"

namespace mw::vm {

json::object stats_fields(int64_t id, const std::string& name, double now, const VmCounters& c,
                          const VmCounters* before, double seconds) {
  const bool rates = before && seconds > 0;
  auto rate = [&](double now_value, double before_value) -> json::value {
    if (!rates || now_value < before_value) return nullptr;  // a restarted process resets its counters
    return (now_value - before_value) / seconds;
  };
  json::value cpu = nullptr;
  if (rates && c.cpu_seconds && before->cpu_seconds) cpu = rate(*c.cpu_seconds * 100, *before->cpu_seconds * 100);
  json::value rx = nullptr, tx = nullptr;
  if (!c.nics.empty()) {
    double r = 0, t = 0, r0 = 0, t0 = 0;
    for (const auto& n : c.nics) r += n.received, t += n.transmitted;
    if (before)
      for (const auto& n : before->nics) r0 += n.received, t0 += n.transmitted;
    rx = rate(r, r0);
    tx = rate(t, t0);
  }
  return json::object{
      {"id", id},
      {"name", name},
      {"time", now},
      {"cpu_percent", cpu},
      {"memory", json::object{{"balloon_actual", c.balloon_actual}, {"rss", c.resident_bytes}}},
      {"disk", json::object{{"read_bytes_per_second", rate(c.block_read, before ? before->block_read : 0)},
                            {"write_bytes_per_second", rate(c.block_written, before ? before->block_written : 0)}}},
      {"net", json::object{{"receive_bytes_per_second", rx}, {"transmit_bytes_per_second", tx}}}};
}

VmStatsSampler::VmStatsSampler(VmState& state, RuntimeRegistry& registry, EventBus& events,
                               std::chrono::milliseconds period)
    : state_(state), registry_(registry), events_(events), period_(period) {}

VmStatsSampler::~VmStatsSampler() { stop(); }

void VmStatsSampler::start() {
  thread_ = std::thread([this] { run(); });
}

void VmStatsSampler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void VmStatsSampler::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    if (events_.has_subscribers(kStatsEvent)) {
      sample();
    } else {
      last_.clear();  // rates restart from the next subscriber's first sample
    }
    lock.lock();
  }
}

void VmStatsSampler::sample() {
  const auto now = std::chrono::steady_clock::now();
  const double wall = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::map<int64_t, Last> next;
  for (const auto& [id, runtime] : registry_.all()) {
    auto domain = runtime->live_domain();
    if (!domain) continue;
    try {
      auto counters = read_vm_counters(state_, id, *domain);
      const auto vm = state_.catalog.vm(id);
      const std::string name = vm ? vm->name : std::string();
      auto it = last_.find(id);
      const Last* before = it == last_.end() ? nullptr : &it->second;
      const double seconds = before ? std::chrono::duration<double>(now - before->at).count() : 0;
      events_.publish(kStatsEvent, EventKind::Changed, id,
                      stats_fields(id, name, wall, counters, before ? &before->counters : nullptr, seconds));
      next[id] = Last{now, std::move(counters)};
    } catch (const std::exception&) {
      // The VM stopped between the listing and the reading: no figures for it this time.
    }
  }
  last_ = std::move(next);
}

}  // namespace mw::vm
