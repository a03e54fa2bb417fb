// Every tests/golden/qemu/<case>.json must build exactly <case>.argv (or fail with <case>.error).
// MW_UPDATE_GOLDEN=1 rewrites the expected files from the current builder.
#include <cstdlib>

#include <gtest/gtest.h>

#include "golden_case.hpp"

namespace mw::vm::hypervisor::qemu::testing {
namespace {

const std::filesystem::path kGoldenDir = MW_GOLDEN_DIR;

class GoldenCommandLine : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCommandLine, BuildsTheExpectedArgv) {
  const auto c = load_golden_case(kGoldenDir, GetParam());
  std::string actual;
  std::filesystem::path expected_path = kGoldenDir / (c.name + ".argv");
  const auto error_path = kGoldenDir / (c.name + ".error");
  try {
    actual = render(build_command_line(c.typed_vm(), c.typed_devices(), c.facts));
  } catch (const CommandLineError& e) {
    actual = render_error(e.what());
    expected_path = error_path;
  }
  const char* update = std::getenv("MW_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::filesystem::remove(kGoldenDir / (c.name + ".argv"));
    std::filesystem::remove(error_path);
    write_text(expected_path, actual);
    GTEST_SKIP() << "rewrote " << expected_path;
  }
  ASSERT_TRUE(std::filesystem::exists(expected_path)) << expected_path << " is missing; the builder produced:\n"
                                                      << actual;
  const auto expected = file_text(expected_path);
  EXPECT_EQ(expected, actual) << "golden " << expected_path.filename().string() << " differs (- expected, + actual):\n"
                              << line_diff(expected, actual);
}

INSTANTIATE_TEST_SUITE_P(Cases, GoldenCommandLine, ::testing::ValuesIn(golden_case_names(kGoldenDir)),
                         [](const auto& info) { return info.param; });

TEST(GoldenCorpus, HasAtLeastTwentyFiveCases) { EXPECT_GE(golden_case_names(kGoldenDir).size(), 25u); }

}  // namespace
}  // namespace mw::vm::hypervisor::qemu::testing
