// The Debian package: built with CPack from this build tree, inspected with dpkg-deb,
// extracted with dpkg -x (installing into the CI machine itself is not needed), and the extracted
// daemon started the way the systemd unit starts it, with a temporary state dir, then driven with
// the extracted midclt: ping and a vm.create / vm.query round trip.
#include <gtest/gtest.h>
#include <filesystem>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <thread>

#include "support/run_command.hpp"

extern char** environ;

namespace mw::test {
namespace {

using namespace std::chrono_literals;

class PackageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/mwpkg-XXXXXX";
    work = mkdtemp(pattern);
    auto start = std::chrono::steady_clock::now();
    auto r =
        run_command({"cpack", "-G", "DEB", "--config", std::string(MW_BINARY_DIR) + "/CPackConfig.cmake", "-B", work},
                    "", {}, std::chrono::seconds(300));
    build_output = r.out + r.err;
    std::cout << "cpack took " << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
              << " s\n";
    for (const auto& e : std::filesystem::directory_iterator(work))
      if (e.path().extension() == ".deb") deb = e.path().string();
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(work); }

  static std::string dpkg_deb(const std::string& flag) {
    auto r = run_command({"dpkg-deb", flag, deb});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  static inline std::string work, deb, build_output;
};

TEST_F(PackageTest, CpackBuildsADebNamedAfterTheVersion) {
  ASSERT_FALSE(deb.empty()) << build_output;
  EXPECT_TRUE(
      std::regex_search(deb, std::regex("/middlewared_" + std::string(MW_PROJECT_VERSION) + "_[a-z0-9]+\\.deb$")))
      << deb;
}

TEST_F(PackageTest, ControlNamesTheDependenciesAndTheConffile) {
  ASSERT_FALSE(deb.empty()) << build_output;
  std::string info = dpkg_deb("-I");
  EXPECT_NE(info.find("Package: middlewared"), std::string::npos) << info;
  EXPECT_NE(info.find("Version: " + std::string(MW_PROJECT_VERSION)), std::string::npos) << info;
  std::smatch depends;
  ASSERT_TRUE(std::regex_search(info, depends, std::regex("Depends: ([^\n]*)"))) << info;
  for (const char* dep :
       {"qemu-system-x86", "qemu-utils", "ovmf", "libc6", "libstdc++6", "libsqlite3-0", "libssl3", "libpam0g"})
    EXPECT_NE(depends[1].str().find(dep), std::string::npos) << dep << " missing from: " << depends[1];
  for (const char* file : {"conffiles", "postinst", "prerm", "postrm"})
    EXPECT_NE(info.find(file), std::string::npos) << file;
  auto r = run_command({"sh", "-c", "dpkg-deb --ctrl-tarfile '" + deb + "' | tar -xOf - ./conffiles"});
  EXPECT_EQ(r.out, "/etc/middlewared/middlewared.conf\n") << r.err;
}

TEST_F(PackageTest, ContainsBinariesConfigUnitCompletionAndManPages) {
  ASSERT_FALSE(deb.empty()) << build_output;
  std::string files = dpkg_deb("-c");
  for (const char* path : {"./usr/bin/middlewared", "./usr/bin/midclt", "./etc/middlewared/middlewared.conf",
                           "./usr/lib/systemd/system/middlewared.service",
                           "./usr/share/bash-completion/completions/midclt", "./usr/share/man/man8/middlewared.8.gz",
                           "./usr/share/man/man1/midclt.1.gz", "./usr/share/doc/middlewared/api/vm.md"})
    EXPECT_TRUE(std::regex_search(files, std::regex(" " + std::regex_replace(path, std::regex("[.]"), "\\.") + "\n")))
        << path << " missing from:\n"
        << files;
  EXPECT_TRUE(std::regex_search(files, std::regex("-rwxr-xr-x root/root[^\n]* \\./usr/bin/middlewared\n"))) << files;
}

TEST_F(PackageTest, ExtractedDaemonStartsAsTheUnitSaysAndServesVmCalls) {
  ASSERT_FALSE(deb.empty()) << build_output;
  std::string root = work + "/root";
  auto x = run_command({"dpkg", "-x", deb, root});
  ASSERT_EQ(x.exit_code, 0) << x.err;

  // The unit's command line, with its absolute paths moved under the extraction and a free TCP port.
  std::ifstream unit(root + "/usr/lib/systemd/system/middlewared.service");
  std::string text((std::istreambuf_iterator<char>(unit)), {});
  std::smatch exec;
  ASSERT_TRUE(std::regex_search(text, exec, std::regex("ExecStart=([^\n]*)")));
  std::vector<std::string> argv;
  std::istringstream words(exec[1].str());
  for (std::string w; words >> w;) argv.push_back(w);
  ASSERT_EQ(argv[0], "/usr/bin/middlewared");
  std::string sock = work + "/run/middlewared.sock";
  for (std::size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--config") argv[i + 1] = root + argv[i + 1];
    if (argv[i] == "--socket") argv[i + 1] = sock;
    if (argv[i] == "--state-dir") argv[i + 1] = work + "/state";
  }
  argv[0] = root + argv[0];
  argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});

  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, cargv[0], nullptr, nullptr, cargv.data(), environ), 0);

  std::string midclt = root + "/usr/bin/midclt";
  std::string uri = "ws+unix://" + sock;
  CommandResult ping;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  do {
    ping = run_command({midclt, "-u", uri, "ping"});
    if (ping.exit_code == 0) break;
    std::this_thread::sleep_for(100ms);
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(ping.out, "pong\n") << ping.err;

  auto created = run_command({midclt, "-u", uri, "call", "vm.create", R"({"name": "pkgvm", "memory": 256})"});
  EXPECT_EQ(created.exit_code, 0) << created.err;
  auto queried = run_command(
      {midclt, "-u", uri, "call", "vm.query", R"([["name", "=", "pkgvm"]])", R"({"select": ["name", "memory"]})"});
  EXPECT_EQ(queried.out, "[{\"name\": \"pkgvm\", \"memory\": 256}]\n") << queried.err;
  // The packaged daemon has no test-only methods (test.sleep ties up workers).
  auto methods = run_command({midclt, "-u", uri, "call", "core.get_methods"});
  EXPECT_NE(methods.out.find("\"core.ping\""), std::string::npos) << methods.err;
  EXPECT_EQ(methods.out.find("\"test."), std::string::npos) << "test.* methods in the package";

  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace mw::test
