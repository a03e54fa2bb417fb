#include "server/idle_watch.hpp"

namespace mw::server {

void IdleWatch::start(std::shared_ptr<void> owner, std::function<bool()> authenticated, std::function<void()> expired) {
  if (timeout_.count() <= 0 || stopped_) return;
  owner_ = std::move(owner);
  authenticated_ = std::move(authenticated);
  expired_ = std::move(expired);
  last_activity_ = Clock::now();
  arm(timeout_);
}

void IdleWatch::arm(Clock::duration after) {
  timer_.expires_after(after);
  // The handler holds the owner (not `this` alone): the connection outlives every pending wait.
  timer_.async_wait([this, owner = owner_](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    if (authenticated_()) return arm(timeout_);
    auto idle = Clock::now() - last_activity_;
    if (idle < timeout_) return arm(timeout_ - idle);
    stopped_ = true;
    auto expired = std::move(expired_);
    owner_.reset();
    expired();
  });
}

void IdleWatch::stop() {
  stopped_ = true;
  timer_.cancel();
  owner_.reset();
  authenticated_ = nullptr;
  expired_ = nullptr;
}

}  // namespace mw::server
