#include "event_recorder.hpp"

namespace mw::vm::hypervisor::testing {

std::shared_ptr<EventRecorder> EventRecorder::on(Domain& domain) {
  auto recorder = std::make_shared<EventRecorder>();
  domain.on_state_change([recorder](const DomainEvent& e) {
    {
      std::lock_guard lock(recorder->mutex_);
      recorder->events_.push_back(e);
    }
    recorder->cv_.notify_all();
  });
  return recorder;
}

std::optional<DomainEvent> EventRecorder::wait_for(const std::function<bool(const DomainEvent&)>& match,
                                                   std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::optional<DomainEvent> found;
  cv_.wait_for(lock, timeout, [&] {
    for (const auto& e : events_) {
      if (match(e)) {
        found = e;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::optional<DomainEvent> EventRecorder::wait_for(const std::string& name, std::chrono::milliseconds timeout) {
  return wait_for([&](const DomainEvent& e) { return e.event == name; }, timeout);
}

std::vector<DomainEvent> EventRecorder::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

}  // namespace mw::vm::hypervisor::testing
