#include "auth/failure_delay.hpp"

#include <thread>

#include "auth/crypto.hpp"

namespace mw::plugins::auth {

void FailureDelay::wait() const {
  std::string r = random_bytes(2);
  auto jitter_ms = ((static_cast<unsigned char>(r[0]) << 8) | static_cast<unsigned char>(r[1])) % kJitter.count();
  std::this_thread::sleep_until(start_ + kMinimum + std::chrono::milliseconds(jitter_ms));
}

}  // namespace mw::plugins::auth
