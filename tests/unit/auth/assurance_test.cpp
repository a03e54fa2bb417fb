#include <gtest/gtest.h>

#include "auth/assurance.hpp"

namespace mw::plugins::auth {
namespace {

using Mechanisms = std::vector<std::string>;

TEST(Assurance, LevelNamesRoundTripAndUnknownNamesAreRefused) {
  for (auto level : {AssuranceLevel::Level1, AssuranceLevel::Level2, AssuranceLevel::Level3})
    EXPECT_EQ(parse_assurance_level(assurance_level_name(level)), level);
  EXPECT_EQ(assurance_level_name(AssuranceLevel::Level2), "LEVEL_2");
  EXPECT_FALSE(parse_assurance_level("LEVEL_4"));
  EXPECT_FALSE(parse_assurance_level("level_1"));
}

TEST(Assurance, MechanismsFollowTheLevelAsInTrueNas) {
  EXPECT_EQ(assurance_mechanisms(AssuranceLevel::Level1),
            (Mechanisms{"API_KEY_PLAIN", "TOKEN_PLAIN", "PASSWORD_PLAIN", "SCRAM"}));
  EXPECT_EQ(assurance_mechanisms(AssuranceLevel::Level2), (Mechanisms{"PASSWORD_PLAIN"}));
  EXPECT_TRUE(assurance_mechanisms(AssuranceLevel::Level3).empty());
  EXPECT_FALSE(assurance_allows(AssuranceLevel::Level2, "SCRAM"));
  EXPECT_TRUE(assurance_allows(AssuranceLevel::Level2, "PASSWORD_PLAIN"));
  // The answer to a second-factor prompt is never refused by the level.
  EXPECT_TRUE(assurance_allows(AssuranceLevel::Level3, "OTP_TOKEN"));
}

TEST(Assurance, OnlyLevelOneWaivesTheSecondFactor) {
  EXPECT_FALSE(assurance_requires_otp(AssuranceLevel::Level1));
  EXPECT_TRUE(assurance_requires_otp(AssuranceLevel::Level2));
  EXPECT_TRUE(assurance_requires_otp(AssuranceLevel::Level3));
  AssuranceSetting s;
  EXPECT_EQ(s.get(), AssuranceLevel::Level1);
  s.set(AssuranceLevel::Level3);
  EXPECT_EQ(s.get(), AssuranceLevel::Level3);
}

}  // namespace
}  // namespace mw::plugins::auth
