#include "support/daemon_process.hpp"
#include <algorithm>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/qemu_reaper.hpp"
#include "support/rpc_client.hpp"

namespace mw::test {

// MW_TEST_DAEMON in the environment runs the suites against another build's daemon (an older
// one, to see a new test fail without its fix).
std::filesystem::path daemon_path() {
  const char* other = std::getenv("MW_TEST_DAEMON");
  return other && *other ? std::filesystem::path(other) : std::filesystem::path(MW_TEST_DAEMON_PATH);
}
std::filesystem::path shipped_daemon_path() { return MW_SHIPPED_DAEMON_PATH; }
std::filesystem::path midclt_path() { return MW_TEST_MIDCLT_PATH; }

DaemonProcess::DaemonProcess(DaemonOptions options) : options_(std::move(options)) {
  char tmpl[] = "/tmp/mwtest-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  state_dir_ = tmpl;
  if (!options_.config_text.empty()) std::ofstream(state_dir_ / "middlewared.conf") << options_.config_text;
  try {
    start();
  } catch (...) {
    // No destructor runs for an object whose constructor threw: a daemon that did not come up
    // (a test of a bad configuration, most often) would leave its process and directory behind.
    kill9();
    remove_state();
    throw;
  }
}

DaemonProcess::~DaemonProcess() {
  try {
    if (pid_ > 0) stop();
  } catch (...) {
  }
  remove_state();
}

void DaemonProcess::remove_state() {
  end_qemu_under(state_dir_);
  std::error_code ignored;
  std::filesystem::remove_all(state_dir_, ignored);
}

std::string DaemonProcess::log() const {
  std::ifstream in(state_dir_ / "daemon.log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void DaemonProcess::start() {
  std::filesystem::remove(state_dir_ / "run" / "middlewared.tcp");
  std::vector<std::string> args = {(options_.binary.empty() ? daemon_path() : options_.binary).string(), "--state-dir",
                                   state_dir_.string(), "--listen", options_.listen};
  // Debug logs help a failing test unless the caller chose a level (benchmarks run at warn).
  auto& extra = options_.extra_args;
  if (std::find(extra.begin(), extra.end(), "--log-level") == extra.end()) {
    args.push_back("--log-level");
    args.push_back("debug");
  }
  if (!options_.accelerator.empty()) {
    args.push_back("--accelerator");
    args.push_back(options_.accelerator);
  }
  if (options_.check_results) args.push_back("--check-results");
  if (!options_.config_text.empty()) {
    args.push_back("--config");
    args.push_back((state_dir_ / "middlewared.conf").string());
  }
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  auto log_path = state_dir_ / "daemon.log";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    for (const auto& [name, value] : options_.environment) setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ++starts_;
  wait_ready(std::chrono::seconds(30));
}

void DaemonProcess::wait_ready(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto port_file = state_dir_ / "run" / "middlewared.tcp";
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("middlewared exited during start-up:\n" + log());
    }
    std::ifstream in(port_file);
    std::string addr;
    if (in && std::getline(in, addr) && !addr.empty()) {
      try {
        auto client = RpcClient::unix_socket(socket_path());
        if (client.call("core.ping") == "pong") {
          tcp_port_ = static_cast<uint16_t>(std::stoi(addr.substr(addr.rfind(':') + 1)));
          return;
        }
      } catch (const std::exception&) {
      }
    }
    std::this_thread::sleep_for(options_.ready_poll);
  }
  throw std::runtime_error("middlewared did not become ready:\n" + log());
}

void DaemonProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitpid(pid_, &last_status_, 0);
  pid_ = -1;
}

void DaemonProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  // Escalate if it does not stop in time: a hung shutdown is itself a test failure to see in logs.
  for (int i = 0; i < 300; ++i) {
    if (waitpid(pid_, &last_status_, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, &last_status_, 0);
  pid_ = -1;
  throw std::runtime_error("middlewared did not stop within 15 s of SIGTERM");
}

void DaemonProcess::restart() {
  if (pid_ > 0) stop();
  start();
}

}  // namespace mw::test
