#include <gtest/gtest.h>

#include <string>

#include "server/close_reason.hpp"

namespace mw::server {
namespace {

TEST(CloseReason, ShortReasonsStayWhole) {
  EXPECT_EQ(std::string(close_reason(1000, "bye").reason.c_str()), "bye");
  std::string exact(kMaxCloseReason, 'x');
  EXPECT_EQ(close_reason(1000, exact).reason.size(), kMaxCloseReason);
}

TEST(CloseReason, LongReasonIsCutTo123BytesInsteadOfThrowing) {
  std::string name(150, 'n');
  auto r = close_reason(1011, "VM '" + name + "' is not running");
  EXPECT_EQ(static_cast<int>(r.code), 1011);
  EXPECT_EQ(std::string(r.reason.c_str()), ("VM '" + name).substr(0, kMaxCloseReason));
}

TEST(CloseReason, CutNeverSplitsAUtf8Character) {
  // "é" is 2 bytes, "€" 3, "😀" 4: whichever byte the limit falls on, the prefix ends on a boundary.
  for (std::string ch : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    for (std::size_t lead = 0; lead < ch.size(); ++lead) {
      std::string text = std::string(120 + lead, 'a');
      while (text.size() < 200) text += ch;
      std::string_view cut = utf8_prefix(text, kMaxCloseReason);
      EXPECT_LE(cut.size(), kMaxCloseReason);
      EXPECT_GT(cut.size(), kMaxCloseReason - ch.size());
      EXPECT_EQ((cut.size() - 120 - lead) % ch.size(), 0u) << "lead " << lead << " char bytes " << ch.size();
    }
  }
}

TEST(CloseReason, Utf8PrefixOfAShortTextIsTheText) {
  EXPECT_EQ(utf8_prefix("", 5), "");
  EXPECT_EQ(utf8_prefix("abc", 3), "abc");
  EXPECT_EQ(utf8_prefix("\xC3\xA9", 1), "");
}

}  // namespace
}  // namespace mw::server
