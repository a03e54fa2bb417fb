#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "hypervisor/qemu/process.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

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
