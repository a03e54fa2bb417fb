#include "auth/assurance.hpp"

#include <algorithm>

namespace mw::plugins::auth {

std::optional<AssuranceLevel> parse_assurance_level(std::string_view name) {
  if (name == "LEVEL_1") return AssuranceLevel::Level1;
  if (name == "LEVEL_2") return AssuranceLevel::Level2;
  if (name == "LEVEL_3") return AssuranceLevel::Level3;
  return std::nullopt;
}

std::string assurance_level_name(AssuranceLevel level) { return "LEVEL_" + std::to_string(static_cast<int>(level)); }

std::vector<std::string> assurance_mechanisms(AssuranceLevel level) {
  switch (level) {
    case AssuranceLevel::Level1:
      return {"API_KEY_PLAIN", "TOKEN_PLAIN", "PASSWORD_PLAIN", "SCRAM"};
    case AssuranceLevel::Level2:
      // Plain keys and tokens are not replay resistant; SCRAM cannot carry the second factor.
      return {"PASSWORD_PLAIN"};
    case AssuranceLevel::Level3:
      break;
  }
  return {};
}

bool assurance_allows(AssuranceLevel level, std::string_view mechanism) {
  if (mechanism == "OTP_TOKEN") return true;
  auto allowed = assurance_mechanisms(level);
  return std::find(allowed.begin(), allowed.end(), mechanism) != allowed.end();
}

bool assurance_requires_otp(AssuranceLevel level) { return level != AssuranceLevel::Level1; }

}  // namespace mw::plugins::auth
