#pragma once
// Starts the real middlewared binary on a fresh temporary state directory, for integration tests.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace mw::test {

struct DaemonOptions {
  std::vector<std::string> extra_args;
  std::string config_text;             // written to <state>/middlewared.conf and passed with --config when not empty
  std::string listen = "127.0.0.1:0";  // --listen (port 0: the bound port is read back)
  // --accelerator: tests force TCG, which runs everywhere, so that no result depends on the host's
  // KVM; empty leaves the choice to the configuration (auto by default).
  std::string accelerator = "tcg";
  std::filesystem::path binary;  // empty: daemon_path()
  // --check-results: a result that breaks its method's result schema fails the call, so every
  // suite also checks the handlers against their schemas.
  bool check_results = true;
  std::map<std::string, std::string> environment;  // set in the daemon's environment, beside ours
  // How often start() looks whether the daemon answers yet; a start-up benchmark polls finely, since
  // it cannot tell apart starts that end within one interval.
  std::chrono::milliseconds ready_poll{20};
};

// The destructor stops the daemon and ends every QEMU it left running (VMs outlive their daemon),
// then removes the state directory.
class DaemonProcess {
 public:
  explicit DaemonProcess(DaemonOptions options = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  const std::filesystem::path& state_dir() const { return state_dir_; }
  std::filesystem::path socket_path() const { return state_dir_ / "run" / "middlewared.sock"; }
  uint16_t tcp_port() const { return tcp_port_; }
  pid_t pid() const { return pid_; }
  // The daemon's stderr so far (its log), for assertions and failure messages.
  std::string log() const;

  void kill9();    // SIGKILL and reap
  void stop();     // SIGTERM and wait; returns when the process has exited
  void restart();  // start again on the same state directory
  // Exit status of the last stop()/kill9() (as from waitpid).
  int last_status() const { return last_status_; }

 private:
  void start();
  // Ends any QEMU left under the state directory and removes the directory.
  void remove_state();
  void wait_ready(std::chrono::seconds timeout);

  DaemonOptions options_;
  std::filesystem::path state_dir_;
  pid_t pid_ = -1;
  uint16_t tcp_port_ = 0;
  int last_status_ = 0;
  int starts_ = 0;
};

// The daemon the suites start: middlewared_testing (with the test.* methods) when the build has it.
std::filesystem::path daemon_path();
// The daemon that ships (scripts/run.sh, the package): never has the test.* methods.
std::filesystem::path shipped_daemon_path();
std::filesystem::path midclt_path();

}  // namespace mw::test
