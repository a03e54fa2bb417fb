#pragma once
// Authenticator assurance levels (NIST SP 800-63B section 4), as TrueNAS applies them to logins:
// the level decides which auth.login_ex mechanisms are accepted (auth.mechanism_choices) and
// whether a second factor is mandatory. LEVEL_1 is the default. Two-factor logins do not exist
// here, so at LEVEL_2 a password login fails as it does on TrueNAS for an account without a
// second factor, and LEVEL_3 accepts no mechanism at all.
#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mw::plugins::auth {

enum class AssuranceLevel { Level1 = 1, Level2 = 2, Level3 = 3 };

// "LEVEL_1" ... ; nullopt for any other text.
std::optional<AssuranceLevel> parse_assurance_level(std::string_view name);
std::string assurance_level_name(AssuranceLevel level);
// The auth.login_ex mechanisms the level accepts, in TrueNAS's order (OTP_TOKEN, the answer to a
// second-factor prompt, is always accepted and not listed).
std::vector<std::string> assurance_mechanisms(AssuranceLevel level);
bool assurance_allows(AssuranceLevel level, std::string_view mechanism);
bool assurance_requires_otp(AssuranceLevel level);

// The daemon's current level (in memory, as in TrueNAS; a restart is back at LEVEL_1).
class AssuranceSetting {
 public:
  AssuranceLevel get() const { return level_.load(); }
  void set(AssuranceLevel level) { level_.store(level); }

 private:
  std::atomic<AssuranceLevel> level_{AssuranceLevel::Level1};
};

}  // namespace mw::plugins::auth
