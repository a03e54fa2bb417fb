#pragma once
// A QEMU process: launched by us (detached in its own session, so it outlives the daemon) or
// adopted after a daemon restart from its pidfile. Either way it is watched through a pidfd,
// which becomes readable the moment the process exits.
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mw::vm::hypervisor::qemu {

struct LaunchSpec {
  std::vector<std::string> argv;         // argv[0] = the binary, exec'd as is (no shell, no PATH search)
  std::string log_file;                  // QEMU's stdout and stderr (appended)
  std::optional<std::vector<int>> cpus;  // CPU affinity of the whole process (VM cpuset)
};

// How a process ended, as far as we can know: only our own children have an exit status.
struct ExitInfo {
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string describe() const;  // "exit code 1", "killed by signal 9 (Killed)", "exited"
};

class Process {
 public:
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Forks and execs; throws std::system_error when the exec itself fails. QEMU's own startup
  // errors show as a quick exit, with the reason in the log file.
  static std::unique_ptr<Process> launch(const LaunchSpec& spec);
  // The process named by `pidfile` if it is alive and its command line contains `uuid`
  // (so a recycled pid is never mistaken for the VM); nullptr otherwise.
  static std::unique_ptr<Process> adopt(const std::string& pidfile, const std::string& uuid);

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_; }
  bool is_our_child() const { return child_; }
  // Non-blocking: true when the process has exited (pidfd readable).
  bool exited() const;
  // After exit: reaps our own child (waitpid WNOHANG) and returns what is known. Idempotent.
  ExitInfo reap();
  void kill_hard();  // SIGKILL through the pidfd (never hits a recycled pid)

 private:
  Process(pid_t pid, int pidfd, bool child) : pid_(pid), pidfd_(pidfd), child_(child) {}
  pid_t pid_;
  int pidfd_;
  bool child_;
  std::optional<ExitInfo> reaped_;
};

// The last `lines` non-empty lines of a text file written after byte `from` ("" when it cannot be
// read); used to quote QEMU's log in errors.
std::string tail_lines(const std::string& path, std::size_t lines, std::uint64_t from = 0);

}  // namespace mw::vm::hypervisor::qemu
