// --version, --check-config and file logging, through the real binaries.
#include <gtest/gtest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "support/daemon_process.hpp"
#include "support/file_text.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"

#ifndef MW_SOURCE_DIR
#error "MW_SOURCE_DIR must name the source tree"
#endif

extern char** environ;

namespace mw::test {
namespace {

using namespace std::chrono_literals;

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid()) + ".conf");
  std::ofstream(path) << text;
  return path;
}

TEST(OpsCli, BothProgramsPrintTheirVersion) {
  auto daemon = run_command({daemon_path().string(), "--version"});
  EXPECT_EQ(daemon.exit_code, 0);
  EXPECT_TRUE(std::regex_match(daemon.out, std::regex("middlewared [0-9]+\\.[0-9]+\\.[0-9]+\n"))) << daemon.out;
  auto client = run_command({midclt_path().string(), "--version"});
  EXPECT_EQ(client.exit_code, 0);
  EXPECT_EQ(client.out, "midclt " + daemon.out.substr(std::string("middlewared ").size()));
}

TEST(OpsCli, CheckConfigAcceptsTheShippedConfiguration) {
  std::string file = std::string(MW_SOURCE_DIR) + "/etc/middlewared.conf";
  auto r = run_command({daemon_path().string(), "--check-config", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(
      r.out, std::regex(std::regex_replace(file, std::regex("[.]"), "\\.") + ": OK \\([0-9]+ settings\\)\n")))
      << r.out;
}

TEST(OpsCli, CheckConfigNamesEachBadValueAndFails) {
  auto file = write_temp("bad", "[server]\nworker_threads = many\n[log]\nmax_size = huge\n");
  auto r = run_command({daemon_path().string(), "--check-config", file.string()});
  std::filesystem::remove(file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, file.string() + ": log.max_size: expected a size such as 10M, 512K or 1048576, got 'huge'\n" +
                       file.string() + ": server.worker_threads: expected a positive integer, got 'many'\n");
  EXPECT_EQ(r.out, "");
}

TEST(OpsCli, CheckConfigReportsASyntaxErrorWithItsLine) {
  auto file = write_temp("syntax", "[server]\nthis line has no equals sign\n");
  auto r = run_command({daemon_path().string(), "--check-config", file.string()});
  std::filesystem::remove(file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "middlewared: " + file.string() + ":2: expected 'key = value'\n");
}

// At start-up every schema file belongs to a method: the shipped daemon (no test.* methods) given
// the whole schemas/ folder, test/ included, refuses to start with one line naming a file.
TEST(OpsCli, DaemonRefusesToStartWithASchemaFileOfNoMethod) {
  auto state = std::filesystem::temp_directory_path() / ("mw-orphan-schema-" + std::to_string(getpid()));
  std::filesystem::remove_all(state);
  auto r = run_command({shipped_daemon_path().string(), "--state-dir", state.string(), "--listen", "", "--schemas",
                        std::string(MW_SOURCE_DIR) + "/schemas"});
  std::filesystem::remove_all(state);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex("cannot start: schemas/test/[a-z_]+\\.(params|result)\\.json belongs to "
                                          "no method \\(test\\.[a-z_]+ is not registered\\) \\(and [0-9]+ more\\)\n")))
      << r.err;
}

// `--listen ""` disables TCP even when the configuration file asks for a listener (the README
// and the man page promise it; an empty flag once fell back to 127.0.0.1:6000).
TEST(OpsCli, EmptyListenFlagDisablesTcpOverTheConfigFile) {
  auto state = std::filesystem::temp_directory_path() / ("mw-nolisten-" + std::to_string(getpid()));
  std::filesystem::remove_all(state);
  auto config = write_temp("nolisten", "[server]\nlisten = 127.0.0.1:0\n");
  std::vector<std::string> args = {
      daemon_path().string(), "--state-dir", state.string(), "--config", config.string(), "--listen", ""};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  bool answered = false;
  for (auto deadline = std::chrono::steady_clock::now() + 20s;
       !answered && std::chrono::steady_clock::now() < deadline;) {
    try {
      answered = RpcClient::unix_socket(state / "run" / "middlewared.sock").call("core.ping") == "pong";
    } catch (const std::exception&) {
      std::this_thread::sleep_for(20ms);
    }
  }
  EXPECT_TRUE(answered) << "the daemon never answered on its unix socket";
  // The daemon writes the bound TCP address here when (and only when) it listens on TCP.
  EXPECT_FALSE(std::filesystem::exists(state / "run" / "middlewared.tcp"));
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::filesystem::remove_all(state);
  std::filesystem::remove(config);
}

TEST(OpsCli, LogsOneDebugLinePerCallToTheConfiguredRotatingFile) {
  auto log_dir = std::filesystem::temp_directory_path() / ("mwlog-" + std::to_string(getpid()));
  std::filesystem::create_directories(log_dir);
  DaemonOptions options;
  options.config_text = "[log]\nfile = " + (log_dir / "middlewared.log").string() + "\nmax_size = 16K\nmax_files = 2\n";
  {
    DaemonProcess daemon(options);
    auto c = RpcClient::unix_socket(daemon.socket_path());
    for (int i = 0; i < 1000; ++i) c.call("test.echo", {"x"});
  }  // stopping the daemon flushes the file
  std::string text;
  for (const char* name : {"middlewared.log", "middlewared.1.log", "middlewared.2.log"}) {
    std::ifstream in(log_dir / name);
    text.append((std::istreambuf_iterator<char>(in)), {});
  }
  // Every call line names the method, the call id and the user.
  EXPECT_TRUE(std::regex_search(text, std::regex("call test\\.echo id=\\S+ .*user=root"))) << text.substr(0, 2000);
  // 1000 lines of ~100 bytes overflow 16 KiB many times: rotated, and only two old files kept.
  EXPECT_TRUE(std::filesystem::exists(log_dir / "middlewared.2.log"));
  EXPECT_FALSE(std::filesystem::exists(log_dir / "middlewared.3.log"));
  EXPECT_LE(std::filesystem::file_size(log_dir / "middlewared.log"), 16u << 10);
  std::filesystem::remove_all(log_dir);
}

TEST(OpsCli, ApiReferenceInTheRepositoryIsUpToDate) {
  auto out = std::filesystem::temp_directory_path() / ("mwdocs-" + std::to_string(getpid()));
  auto r = run_command({daemon_path().string(), "--write-api-docs", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::filesystem::path committed = std::filesystem::path(MW_SOURCE_DIR) / "docs" / "api";
  std::set<std::string> fresh, old;
  for (const auto& e : std::filesystem::directory_iterator(out)) fresh.insert(e.path().filename().string());
  if (std::filesystem::exists(committed))
    for (const auto& e : std::filesystem::directory_iterator(committed))
      if (e.path().extension() == ".md") old.insert(e.path().filename().string());
  const char* hint = "docs/api is stale: run `cmake --build <build> --target api_docs` and commit docs/api";
  EXPECT_EQ(fresh, old) << hint;
  EXPECT_GE(fresh.size(), 5u);
  for (const auto& name : fresh)
    if (old.contains(name)) {
      EXPECT_TRUE(file_text(out / name) == file_text(committed / name)) << name << ": " << hint;
    }
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace mw::test
