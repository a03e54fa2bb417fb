#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include <spdlog/spdlog.h>

namespace mw::vm::hypervisor::qemu {

namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

std::system_error errno_error(const std::string& what) {
  return std::system_error(errno, std::system_category(), what);
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(char* const* argv, int null_fd, int log_fd, int error_fd, const cpu_set_t* cpus) {
  ::setsid();  // own session and process group: our signals and our exit do not reach QEMU
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) goto fail;
  // Whatever other threads opened without O_CLOEXEC must not leak into QEMU.
  ::syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
  if (cpus && ::sched_setaffinity(0, sizeof(cpu_set_t), cpus) != 0) goto fail;
  ::execv(argv[0], argv);
fail:
  int err = errno;
  [[maybe_unused]] auto n = ::write(error_fd, &err, sizeof err);
  ::_exit(127);
}

}  // namespace

std::string ExitInfo::describe() const {
  if (signal) return "killed by signal " + std::to_string(*signal) + " (" + ::strsignal(*signal) + ")";
  if (exit_code) return "exit code " + std::to_string(*exit_code);
  return "exited";
}

Process::~Process() {
  if (child_ && !reaped_ && exited()) reap();
  if (pidfd_ >= 0) ::close(pidfd_);
}

std::unique_ptr<Process> Process::launch(const LaunchSpec& spec) {
  if (spec.argv.empty()) throw std::invalid_argument("empty argv");
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  Fd null_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (null_fd.get() < 0) throw errno_error("open /dev/null");
  Fd log_fd(::open(spec.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  if (log_fd.get() < 0) throw errno_error("open " + spec.log_file);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw errno_error("pipe2");
  Fd error_read(pipe_fds[0]);
  Fd error_write(pipe_fds[1]);
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (spec.cpus) {
    for (int cpu : *spec.cpus) CPU_SET(cpu, &cpus);
  }

  pid_t pid = ::fork();
  if (pid < 0) throw errno_error("fork");
  if (pid == 0) {
    exec_child(argv.data(), null_fd.get(), log_fd.get(), error_write.get(), spec.cpus ? &cpus : nullptr);
  }
  error_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(error_read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    ::waitpid(pid, nullptr, 0);
    throw std::system_error(child_errno, std::system_category(), "cannot execute " + spec.argv[0]);
  }
  int pidfd = pidfd_open(pid);
  if (pidfd < 0) {
    auto err = errno_error("pidfd_open");
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw err;
  }
  spdlog::debug("qemu: launched pid {} ({})", pid, spec.argv[0]);
  return std::unique_ptr<Process>(new Process(pid, pidfd, true));
}

std::unique_ptr<Process> Process::adopt(const std::string& pidfile, const std::string& uuid) {
  pid_t pid = 0;
  {
    std::ifstream in(pidfile);
    if (!(in >> pid) || pid <= 1) return nullptr;
  }
  Fd pidfd(pidfd_open(pid));
  if (pidfd.get() < 0) return nullptr;  // no such process
  // Checked after pidfd_open: the pidfd now pins this very process, so a later reuse of the pid
  // cannot fool us. A zombie has an empty cmdline and fails the check too.
  const auto cmdline = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  if (uuid.empty() || cmdline.find(uuid) == std::string::npos) return nullptr;
  std::unique_ptr<Process> process(new Process(pid, pidfd.release(), false));
  if (process->exited()) return nullptr;
  return process;
}

bool Process::exited() const {
  pollfd p{pidfd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

ExitInfo Process::reap() {
  if (reaped_) return *reaped_;
  ExitInfo info;
  if (child_) {
    siginfo_t si{};
    int rc;
    do {
      rc = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_), &si, WEXITED);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0) {
      if (si.si_code == CLD_EXITED) {
        info.exit_code = si.si_status;
      } else {
        info.signal = si.si_status;
      }
    }
  }
  reaped_ = info;
  return info;
}

void Process::kill_hard() {
  if (::syscall(SYS_pidfd_send_signal, pidfd_, SIGKILL, nullptr, 0) != 0 && errno != ESRCH) {
    spdlog::warn("qemu: SIGKILL to pid {} failed: {}", pid_, std::strerror(errno));
  }
}

std::string tail_lines(const std::string& path, std::size_t lines, std::uint64_t from) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(static_cast<std::streamoff>(std::max(from, size > 65536 ? size - 65536 : 0)));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> all;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) all.push_back(std::move(line));
  }
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    if (!out.empty()) out += '\n';
    out += all[i];
  }
  return out;
}

}  // namespace mw::vm::hypervisor::qemu
