#pragma once
// Failed logins cost at least one second, measured from the start of the attempt, so that an
// unknown user, a wrong password and a wrong key take the same time (the work done before the
// failure is hidden inside the delay). Sleeps without holding any lock.
#include <chrono>

namespace mw::plugins::auth {

class FailureDelay {
 public:
  static constexpr std::chrono::milliseconds kMinimum{1000};
  static constexpr std::chrono::milliseconds kJitter{250};

  FailureDelay() : start_(std::chrono::steady_clock::now()) {}
  // Sleeps until start + kMinimum + a random part of kJitter.
  void wait() const;

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace mw::plugins::auth
