#include "auth/auth_state.hpp"

#include <chrono>

namespace mw::plugins::auth {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json::object date_value(int64_t ms) { return {{"$date", ms}}; }

}  // namespace mw::plugins::auth
