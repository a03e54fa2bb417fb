// The fields of a vm.stats event from two samples of a VM's counters.
#include <gtest/gtest.h>

#include "vm_stats.hpp"

namespace mw::vm {
namespace {

VmCounters sample(double cpu, double read, double written, std::vector<VmCounters::Nic> nics = {}) {
  VmCounters c;
  c.cpu_seconds = cpu;
  c.resident_bytes = 300 << 20;
  c.balloon_actual = 512 << 20;
  c.block_read = read;
  c.block_written = written;
  c.nics = std::move(nics);
  return c;
}

TEST(VmStats, RatesComeFromTwoSamplesOverTheirInterval) {
  auto before = sample(10.0, 1000, 0, {{7, 100, 50}});
  auto now = sample(10.5, 5000, 2048, {{7, 300, 150}});
  auto f = stats_fields(3, "web", 1700000000.5, now, &before, 2.0);
  EXPECT_EQ(f.at("id"), 3);
  EXPECT_EQ(f.at("name"), "web");
  EXPECT_DOUBLE_EQ(f.at("cpu_percent").as_double(), 25.0);  // half a CPU second in two seconds
  EXPECT_EQ(f.at("memory"), (json::object{{"balloon_actual", 512 << 20}, {"rss", 300 << 20}}));
  EXPECT_DOUBLE_EQ(f.at("disk").at("read_bytes_per_second").as_double(), 2000.0);
  EXPECT_DOUBLE_EQ(f.at("disk").at("write_bytes_per_second").as_double(), 1024.0);
  EXPECT_DOUBLE_EQ(f.at("net").at("receive_bytes_per_second").as_double(), 100.0);
  EXPECT_DOUBLE_EQ(f.at("net").at("transmit_bytes_per_second").as_double(), 50.0);
}

TEST(VmStats, FirstSampleAndResetCountersHaveNoRates) {
  auto first = stats_fields(1, "a", 1.0, sample(5, 10, 10), nullptr, 0);
  EXPECT_TRUE(first.at("cpu_percent").is_null());
  EXPECT_TRUE(first.at("disk").at("read_bytes_per_second").is_null());
  EXPECT_TRUE(first.at("net").at("receive_bytes_per_second").is_null());  // no bridged NIC
  // A restarted QEMU starts its counters again: no negative rate.
  auto before = sample(50, 1 << 20, 0);
  auto after = stats_fields(1, "a", 2.0, sample(1, 0, 0), &before, 1.0);
  EXPECT_TRUE(after.at("cpu_percent").is_null());
  EXPECT_TRUE(after.at("disk").at("read_bytes_per_second").is_null());
}

}  // namespace
}  // namespace mw::vm
