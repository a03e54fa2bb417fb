// Pure helpers: shell splitting, CPU sets, MACs, storage roots, tool-output parsers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "block_devices.hpp"
#include "linux_host.hpp"
#include "random_ids.hpp"
#include "run_command.hpp"
#include "storage_roots.hpp"

namespace mw::vm {
namespace {

using ::testing::ElementsAre;

TEST(Mac, RandomMacsHaveTheVendorPrefixAndRange) {
  for (int i = 0; i < 200; ++i) {
    std::string mac = random_mac();
    ASSERT_TRUE(is_valid_mac(mac)) << mac;
    EXPECT_EQ(mac.substr(0, 9), "00:a0:98:");
    EXPECT_LE(std::stoi(mac.substr(9, 2), nullptr, 16), 0x7f);
    EXPECT_EQ(mac, lowercase(mac));
  }
  EXPECT_FALSE(is_valid_mac("00:a0:98:xx:xx:xx"));
  EXPECT_FALSE(is_valid_mac("00-a0-98-00-00-00"));
  EXPECT_TRUE(is_valid_mac("00:A0:98:7E:BB:8A"));
}

TEST(RandomAlnum, HasTheLengthAndAlphabet) {
  std::string s = random_alnum(8);
  EXPECT_EQ(s.size(), 8u);
  for (char c : s) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
  EXPECT_NE(random_alnum(16), random_alnum(16));
}

class StorageRootsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base = std::filesystem::temp_directory_path() / ("mw_roots_" + std::to_string(::getpid()));
    std::filesystem::remove_all(base);
    std::filesystem::create_directories(base / "pool" / "iso");
    std::filesystem::create_directories(base / "secret");
  }
  void TearDown() override { std::filesystem::remove_all(base); }
  std::filesystem::path base;
};

TEST_F(StorageRootsTest, AcceptsPathsInsideAndRefusesEscapes) {
  StorageRoots roots({base / "pool", "/mnt"});
  EXPECT_TRUE(roots.contains(base / "pool" / "iso" / "x.iso"));
  EXPECT_TRUE(roots.contains(base / "pool" / "not" / "yet" / "made.img"));
  EXPECT_FALSE(roots.contains(base / "pool" / ".." / "secret" / "x"));
  EXPECT_FALSE(roots.contains(base / "pool2" / "x"));  // a prefix of the name is not inside
  EXPECT_FALSE(roots.contains("relative/x"));
  std::filesystem::create_symlink(base / "secret", base / "pool" / "escape");
  EXPECT_FALSE(roots.contains(base / "pool" / "escape" / "x.iso"));
  std::filesystem::create_symlink(base / "pool" / "iso", base / "secret" / "inward");
  EXPECT_TRUE(roots.contains(base / "secret" / "inward" / "x.iso"));  // judged by where it leads
  EXPECT_EQ(roots.outside_message(),
            "The path must reside within a storage root (" + (base / "pool").string() + ", /mnt)");
}

TEST_F(StorageRootsTest, FollowsDanglingLinksAndLoops) {
  StorageRoots roots({base / "pool"});
  // A last link whose target does not exist yet leads where the file would be created.
  std::filesystem::create_symlink(base / "secret" / "new.img", base / "pool" / "dangling.img");
  EXPECT_FALSE(roots.contains(base / "pool" / "dangling.img"));
  EXPECT_EQ(StorageRoots::resolve(base / "pool" / "dangling.img"), base / "secret" / "new.img");
  std::filesystem::create_symlink("iso/later.iso", base / "pool" / "relative.iso");
  EXPECT_TRUE(roots.contains(base / "pool" / "relative.iso"));
  // `..` after a link is taken from where the link led, as the kernel does.
  std::filesystem::create_symlink(base / "secret", base / "pool" / "away");
  EXPECT_EQ(StorageRoots::resolve(base / "pool" / "away" / ".." / "pool" / "x"), base / "pool" / "x");
  std::filesystem::create_symlink(base / "pool" / "loop_b", base / "pool" / "loop_a");
  std::filesystem::create_symlink(base / "pool" / "loop_a", base / "pool" / "loop_b");
  EXPECT_FALSE(roots.contains(base / "pool" / "loop_a" / "x"));
}

TEST(RunArgv, KillsAProgramThatOutlivesItsTimeoutWithWhatItStarted) {
  const auto marker = std::filesystem::temp_directory_path() / ("mw_run_argv_" + std::to_string(::getpid()));
  std::filesystem::remove(marker);
  const auto start = std::chrono::steady_clock::now();
  // The shell leaves a child behind that would write the marker after 2 seconds.
  const std::vector<std::string> argv = {"/bin/sh", "-c", "(sleep 2; touch " + marker.string() + ") & sleep 30"};
  auto out = run_argv(argv, std::chrono::milliseconds(300));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(out.timed_out);
  EXPECT_EQ(out.exit_code, -1);
  EXPECT_EQ(failure_text(argv, std::chrono::seconds(15), out),
            "/bin/sh -c did not finish within 15 seconds and was stopped");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_FALSE(std::filesystem::exists(marker)) << "the program's own child outlived the deadline";
  std::filesystem::remove(marker);
}

TEST(RunArgv, ReportsOutputExitCodeAndMissingPrograms) {
  auto ok = run_argv({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, std::chrono::seconds(10));
  EXPECT_FALSE(ok.timed_out);
  EXPECT_EQ(ok.exit_code, 3);
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(failure_text({"/bin/sh", "-c"}, std::chrono::seconds(10), ok), "err");
  auto missing = run_argv({"/nonexistent/tool"}, std::chrono::seconds(10));
  EXPECT_EQ(failure_text({"/nonexistent/tool"}, std::chrono::seconds(10), missing),
            "/nonexistent/tool could not be started");
}

TEST(ToolParsers, MountinfoEntriesWithEscapedMountPoints) {
  auto entries = parse_mountinfo(
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "40 27 0:45 / /mnt/my\\040pool rw shared:5 - btrfs /dev/sdb2 rw\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].device_number, "254:0");
  EXPECT_EQ(entries[0].source, "/dev/vda");
  EXPECT_EQ(entries[0].mount_point, "/");
  EXPECT_EQ(entries[1].source, "/dev/sdb2");
  EXPECT_EQ(entries[1].mount_point, "/mnt/my pool");
}

TEST(ToolParsers, ImageInfoNamesBackingAndDataFiles) {
  auto plain = parse_image_info(R"({"virtual-size": 1048576, "format": "qcow2"})");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->virtual_size, 1048576);
  EXPECT_TRUE(plain->referenced_files.empty());
  auto backed = parse_image_info(
      R"({"virtual-size": 1, "backing-filename": "/etc/shadow", "full-backing-filename": "/etc/shadow"})");
  ASSERT_TRUE(backed);
  EXPECT_EQ(backed->referenced_files, std::vector<std::string>{"/etc/shadow"});
  auto data_file = parse_image_info(
      R"({"virtual-size": 1, "format-specific": {"type": "qcow2", "data": {"data-file": "/dev/sda"}}})");
  ASSERT_TRUE(data_file);
  EXPECT_EQ(data_file->referenced_files, std::vector<std::string>{"/dev/sda"});
  EXPECT_FALSE(parse_image_info("not json"));
}

TEST(LinuxHostTest, TheRootFilesystemDeviceIsNeverOffered) {
  std::string root_source;
  for (const auto& m : parse_mountinfo([] {
         std::ifstream in("/proc/self/mountinfo");
         return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
       }()))
    if (m.mount_point == "/") root_source = m.source;
  struct stat st {};
  if (root_source.rfind("/dev/", 0) != 0 || ::stat(root_source.c_str(), &st) != 0 || !S_ISBLK(st.st_mode))
    GTEST_SKIP() << "/ is not on a block device here";
  bool seen = false;
  for (const auto& d : LinuxHost().block_devices())
    if (d.rdev == st.st_rdev) {
      seen = true;
      EXPECT_EQ(d.in_use, "it holds the root filesystem");
    }
  EXPECT_TRUE(seen);
}

TEST(ToolParsers, CpuHelpListsModelsOnly) {
  std::string sample =
      "Available CPUs:\nx86 486                   (alias configured by machine type)\nx86 EPYC-Rome\n"
      "x86 qemu64               QEMU Virtual CPU version 2.5+\n\nRecognized CPUID flags:\n  3dnow\n";
  EXPECT_THAT(parse_cpu_help(sample), ElementsAre("486", "EPYC-Rome", "qemu64"));
}

TEST(ToolParsers, MachineHelpSkipsNone) {
  std::string sample =
      "Supported machines are:\nmicrovm              microvm (i386)\npc                   Standard PC (alias of "
      "pc-i440fx-7.2)\n"
      "none                 empty machine\nq35                  Standard PC (Q35 + ICH9, 2009)\n";
  EXPECT_THAT(parse_machine_help(sample), ElementsAre("microvm", "pc", "q35"));
}

TEST(LinuxHostTest, AsksTheInstalledQemu) {
  LinuxHost host;
  auto machines = host.machine_types();
  if (machines.empty()) GTEST_SKIP() << "no qemu-system-* installed";
  ASSERT_TRUE(machines.contains("x86_64"));
  EXPECT_THAT(machines.at("x86_64"), ::testing::Contains("q35"));
  EXPECT_THAT(machines.at("x86_64"), ::testing::Not(::testing::Contains("none")));
  EXPECT_THAT(host.cpu_models("x86_64"), ::testing::Contains("EPYC"));
  EXPECT_TRUE(host.cpu_models("sparc64").empty());
}

TEST(LinuxHostTest, FindsWhoListensOnAPort) {
  LinuxHost host;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  auto user = host.port_user(port);
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->address, "127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(user->service, "vm_unit_tests");
  ::close(fd);
  EXPECT_FALSE(host.port_user(port).has_value());
}

TEST(LinuxHostTest, BindChoicesIncludeTheWildcards) {
  LinuxHost host;
  auto binds = host.bind_addresses();
  EXPECT_THAT(binds, ::testing::IsSupersetOf({"0.0.0.0", "::", "127.0.0.1"}));
}

TEST(LinuxHostTest, FirmwareFromUsrShareOvmf) {
  LinuxHost host;
  if (!std::filesystem::exists("/usr/share/OVMF/OVMF_CODE_4M.fd")) GTEST_SKIP() << "ovmf not installed";
  auto files = host.firmware_files("OVMF");
  EXPECT_THAT(files, ::testing::Contains("OVMF_CODE_4M.secboot.fd"));
  EXPECT_THAT(files, ::testing::Not(::testing::Contains("OVMF_VARS_4M.fd")));
}

// A firmware directory under a temporary root, its files' names given.
struct FirmwareRoot {
  FirmwareRoot() {
    root = std::filesystem::temp_directory_path() / ("mw_firmware_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root / "OVMF");
  }
  ~FirmwareRoot() { std::filesystem::remove_all(root); }
  void add(const std::string& name) const { std::ofstream(root / "OVMF" / name) << "code"; }
  // Dates the directory back, as an installed package's directory is: its listing is then cached.
  void settle() const {
    timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (root / "OVMF").c_str(), times, 0), 0);
  }
  std::filesystem::path root;
};

// Every firmware test runs with the directories watched (inotify) and looked up on each call (where
// the kernel cannot watch them).
class FirmwareChangesTest : public ::testing::TestWithParam<LinuxHost::FirmwareChanges> {};

TEST_P(FirmwareChangesTest, FirmwareListingIsReadAgainOnlyWhenTheDirectoryChanged) {
  FirmwareRoot dir;
  dir.add("OVMF_CODE.fd");
  dir.add("OVMF_VARS.fd");
  dir.settle();
  LinuxHost host(dir.root, GetParam());
  EXPECT_EQ(host.firmware_files("OVMF"), std::vector<std::string>{"OVMF_CODE.fd"});
  EXPECT_EQ(host.firmware_files("OVMF"), std::vector<std::string>{"OVMF_CODE.fd"});
  EXPECT_EQ(host.firmware_directory_reads(), 1u);

  dir.add("OVMF_CODE_4M.fd");  // moves the directory's mtime: the cached listing is stale
  EXPECT_EQ(host.firmware_files("OVMF"), (std::vector<std::string>{"OVMF_CODE.fd", "OVMF_CODE_4M.fd"}));
  EXPECT_TRUE(host.has_firmware_file("OVMF", "OVMF_CODE.fd"));
  EXPECT_FALSE(host.has_firmware_file("OVMF", "OVMF_VARS.fd")) << "not a code file";
  std::filesystem::remove(dir.root / "OVMF" / "OVMF_CODE.fd");
  EXPECT_FALSE(host.has_firmware_file("OVMF", "OVMF_CODE.fd"));
  EXPECT_EQ(host.firmware_files("OVMF"), std::vector<std::string>{"OVMF_CODE_4M.fd"});
  EXPECT_TRUE(host.firmware_files("AAVMF").empty());  // no such directory
  EXPECT_FALSE(host.has_firmware_file("AAVMF", "AAVMF_CODE.fd"));
}

TEST_P(FirmwareChangesTest, AFirmwareFileAddedRightAfterAReadIsSeen) {
  // No settling: the directory changes several times within its time stamps' granularity, which
  // can leave its mtime unchanged; looked up, a listing read that soon after a change is never
  // trusted; watched, each change is reported.
  FirmwareRoot dir;
  LinuxHost host(dir.root, GetParam());
  for (int i = 0; i < 20; ++i) {
    const std::string name = "OVMF_CODE_" + std::to_string(i) + ".fd";
    dir.add(name);
    EXPECT_THAT(host.firmware_files("OVMF"), ::testing::Contains(name));
  }
}

TEST_P(FirmwareChangesTest, AReplacedFirmwareDirectoryIsReadAgain) {
  FirmwareRoot dir;
  dir.add("OVMF_CODE.fd");
  dir.settle();
  LinuxHost host(dir.root, GetParam());
  EXPECT_EQ(host.firmware_files("OVMF"), std::vector<std::string>{"OVMF_CODE.fd"});
  // Another directory renamed into place, its time stamp set back to the first's: the rename and
  // the dating change its ctime, and it is another inode; either tells.
  std::filesystem::create_directories(dir.root / "OVMF.new");
  std::ofstream(dir.root / "OVMF.new" / "OVMF_CODE.secboot.fd") << "code";
  timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (dir.root / "OVMF.new").c_str(), times, 0), 0);
  std::filesystem::remove_all(dir.root / "OVMF");
  std::filesystem::rename(dir.root / "OVMF.new", dir.root / "OVMF");
  EXPECT_EQ(host.firmware_files("OVMF"), std::vector<std::string>{"OVMF_CODE.secboot.fd"});
}

// Watched, a listing is trusted as soon as it is read, however recent the directory's last change:
// only a change the kernel reports has it read again.
TEST(LinuxHostTest, AWatchedFirmwareDirectoryIsReadOnceEvenRightAfterAChange) {
  FirmwareRoot dir;
  dir.add("OVMF_CODE.fd");  // no settling: looked up, this listing would be read on every call
  LinuxHost host(dir.root, LinuxHost::FirmwareChanges::watched);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(host.firmware_files("OVMF"), std::vector<std::string>{"OVMF_CODE.fd"});
  EXPECT_EQ(host.firmware_directory_reads(), 1u);
  dir.add("OVMF_CODE_4M.fd");
  EXPECT_EQ(host.firmware_files("OVMF"), (std::vector<std::string>{"OVMF_CODE.fd", "OVMF_CODE_4M.fd"}));
  EXPECT_EQ(host.firmware_files("OVMF"), (std::vector<std::string>{"OVMF_CODE.fd", "OVMF_CODE_4M.fd"}));
  EXPECT_EQ(host.firmware_directory_reads(), 2u);
  std::filesystem::rename(dir.root / "OVMF" / "OVMF_CODE.fd", dir.root / "OVMF" / "OVMF_CODE.secboot.fd");
  EXPECT_EQ(host.firmware_files("OVMF"), (std::vector<std::string>{"OVMF_CODE.secboot.fd", "OVMF_CODE_4M.fd"}));
}

INSTANTIATE_TEST_SUITE_P(Both, FirmwareChangesTest,
                         ::testing::Values(LinuxHost::FirmwareChanges::watched, LinuxHost::FirmwareChanges::looked_up),
                         [](const auto& info) {
                           return info.param == LinuxHost::FirmwareChanges::watched ? "Watched" : "LookedUp";
                         });

}  // namespace
}  // namespace mw::vm
