// The process_* figures read from /proc/<pid>/stat.
#include <gtest/gtest.h>

#include <unistd.h>

#include "metrics/process_metrics.hpp"

namespace mw::metrics {
namespace {

// Fields 3..24 of a real /proc/self/stat line, with a command name holding ") (" to check that
// fields are counted after the last parenthesis.
const std::string kStat =
    "4242 (we) (ird) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 150 0 0 20 0 9 0 "
    "12000 104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";

TEST(ProcessMetrics, ParsesCpuMemoryAndStartTimeFromProcStat) {
  auto f = parse_proc_stat(kStat, 1'700'000'000, 100, 4096);
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->cpu_seconds, 4.0);                     // (250 + 150) ticks / 100
  EXPECT_DOUBLE_EQ(f->start_time_seconds, 1'700'000'120.0);  // boot + 12000 / 100
  EXPECT_DOUBLE_EQ(f->virtual_bytes, 104857600.0);
  EXPECT_DOUBLE_EQ(f->resident_bytes, 2560.0 * 4096);
}

TEST(ProcessMetrics, RejectsTruncatedOrGarbledStat) {
  EXPECT_FALSE(parse_proc_stat("4242 (x) S 1 2 3", 0, 100, 4096));
  EXPECT_FALSE(parse_proc_stat("no parenthesis here", 0, 100, 4096));
  EXPECT_FALSE(parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 abc 1 0 0 20 0 1 0 5 6 7", 0, 100, 4096));
}

TEST(ProcessMetrics, SelfFiguresAreThoseOfThisProcess) {
  auto f = read_self_figures();
  ASSERT_TRUE(f);
  EXPECT_GT(f->resident_bytes, 1024 * 1024);
  EXPECT_GE(f->virtual_bytes, f->resident_bytes);
  EXPECT_GE(f->open_fds, 3);  // stdin, stdout, stderr at least
  EXPECT_GT(f->max_fds, f->open_fds);
  EXPECT_LE(f->start_time_seconds, static_cast<double>(::time(nullptr)) + 1);
  EXPECT_GT(f->start_time_seconds, static_cast<double>(::time(nullptr)) - 3600);
}

TEST(ProcessMetrics, FamiliesCarryTheClientLibraryNamesAndTypes) {
  std::vector<Family> out;
  append_process_families(ProcessFigures{1.5, 2, 3, 4, 5, 6}, out);
  auto text = render_text(out);
  for (const char* line : {"# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n",
                           "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 2\n",
                           "process_virtual_memory_bytes 3\n", "process_start_time_seconds 4\n", "process_open_fds 5\n",
                           "process_max_fds 6\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
}

}  // namespace
}  // namespace mw::metrics
