#pragma once
// Collects a domain's events so a test can wait for one (no fixed sleeps).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "hypervisor/hypervisor.hpp"

namespace mw::vm::hypervisor::testing {

class EventRecorder : public std::enable_shared_from_this<EventRecorder> {
 public:
  // The domain's callback shares ownership, so a late event never reaches a destroyed recorder.
  static std::shared_ptr<EventRecorder> on(Domain& domain);
  // The first recorded event (past or future) that matches, or nullopt after `timeout`.
  std::optional<DomainEvent> wait_for(const std::function<bool(const DomainEvent&)>& match,
                                      std::chrono::milliseconds timeout);
  std::optional<DomainEvent> wait_for(const std::string& name, std::chrono::milliseconds timeout);
  std::vector<DomainEvent> events() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<DomainEvent> events_;
};

}  // namespace mw::vm::hypervisor::testing
