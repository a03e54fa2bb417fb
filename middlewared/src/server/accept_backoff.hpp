#pragma once
// What an accept loop does after a failed accept. Out of descriptors (EMFILE, ENFILE) or memory,
// the connection stays in the listen backlog and the next accept fails at once: retrying at once
// spins a core for as long as the shortage lasts. So wait a little before the next attempt, and
// say so once per burst of failures rather than once per attempt. Used on the listener's
// executor only.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

namespace spdlog {
class logger;
}

namespace mw::server {

class AcceptBackoff {
 public:
  static constexpr std::chrono::milliseconds kPause{100};

  // `listener` names the listener in log lines ("tcp 127.0.0.1:6000").
  AcceptBackoff(boost::asio::any_io_executor executor, std::shared_ptr<spdlog::logger> log, std::string listener)
      : timer_(std::move(executor)), log_(std::move(log)), listener_(std::move(listener)) {}

  // After a failed accept: `retry` runs at once when only that one connection failed (it was
  // reset before we took it), else after kPause.
  void failed(const boost::system::error_code& ec, std::function<void()> retry);
  // After a successful accept: a burst of failures, if any, is over.
  void succeeded();
  // The listener is closing: a pending retry is dropped.
  void stop() { timer_.cancel(); }

 private:
  boost::asio::steady_timer timer_;
  std::shared_ptr<spdlog::logger> log_;
  std::string listener_;
  std::size_t failures_ = 0;  // in the current burst
};

}  // namespace mw::server
