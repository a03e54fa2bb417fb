#include "qemu_domain.hpp"

#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "qmp_client.hpp"

#include <mw/util/python.hpp>

namespace mw::vm::hypervisor::qemu {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

bool is_failed_runstate(const std::string& status) { return status == "internal-error" || status == "guest-panicked"; }

DomainState domain_state_from_qmp(const std::string& status) {
  if (status == "running" || status == "colo") return DomainState::RUNNING;
  if (status == "shutdown") return DomainState::SHUTDOWN;
  // QEMU stopped the guest for good (a KVM internal error, a panic with panic=pause): it is not
  // a pause anyone can resume from.
  if (is_failed_runstate(status)) return DomainState::CRASHED;
  if (status == "suspended") return DomainState::PMSUSPENDED;
  // paused, prelaunch, debug, inmigrate, io-error, watchdog, save-vm, ...
  return DomainState::PAUSED;
}

std::array<const std::string*, 6> runtime_files(const StatePaths& paths) {
  return {&paths.qmp_socket,    &paths.debug_qmp_socket,   &paths.pidfile,
          &paths.serial_socket, &paths.guest_agent_socket, &paths.vnc_socket};
}

void remove_runtime_files(const StatePaths& paths) {
  std::error_code ec;
  for (const auto* p : runtime_files(paths)) {
    if (!p->empty()) fs::remove(*p, ec);
  }
}

namespace {

// Owns the pidfd watch; lives on the io_context (closed there) so the domain can die on any thread.
struct ExitWatch {
  explicit ExitWatch(asio::io_context& io, int fd) : descriptor(io, fd) {}
  asio::posix::stream_descriptor descriptor;
};

class QemuDomain : public Domain, public std::enable_shared_from_this<QemuDomain> {
 public:
  QemuDomain(asio::io_context& io, std::unique_ptr<Process> process, const StatePaths& paths,
             const DomainTimeouts& timeouts, std::uint64_t log_offset)
      : io_(io), process_(std::move(process)), paths_(paths), timeouts_(timeouts), log_offset_(log_offset) {}

  ~QemuDomain() override {
    if (qmp_) qmp_->close();
    if (auto watch = watch_) asio::post(io_, [watch] { watch->descriptor.close(); });
  }

  // Returns false when the socket refused the connection (a dead VM's leftover).
  bool connect(bool starting) {
    const auto deadline = std::chrono::steady_clock::now() + timeouts_.connect;
    for (;;) {
      if (process_->exited()) {
        auto info = process_->reap();
        auto log = tail_lines(paths_.qemu_log, 20, log_offset_);
        throw HypervisorError("QEMU failed to start (" + info.describe() + ")" +
                              (log.empty() ? std::string() : ": " + log));
      }
      auto client = std::make_unique<QmpClient>(io_);
      std::weak_ptr<QemuDomain> weak = weak_from_this();
      client->on_event([weak](const QmpEvent& e) {
        if (auto self = weak.lock()) self->handle_event(e);
      });
      try {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        client->connect(paths_.qmp_socket, std::max(left, 100ms));
        qmp_ = std::move(client);
        break;
      } catch (const std::system_error& e) {
        const bool not_yet =
            e.code() == std::errc::no_such_file_or_directory || e.code() == std::errc::connection_refused;
        if (!starting && e.code() == std::errc::connection_refused) return false;
        if (!starting || !not_yet || std::chrono::steady_clock::now() >= deadline) {
          // QEMU opens its QMP socket before it checks the devices, so a refusal often shows up
          // here as a reset connection just before it exits: give it a moment to finish dying.
          if (starting && exits_within(2s)) continue;  // report QEMU's own reason instead
          if (starting) process_->kill_hard();         // a QEMU we cannot control must not linger
          throw HypervisorError("QEMU (pid " + std::to_string(process_->pid()) +
                                ") does not answer on its QMP socket: " + e.what());
        }
      }
      // QEMU creates its socket ~50 ms after exec; poll for it briefly.
      std::this_thread::sleep_for(10ms);
    }
    watch_exit();
    state_ = domain_state_from_qmp(status_string());
    return true;
  }

  int pid() const override { return process_->pid(); }

  bool alive() const override {
    std::lock_guard lock(mutex_);
    return !exited_;
  }

  DomainState query_status() override {
    {
      std::lock_guard lock(mutex_);
      if (exited_) return state_;
    }
    try {
      auto state = domain_state_from_qmp(status_string());
      std::lock_guard lock(mutex_);
      state_ = state;
      return state;
    } catch (const HypervisorError&) {
      std::lock_guard lock(mutex_);
      if (exited_ || process_->exited()) return exited_ ? state_ : DomainState::SHUTOFF;
      throw;
    }
  }

  void powerdown() override { command("system_powerdown"); }
  void reset() override { command("system_reset"); }
  void pause() override { command("stop"); }
  void resume() override { command("cont"); }

  void poweroff() override {
    {
      std::lock_guard lock(mutex_);
      if (exited_) return;
      poweroff_requested_ = true;  // however it ends now, it is the stop we asked for
    }
    try {
      command("quit", {}, timeouts_.poweroff_grace);
    } catch (const HypervisorError& e) {
      spdlog::debug("qemu pid {}: quit failed: {}", pid(), e.what());
    }
    if (wait_exit(timeouts_.poweroff_grace)) return;
    spdlog::warn("qemu pid {}: did not quit within {} ms, sending SIGKILL", pid(), timeouts_.poweroff_grace.count());
    process_->kill_hard();
    if (!wait_exit(10s)) throw HypervisorError("QEMU pid " + std::to_string(pid()) + " survived SIGKILL");
  }

  std::uint64_t balloon_actual() override {
    try {
      return command("query-balloon").as_object().at("actual").to_number<std::uint64_t>();
    } catch (const HypervisorError&) {
      // No balloon device: the guest owns all of its configured memory.
      return command("query-memory-size-summary").as_object().at("base-memory").to_number<std::uint64_t>();
    }
  }

  void set_balloon(std::uint64_t bytes) override { command("balloon", {{"value", bytes}}); }

  std::vector<VcpuThread> vcpu_threads() override {
    std::vector<VcpuThread> out;
    const auto cpus = command("query-cpus-fast");
    for (const auto& cpu : cpus.as_array()) {
      const auto& o = cpu.as_object();
      out.push_back({static_cast<int>(o.at("cpu-index").to_number<std::int64_t>()),
                     static_cast<int>(o.at("thread-id").to_number<std::int64_t>())});
    }
    return out;
  }

  void pin_vcpus(const std::string& cpuset) override {
    const auto parsed = util::parse_cpuset(cpuset);
    if (!parsed) throw HypervisorError("invalid CPU list '" + cpuset + "'");
    const std::vector<int>& cpus = *parsed;
    const auto threads = vcpu_threads();
    if (threads.size() != cpus.size()) {
      throw HypervisorError("cpuset '" + cpuset + "' has " + std::to_string(cpus.size()) + " CPUs for " +
                            std::to_string(threads.size()) + " vCPUs");
    }
    for (std::size_t i = 0; i < threads.size(); ++i) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpus[i], &set);
      if (::sched_setaffinity(threads[i].thread_id, sizeof set, &set) != 0) {
        throw HypervisorError("cannot pin vCPU " + std::to_string(threads[i].cpu_index) + " to CPU " +
                              std::to_string(cpus[i]) + ": " + std::strerror(errno));
      }
    }
  }

  void on_state_change(std::function<void(const DomainEvent&)> callback) override {
    std::lock_guard lock(mutex_);
    callbacks_.push_back(std::move(callback));
  }

  json::value guest_agent_command(const json::value& request, std::chrono::milliseconds timeout) override;

  json::value monitor_command(const std::string& name, const json::object& arguments) override {
    return command(name, arguments);
  }

  void run_setup(const std::vector<QmpCommand>& setup) {
    for (const auto& c : setup) command(c.name, c.arguments);
  }

  void kill_now() {
    process_->kill_hard();
    wait_exit(10s);
  }

  bool wait_exit(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    return exit_cv_.wait_for(lock, timeout, [this] { return exited_; });
  }

 private:
  json::value command(const std::string& name, json::object arguments = {},
                      std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    if (!qmp_) throw HypervisorError("QMP is not connected");
    try {
      return qmp_->execute(name, std::move(arguments), timeout.value_or(timeouts_.command));
    } catch (const QmpError& e) {
      if (e.error_class() == "Disconnected" && !alive()) throw HypervisorError("Domain is not running");
      throw HypervisorError(e.what());
    }
  }

  bool exits_within(std::chrono::milliseconds timeout) {
    pollfd p{process_->pidfd(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
  }

  std::string status_string() { return std::string(command("query-status").as_object().at("status").as_string()); }

  void watch_exit() {
    int fd = ::dup(process_->pidfd());
    if (fd < 0) throw HypervisorError(std::string("dup pidfd: ") + std::strerror(errno));
    watch_ = std::make_shared<ExitWatch>(io_, fd);
    arm_exit_watch(watch_);
  }

  // A readiness report is checked against the pidfd itself before it counts as an exit: with many
  // VMs starting at once, the reactor has been seen to wake this watch while QEMU still ran (a
  // stale registration of a just-closed descriptor), and a live VM must never be declared dead.
  void arm_exit_watch(const std::shared_ptr<ExitWatch>& watch) {
    std::weak_ptr<QemuDomain> weak = weak_from_this();
    watch->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                 [weak, watch](boost::system::error_code ec) {
                                   if (ec) return;
                                   auto self = weak.lock();
                                   if (!self) return;
                                   if (self->process_->exited()) {
                                     self->handle_exit();
                                   } else {
                                     spdlog::debug("qemu pid {}: spurious exit wake-up ignored", self->pid());
                                     self->arm_exit_watch(watch);
                                   }
                                 });
  }

  void handle_event(const QmpEvent& e) {
    DomainEvent event{e.name, e.data, {}, DomainState::NOSTATE, {}, {}, {}};
    if (e.data.is_object()) {
      if (auto* reason = e.data.as_object().if_contains("reason"); reason && reason->is_string()) {
        event.reason = reason->get_string();
      }
    }
    if (e.name == "GUEST_PANICKED") event.reason = panic_reason(e.data);
    std::vector<std::function<void(const DomainEvent&)>> callbacks;
    {
      std::lock_guard lock(mutex_);
      // A guest QEMU has given up on stays failed until it is reset or powered off; a STOP that
      // follows the failure must not turn it into an ordinary pause.
      if (e.name == "STOP")
        state_ = state_ == DomainState::CRASHED ? state_ : DomainState::PAUSED;
      else if (e.name == "RESUME" || e.name == "WAKEUP")
        state_ = DomainState::RUNNING;
      else if (e.name == "SUSPEND")
        state_ = DomainState::PMSUSPENDED;
      else if (e.name == "GUEST_PANICKED")
        state_ = DomainState::CRASHED;
      else if (e.name == "RESET" && state_ == DomainState::CRASHED)
        state_ = DomainState::RUNNING;
      else if (e.name == "SHUTDOWN") {
        state_ = event.reason == "guest-panic" ? DomainState::CRASHED : DomainState::SHUTDOWN;
        shutdown_reason_ = event.reason;
      }
      event.state = state_;
      callbacks = callbacks_;
    }
    for (auto& cb : callbacks) cb(event);
    // STOP says nothing about why: an internal error (KVM could not run the guest) also arrives as
    // a bare STOP. Ask for the run state, without blocking this I/O thread.
    if (e.name == "STOP" && event.state == DomainState::PAUSED) check_runstate_after_stop();
  }

  static std::string panic_reason(const json::value& data) {
    std::string reason = "the guest panicked";
    if (!data.is_object()) return reason;
    const auto& o = data.as_object();
    if (auto* action = o.if_contains("action"); action && action->is_string())
      reason += " (action " + std::string(action->get_string()) + ")";
    if (auto* info = o.if_contains("info"); info && info->is_object()) reason += ": " + json::serialize(*info);
    return reason;
  }

  void check_runstate_after_stop() {
    if (!qmp_) return;
    std::weak_ptr<QemuDomain> weak = weak_from_this();
    qmp_->async_execute("query-status", {}, timeouts_.command, [weak](QmpResult result) {
      auto self = weak.lock();
      if (!self || !result.ok || !result.value.is_object()) return;
      const auto* status = result.value.as_object().if_contains("status");
      if (!status || !status->is_string() || !is_failed_runstate(std::string(status->get_string()))) return;
      self->report_failed_runstate(std::string(status->get_string()));
    });
  }

  void report_failed_runstate(const std::string& status) {
    DomainEvent event{"STOP", nullptr, "QEMU stopped the guest (run state " + status + ")", DomainState::CRASHED, {},
                      {},     {}};
    if (status == "internal-error") event.log_tail = tail_lines(paths_.qemu_log, 5, log_offset_);
    std::vector<std::function<void(const DomainEvent&)>> callbacks;
    {
      std::lock_guard lock(mutex_);
      if (exited_ || state_ == DomainState::CRASHED) return;  // already told
      state_ = DomainState::CRASHED;
      callbacks = callbacks_;
    }
    spdlog::warn("qemu pid {}: {}", process_->pid(), event.reason);
    for (auto& cb : callbacks) cb(event);
  }

  void handle_exit() {
    auto info = process_->reap();
    DomainEvent event{"EXIT", nullptr, info.describe(), DomainState::SHUTOFF, info.exit_code, info.signal, {}};
    std::vector<std::function<void(const DomainEvent&)>> callbacks;
    {
      std::lock_guard lock(mutex_);
      // A clean end announces itself with SHUTDOWN first; a signal or error exit without it is a crash.
      const bool clean = !shutdown_reason_.empty() && shutdown_reason_ != "guest-panic" && !info.signal &&
                         info.exit_code.value_or(0) == 0;
      if (clean) {
        event.reason = "shutdown (" + shutdown_reason_ + ")";
      } else if (poweroff_requested_) {
        event.reason = "powered off (" + info.describe() + ")";
      } else {
        event.state = DomainState::CRASHED;
        event.log_tail = tail_lines(paths_.qemu_log, 20, log_offset_);
      }
      state_ = event.state;
      exited_ = true;
      callbacks = callbacks_;
    }
    remove_runtime_files(paths_);
    spdlog::info("qemu pid {}: {} ({})", process_->pid(), event.reason, to_string(event.state));
    exit_cv_.notify_all();
    if (qmp_) qmp_->close();
    for (auto& cb : callbacks) cb(event);
  }

  asio::io_context& io_;
  std::unique_ptr<Process> process_;
  StatePaths paths_;
  DomainTimeouts timeouts_;
  std::uint64_t log_offset_;
  std::unique_ptr<QmpClient> qmp_;
  std::shared_ptr<ExitWatch> watch_;
  mutable std::mutex mutex_;
  std::condition_variable exit_cv_;
  DomainState state_ = DomainState::NOSTATE;
  bool exited_ = false;
  bool poweroff_requested_ = false;
  std::string shutdown_reason_;
  std::vector<std::function<void(const DomainEvent&)>> callbacks_;
  std::mutex agent_mutex_;  // the agent's chardev serves one client at a time
};

// ---- guest agent: a blocking line protocol on its own socket, used from worker threads ----

class AgentSocket {
 public:
  static constexpr std::size_t kMaxAgentReply = 1 << 20;

  AgentSocket(const std::string& path, std::chrono::steady_clock::time_point deadline) : deadline_(deadline) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw HypervisorError("cannot connect to the guest agent socket: " + std::string(std::strerror(errno)));
    }
  }
  ~AgentSocket() {
    if (fd_ >= 0) ::close(fd_);
  }

  void send(const json::value& message) {
    auto text = json::serialize(message) + "\n";
    if (::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
      throw HypervisorError("guest agent write failed");
    }
  }

  json::value receive() {
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        auto line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        // QGA may prefix a 0xFF sync byte; skip anything before the JSON object.
        auto brace = line.find('{');
        if (brace == std::string::npos) continue;
        boost::system::error_code ec;
        auto value = boost::json::parse(line.substr(brace), ec);
        if (!ec) return value;
        continue;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        throw HypervisorError("guest agent did not answer (is qemu-guest-agent running in the guest?)");
      }
      char chunk[4096];
      auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) throw HypervisorError("guest agent connection closed");
      buffer_.append(chunk, static_cast<std::size_t>(n));
      // The guest writes this channel: a reply that never ends must not grow the daemon's memory.
      if (buffer_.size() > kMaxAgentReply)
        throw HypervisorError(
            "The guest agent sent more than 1 MiB without ending its reply; the connection was dropped");
    }
  }

 private:
  int fd_ = -1;
  std::chrono::steady_clock::time_point deadline_;
  std::string buffer_;
};

json::value QemuDomain::guest_agent_command(const json::value& request, std::chrono::milliseconds timeout) {
  if (!alive()) throw HypervisorError("Domain is not running");
  std::lock_guard lock(agent_mutex_);
  AgentSocket agent(paths_.guest_agent_socket, std::chrono::steady_clock::now() + timeout);
  // guest-sync first: it flushes whatever an earlier, abandoned request left in the channel.
  const auto token = static_cast<std::int64_t>(std::random_device{}() & 0x7fffffff);
  agent.send(json::object{{"execute", "guest-sync"}, {"arguments", json::object{{"id", token}}}});
  for (;;) {
    auto reply = agent.receive();
    auto* ret = reply.is_object() ? reply.as_object().if_contains("return") : nullptr;
    if (ret && ret->is_int64() && ret->get_int64() == token) break;
  }
  agent.send(request);
  auto reply = agent.receive();
  if (auto* ret = reply.as_object().if_contains("return")) return *ret;
  if (auto* err = reply.as_object().if_contains("error"); err && err->is_object()) {
    auto* desc = err->as_object().if_contains("desc");
    throw HypervisorError(desc && desc->is_string() ? std::string(desc->get_string()) : "guest agent error");
  }
  throw HypervisorError("unexpected guest agent reply: " + json::serialize(reply));
}

}  // namespace

std::shared_ptr<Domain> open_domain(asio::io_context& io, std::unique_ptr<Process> process, const StatePaths& paths,
                                    const DomainTimeouts& timeouts, bool starting, std::uint64_t log_offset,
                                    const std::vector<QmpCommand>& setup) {
  auto domain = std::make_shared<QemuDomain>(io, std::move(process), paths, timeouts, log_offset);
  if (!domain->connect(starting)) return nullptr;
  try {
    domain->run_setup(setup);
  } catch (const HypervisorError&) {
    if (starting) domain->kill_now();
    throw;
  }
  return domain;
}

}  // namespace mw::vm::hypervisor::qemu
