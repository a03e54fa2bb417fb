// Pure helpers: shell splitting, CPU sets, MACs, storage roots, tool-output parsers.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>

#include "linux_host.hpp"
#include "random_ids.hpp"
#include "storage_roots.hpp"
#include "text_utils.hpp"

namespace mw::vm {
namespace {

using ::testing::ElementsAre;

TEST(ShellSplit, SplitsLikePythonShlex) {
  EXPECT_THAT(shell_split("-device virtio-rng-pci  -smbios 'type=1,product=a b'"),
              ElementsAre("-device", "virtio-rng-pci", "-smbios", "type=1,product=a b"));
  EXPECT_THAT(shell_split(R"(a"b c"d e\ f "x\"y")"), ElementsAre("ab cd", "e f", "x\"y"));
  EXPECT_THAT(shell_split(""), ElementsAre());
  EXPECT_THAT(shell_split("''"), ElementsAre(""));
}

TEST(ShellSplit, ReportsShlexErrors) {
  try {
    shell_split("-name \"oops");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "No closing quotation");
  }
  try {
    shell_split("trailing\\");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "No escaped character");
  }
}

TEST(Cpuset, ParsesRangesAndRejectsGarbage) {
  EXPECT_EQ(parse_cpuset("0-3,6")->size(), 5u);
  EXPECT_EQ(parse_cpuset("2")->size(), 1u);
  EXPECT_FALSE(parse_cpuset(""));
  EXPECT_FALSE(parse_cpuset("3-1"));
  EXPECT_FALSE(parse_cpuset("1,"));
  EXPECT_FALSE(parse_cpuset("a"));
}

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
  EXPECT_EQ(roots.outside_message(), "The path must reside within a storage root (" + (base / "pool").string() + ", /mnt)");
}

TEST(ToolParsers, CpuHelpListsModelsOnly) {
  std::string sample = "Available CPUs:\nx86 486                   (alias configured by machine type)\nx86 EPYC-Rome\n"
                       "x86 qemu64               QEMU Virtual CPU version 2.5+\n\nRecognized CPUID flags:\n  3dnow\n";
  EXPECT_THAT(parse_cpu_help(sample), ElementsAre("486", "EPYC-Rome", "qemu64"));
}

TEST(ToolParsers, MachineHelpSkipsNone) {
  std::string sample = "Supported machines are:\nmicrovm              microvm (i386)\npc                   Standard PC (alias of pc-i440fx-7.2)\n"
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

}  // namespace
}  // namespace mw::vm
