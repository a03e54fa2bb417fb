// Memory accounting, the disk copy of vm.clone, and /proc readers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "disk_copy.hpp"
#include "memory_accounting.hpp"
#include "vm_metrics.hpp"

namespace mw::vm::testing {
namespace {

constexpr std::uint64_t MiB = 1024 * 1024;

TEST(MemoryAccounting, NinetyPercentOfAvailableMinusWhatRunningVmsMayStillTake) {
  EXPECT_EQ(available_memory(1000 * MiB, {}, false), 900 * MiB);
  std::vector<RunningVmMemory> running{{256 * MiB, 56 * MiB}, {128 * MiB, 200 * MiB}};
  EXPECT_EQ(available_memory(1000 * MiB, running, false), 700 * MiB);  // 200 reserved, the other uses more than it has
  EXPECT_EQ(available_memory(1000 * MiB, running, true), 900 * MiB);
  EXPECT_EQ(available_memory(100 * MiB, {{1024 * MiB, 0}}, false), 0u);
}

TEST(MemoryAccounting, RequestedIsMinMemoryWhenSet) {
  EXPECT_EQ(requested_memory(vm_from_json(json::object{{"memory", 512}, {"min_memory", nullptr}})), 512 * MiB);
  EXPECT_EQ(requested_memory(vm_from_json(json::object{{"memory", 512}, {"min_memory", 128}})), 128 * MiB);
}

TEST(MemoryAccounting, VmMemoryInfoSaysWhetherOvercommitIsNeeded) {
  auto info = vm_memory_info(vm_from_json(json::object{{"memory", 512}, {"min_memory", nullptr}}), 256 * MiB);
  EXPECT_EQ(info.at("overcommit_required"), true);
  EXPECT_EQ(info.at("memory_req_fulfilled_after_overcommit"), false);
  EXPECT_EQ(info.at("total_memory_requested").as_int64(), static_cast<std::int64_t>(512 * MiB));
  EXPECT_TRUE(info.at("minimum_memory_requested").is_null());
  info = vm_memory_info(vm_from_json(json::object{{"memory", 512}, {"min_memory", 64}}), 256 * MiB);
  EXPECT_EQ(info.at("overcommit_required"), false);
  EXPECT_EQ(info.at("actual_vm_requested_memory").as_int64(), static_cast<std::int64_t>(64 * MiB));
}

TEST(ProcReaders, OwnProcessHasRssAndCpuTime) {
  EXPECT_GT(process_rss(::getpid()), 0u);
  EXPECT_GT(host_mem_available(), 0u);
  auto cpu = process_cpu_seconds(::getpid());
  ASSERT_TRUE(cpu);
  EXPECT_GE(*cpu, 0.0);
  EXPECT_FALSE(process_cpu_seconds(0x7ffffff0));
}

TEST(DiskCopy, SparseImageKeepsContentAndHoles) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("mw_disk_copy_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto src = (dir / "disk.img").string();
  {
    std::ofstream out(src, std::ios::binary);
    out << "HEAD";
    out.seekp(64 * MiB);
    out << "TAIL";
  }
  const auto dst = clone_image_path(src, "vm_clone0");
  EXPECT_EQ(dst, (dir / "disk_vm_clone0.img").string());
  copy_disk_image(src, dst);
  EXPECT_EQ(fs::file_size(dst), fs::file_size(src));
  std::ifstream in(dst, std::ios::binary);
  std::string head(4, '\0'), tail(4, '\0');
  in.read(head.data(), 4);
  in.seekg(64 * MiB);
  in.read(tail.data(), 4);
  EXPECT_EQ(head, "HEAD");
  EXPECT_EQ(tail, "TAIL");
  struct stat st {};
  ASSERT_EQ(::stat(dst.c_str(), &st), 0);
  EXPECT_LT(static_cast<std::uint64_t>(st.st_blocks) * 512, 8 * MiB);  // holes stayed holes (or shared)
  EXPECT_THROW(copy_disk_image(src, dst), std::system_error);          // never overwrites
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mw::vm::testing
