#include <middlewared/guard.hpp>

#include <spdlog/spdlog.h>

namespace mw {

void log_unexpected(const std::shared_ptr<spdlog::logger>& log, std::string_view what,
                    std::exception_ptr error) noexcept {
  try {
    std::string text = "unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      text = e.what();
    } catch (...) {
    }
    (log ? log : spdlog::default_logger())->warn("unexpected exception in {}: {}", what, text);
  } catch (...) {
    // Logging itself failed (no memory): nothing more can be done, and the thread must go on.
  }
}

}  // namespace mw
