// The serial console log rotation under a QEMU that keeps the log open with O_APPEND.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hypervisor/qemu/serial_log.hpp"
#include "support/file_text.hpp"

namespace mw::vm::hypervisor::qemu {
namespace {

namespace fs = std::filesystem;
using mw::test::file_text;

class SerialLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("mw_serial_log_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    log = dir / "1_vm.log";
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir, log;
};

TEST_F(SerialLogTest, RotatesPastTheSizeAndTheWriterGoesOnAtTheStart) {
  // Opened as QEMU opens its chardev log file (logappend=on).
  int qemu = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  ASSERT_GE(qemu, 0);
  const std::string first(100, 'a');
  ASSERT_EQ(::write(qemu, first.data(), first.size()), 100);
  EXPECT_FALSE(rotate_serial_log(log.string(), 100)) << "at the size, not past it";
  ASSERT_EQ(::write(qemu, "b", 1), 1);
  EXPECT_TRUE(rotate_serial_log(log.string(), 100));
  EXPECT_EQ(file_text(dir / "1_vm.log.1"), first + "b");
  EXPECT_EQ(fs::file_size(log), 0u);
  ASSERT_EQ(::write(qemu, "after", 5), 5);
  EXPECT_EQ(file_text(log), "after") << "no hole of the old size before the new text";
  // A second rotation replaces the older copy: one rotated file is kept.
  const std::string more(200, 'c');
  ASSERT_EQ(::write(qemu, more.data(), more.size()), 200);
  EXPECT_TRUE(rotate_serial_log(log.string(), 100));
  EXPECT_EQ(file_text(dir / "1_vm.log.1"), "after" + more);
  EXPECT_FALSE(fs::exists(dir / "1_vm.log.2"));
  ::close(qemu);
}

TEST_F(SerialLogTest, LeavesLinksAndMissingLogsAlone) {
  EXPECT_FALSE(rotate_serial_log(log.string(), 10));
  std::ofstream(dir / "elsewhere") << std::string(100, 'x');
  fs::create_symlink(dir / "elsewhere", log);
  EXPECT_FALSE(rotate_serial_log(log.string(), 10));
  EXPECT_EQ(fs::file_size(dir / "elsewhere"), 100u);
}

}  // namespace
}  // namespace mw::vm::hypervisor::qemu
