#include <gtest/gtest.h>

#include <middlewared/client_text.hpp>

namespace mw {
namespace {

TEST(LogText, EscapesControlCharactersSoNoLineCanBeForged) {
  EXPECT_EQ(log_text("evil\n[info] forged"), "evil\\n[info] forged");
  EXPECT_EQ(log_text("a\r\tb\\c"), "a\\r\\tb\\\\c");
  EXPECT_EQ(log_text(std::string("\x1b[31mred\x7f\0z", 11)), "\\x1b[31mred\\x7f\\x00z");
}

TEST(LogText, KeepsValidUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(log_text("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(log_text("bad\xff\xc3"), "bad\\xff\\xc3");
}

// The expected text is built in a named string: GCC 12 at -O1 misjudges `std::string(n, c) + "…"`
// (a temporary appended to in place) as writing past the temporary's inline buffer (-Warray-bounds).
std::string cut(std::size_t n, char c) {
  std::string out(n, c);
  out += "…";
  return out;
}

TEST(LogText, CapsTheLengthWithoutSplittingACharacter) {
  EXPECT_EQ(log_text(std::string(300, 'a')), cut(256, 'a'));
  EXPECT_EQ(log_text("ab\xc3\xa9", 3), "ab…");
  EXPECT_EQ(log_text("abc", 3), "abc");
}

TEST(EchoPrefix, ShortTextIsKeptAndLongTextCutAtACharacter) {
  EXPECT_EQ(echo_prefix("core.ping"), "core.ping");
  EXPECT_EQ(echo_prefix(std::string(8000, 'x')), cut(kEchoPrefix, 'x'));
  EXPECT_EQ(echo_prefix("ab\xc3\xa9z", 3), "ab…");
}

}  // namespace
}  // namespace mw
