#pragma once
// The one guard every thread, pool task and I/O loop we start runs under: an exception nobody
// planned for is logged as a warning naming what was running, and never leaves the thread (which
// would end the daemon through std::terminate, or end the I/O loop of main()).
// Where a client waits for the outcome it gets kUnexpectedError, never the exception's text.
#include <exception>
#include <memory>
#include <string_view>
#include <utility>

namespace spdlog {
class logger;
}

namespace mw {

// What a client is told when its request failed in a way the code did not foresee.
inline constexpr std::string_view kUnexpectedError = "Internal error (the daemon log has the details)";

// Logs `error` as a warning: "unexpected exception in <what>: <what()>". Null `log`: the default logger.
void log_unexpected(const std::shared_ptr<spdlog::logger>& log, std::string_view what,
                    std::exception_ptr error) noexcept;

// Runs fn(); returns false when it threw (the exception is logged and swallowed).
template <class Fn>
bool run_guarded(const std::shared_ptr<spdlog::logger>& log, std::string_view what, Fn&& fn) noexcept {
  try {
    std::forward<Fn>(fn)();
    return true;
  } catch (...) {
    log_unexpected(log, what, std::current_exception());
    return false;
  }
}

// A thread's main loop (io_context::run, a queue consumer): run again after an escaped exception,
// until it returns normally. asio allows run() to be called again after a handler threw.
template <class Fn>
void run_guarded_loop(const std::shared_ptr<spdlog::logger>& log, std::string_view what, Fn&& fn) noexcept {
  while (!run_guarded(log, what, fn)) {
  }
}

}  // namespace mw
