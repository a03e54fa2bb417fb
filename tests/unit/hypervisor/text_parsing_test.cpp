#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "hypervisor/qemu/cpuset.hpp"
#include "hypervisor/qemu/process.hpp"
#include "hypervisor/qemu/shell_split.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

using Words = std::vector<std::string>;

TEST(ShellSplit, SplitsOnAnyWhitespace) {
  EXPECT_EQ(shell_split("  -a\tb\n c  "), (Words{"-a", "b", "c"}));
  EXPECT_TRUE(shell_split("   ").empty());
}

TEST(ShellSplit, KeepsQuotedSpacesAndJoinsAdjacentParts) {
  EXPECT_EQ(shell_split(R"(-smbios "type=1,manufacturer=Acme Corp" 'a b'c)"),
            (Words{"-smbios", "type=1,manufacturer=Acme Corp", "a bc"}));
}

TEST(ShellSplit, SingleQuotesAreLiteralDoubleQuotesEscapeOnlyShellSpecials) {
  EXPECT_EQ(shell_split(R"('a\"b' "c\"d\x")"), (Words{R"(a\"b)", R"(c"d\x)"}));
  EXPECT_EQ(shell_split(R"(a\ b)"), (Words{"a b"}));
  EXPECT_EQ(shell_split(R"("")"), (Words{""}));
}

TEST(ShellSplit, RejectsUnclosedQuotesLikeShlex) {
  EXPECT_THROW(
      {
        try {
          shell_split("-name 'oops");
        } catch (const std::invalid_argument& e) {
          EXPECT_STREQ(e.what(), "No closing quotation");
          throw;
        }
      },
      std::invalid_argument);
  EXPECT_THROW(shell_split("\"x"), std::invalid_argument);
  EXPECT_THROW(shell_split("x\\"), std::invalid_argument);
}

TEST(CpuSet, ExpandsRangesInOrder) {
  EXPECT_EQ(parse_cpuset("0-3,6"), (std::vector<int>{0, 1, 2, 3, 6}));
  EXPECT_EQ(parse_cpuset("5"), (std::vector<int>{5}));
}

TEST(CpuSet, RejectsMalformedLists) {
  for (const char* bad : {"", "a", "3-1", "1,,2", "-1", "1-"}) {
    EXPECT_THROW(parse_cpuset(bad), std::invalid_argument) << bad;
  }
}

TEST(TailLines, ReturnsTheLastNonEmptyLinesAfterAnOffset) {
  const auto path = std::filesystem::temp_directory_path() / ("mw-tail-" + std::to_string(::getpid()));
  {
    std::ofstream out(path);
    out << "old run\n\nline 1\nline 2\r\nline 3\n\n";
  }
  EXPECT_EQ(tail_lines(path, 2), "line 2\nline 3");
  EXPECT_EQ(tail_lines(path, 10, 8), "line 1\nline 2\nline 3");
  EXPECT_EQ(tail_lines("/nonexistent/log", 5), "");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
