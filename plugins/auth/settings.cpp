#include "auth/settings.hpp"

#include <algorithm>

namespace mw::plugins::auth {

AuthSettings AuthSettings::from_config(const Config& config) {
  AuthSettings s;
  s.pam_service = config.get_or("auth", "pam_service", s.pam_service);
  long long iterations = config.get_int("auth", "api_key_iterations", s.api_key_iterations);
  s.api_key_iterations = static_cast<int>(std::clamp<long long>(iterations, kMinApiKeyIterations, 10'000'000));
  s.allow_insecure_login = config.get_bool("auth", "allow_insecure_login", false);
  s.allow_api_key_on_plain_tcp = config.get_bool("auth", "allow_api_key_on_plain_tcp", false);
  long long max_ttl = config.get_int("auth", "token_max_ttl", s.token_max_ttl.count());
  s.token_max_ttl = std::chrono::seconds(std::clamp<long long>(max_ttl, 1, 30LL * 24 * 3600));
  return s;
}

}  // namespace mw::plugins::auth
