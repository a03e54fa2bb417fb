#pragma once
// Closes a connection that stays unauthenticated and silent for [limits]
// idle_unauthenticated_timeout: it would hold a descriptor and a place in the per-address count
// for nothing. Every WebSocket has one, JSON-RPC and plugin routes alike. Used on the
// connection's executor only.
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace mw::server {

class IdleWatch {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kCloseCode = 1008;  // policy violation
  static constexpr const char* kCloseReason = "Unauthenticated connection idle for too long";

  // `timeout` 0 or less: never closed.
  IdleWatch(boost::asio::any_io_executor executor, std::chrono::milliseconds timeout)
      : timer_(std::move(executor)), timeout_(timeout) {}

  // Starts watching. Once the connection has sent nothing for the timeout and `authenticated`
  // says no, `expired` runs. A pending wait holds `owner`, so the callbacks may use the
  // connection's `this`; stop() lets it go.
  void start(std::shared_ptr<void> owner, std::function<bool()> authenticated, std::function<void()> expired);
  // A message arrived.
  void activity() { last_activity_ = Clock::now(); }
  void stop();

  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  void arm(Clock::duration after);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds timeout_;
  Clock::time_point last_activity_ = Clock::now();
  std::shared_ptr<void> owner_;
  std::function<bool()> authenticated_;
  std::function<void()> expired_;
  bool stopped_ = false;
};

}  // namespace mw::server
