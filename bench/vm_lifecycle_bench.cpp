// VM lifecycle benchmark, run on demand against the real daemon and real QEMU (TCG here);
// results go to docs/BENCHMARKS.md.
//  1. vm.start -> RUNNING (the call returns once QEMU answers QMP) vs launching the very same QEMU
//     argv by hand and waiting for its qmp_capabilities reply, same run, alternating: medians, ratio.
//  2. vm.suspend / vm.resume / vm.poweroff call latency (medians).
//  3. N small VMs started by N concurrent vm.start calls; daemon CPU (over a fixed window) and RSS
//     with N VMs running vs none, per VM; the VMs' own QEMU RSS and CPU for scale.
//  4. Daemon killed with -9 and restarted: time until every VM reports RUNNING with its old pid,
//     vs a restart with no VMs.
// usage: vm_lifecycle_bench [runs=9] [reattach_vms=20]
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "bench_util.hpp"
#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

using mw::bench::median;
using mw::bench::rss_kib;

namespace {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// utime + stime of a process, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(f);
    if (i == 15) break;
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Percent of one core `pid` used over `window` (a measurement window, not a wait for an outcome).
double cpu_percent(pid_t pid, std::chrono::milliseconds window) {
  const double before = cpu_seconds(pid);
  std::this_thread::sleep_for(window);
  return 100.0 * (cpu_seconds(pid) - before) / (static_cast<double>(window.count()) / 1000.0);
}

// The argv the daemon used, from the "starting: ..." line it wrote to the VM's qemu.log.
std::vector<std::string> logged_argv(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::string last;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("starting: ", 0) == 0) last = line.substr(10);
  std::vector<std::string> argv;
  std::istringstream words(last);
  for (std::string w; words >> w;) argv.push_back(w);
  return argv;
}

bool qmp_ready(const std::string& socket, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      std::this_thread::sleep_for(1ms);
      continue;
    }
    std::string buffer;
    int lines_wanted = 2;  // greeting, then the capabilities reply
    bool sent = false;
    char chunk[4096];
    while (lines_wanted > 0 && Clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) continue;
      auto n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
        buffer.erase(0, nl + 1);
        --lines_wanted;
        if (!sent) {
          const std::string caps = "{\"execute\":\"qmp_capabilities\"}\n";
          sent = ::write(fd, caps.data(), caps.size()) > 0;
        }
      }
    }
    if (lines_wanted == 0) {
      // Read until QEMU closes the socket: QMP drops a queued command when its client hangs up first.
      const std::string quit = "{\"execute\":\"quit\"}\n";
      if (::write(fd, quit.data(), quit.size()) > 0) {
        const auto quit_deadline = Clock::now() + 10s;
        while (Clock::now() < quit_deadline) {
          pollfd p{fd, POLLIN, 0};
          if (::poll(&p, 1, 1000) <= 0) continue;
          if (::read(fd, chunk, sizeof chunk) <= 0) break;
        }
      }
    }
    ::close(fd);
    return lines_wanted == 0;
  }
  return false;
}

// Launches argv directly (stdio to /dev/null) and returns ms until QMP answered qmp_capabilities.
double launch_by_hand(const std::vector<std::string>& argv, const std::string& qmp_socket) {
  std::filesystem::remove(qmp_socket);
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const auto t0 = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  const bool ok = qmp_ready(qmp_socket, t0 + 30s);
  const double took = ms_since(t0);
  // A QEMU that did not quit within 5 s is killed rather than waited for forever.
  int status = 0;
  bool reaped = false;
  for (int i = 0; ok && i < 100 && !reaped; ++i) {
    reaped = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!reaped) std::this_thread::sleep_for(50ms);
  }
  if (!reaped) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  return ok ? took : -1;
}

int64_t create_vm(mw::test::RpcClient& c, const std::string& name) {
  return c
      .call("vm.create", {json::object{{"name", name},
                                       {"memory", 64},
                                       {"bootloader", "UEFI_CSM"},
                                       {"autostart", false},
                                       {"shutdown_timeout", 5},
                                       {"ensure_display_device", false}}})
      .as_object()
      .at("id")
      .as_int64();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 9;
  const int reattach_vms = argc > 2 ? std::atoi(argv[2]) : 20;
  mw::test::DaemonOptions options;
  options.config_text = "[vm]\nstop_vms_on_shutdown = true\n";
  options.extra_args = {"--log-level", "warn"};  // as in production: debug logs would cost CPU
  options.check_results = false;                 // and no result checks, as shipped
  mw::test::DaemonProcess daemon(options);
  auto c = mw::test::RpcClient::unix_socket(daemon.socket_path());

  // 1 + 2: one VM, alternating daemon start and hand launch of the same argv.
  const auto id = create_vm(c, "bench0");
  const std::string uuid(c.call("vm.get_instance", {id}).at("uuid").as_string());
  const auto vm_dir = daemon.state_dir() / "vm" / uuid;
  std::vector<double> start_ms, hand_ms, suspend_ms, resume_ms, poweroff_ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    c.call("vm.start", {id});
    start_ms.push_back(ms_since(t0));
    if (c.call("vm.status", {id}).at("state") != "RUNNING") std::cerr << "run " << i << ": not RUNNING\n";
    t0 = Clock::now();
    c.call("vm.suspend", {id});
    suspend_ms.push_back(ms_since(t0));
    t0 = Clock::now();
    c.call("vm.resume", {id});
    resume_ms.push_back(ms_since(t0));
    t0 = Clock::now();
    c.call("vm.poweroff", {id});
    poweroff_ms.push_back(ms_since(t0));
    const auto argv_used = logged_argv(vm_dir / "qemu.log");
    const double hand = launch_by_hand(argv_used, (vm_dir / "qmp.sock").string());
    if (hand > 0) hand_ms.push_back(hand);
  }
  std::cout << "runs: " << runs << "\n"
            << "vm.start -> RUNNING median ms: " << median(start_ms) << "\n"
            << "same argv by hand -> QMP ready median ms: " << median(hand_ms) << "\n"
            << "ratio daemon/by hand: " << median(start_ms) / median(hand_ms) << "\n"
            << "vm.suspend median ms: " << median(suspend_ms) << "\n"
            << "vm.resume median ms: " << median(resume_ms) << "\n"
            << "vm.poweroff median ms: " << median(poweroff_ms) << "\n";

  // 3: N small VMs at once. Baseline first: a fresh daemon with nothing running.
  auto t0 = Clock::now();
  daemon.kill9();
  daemon.restart();
  const double empty_restart = ms_since(t0);
  c = mw::test::RpcClient::unix_socket(daemon.socket_path());
  const auto window = 10s;
  const long base_rss = rss_kib(daemon.pid());
  const double base_cpu = cpu_percent(daemon.pid(), window);
  std::vector<int64_t> ids;
  int start_failures = 0;
  for (int i = 0; i < reattach_vms; ++i) ids.push_back(create_vm(c, "reattach" + std::to_string(i)));
  t0 = Clock::now();
  {
    std::vector<std::thread> starters;
    std::mutex errors_mutex;
    for (auto vm : ids)
      starters.emplace_back([&, vm] {
        try {
          auto own = mw::test::RpcClient::unix_socket(daemon.socket_path());
          own.call("vm.start", {vm});
        } catch (const std::exception& e) {
          std::lock_guard lock(errors_mutex);
          std::cerr << "vm.start of VM " << vm << " failed: " << e.what() << "\n";
          ++start_failures;
        }
      });
    for (auto& t : starters) t.join();
  }
  const double concurrent_start = ms_since(t0);
  std::vector<int64_t> pids;
  for (auto vm : ids) {
    const auto pid = c.call("vm.status", {vm}).at("pid");
    pids.push_back(pid.is_int64() ? pid.as_int64() : 0);  // 0: its start failed (reported above)
  }
  const long loaded_rss = rss_kib(daemon.pid());
  double qemu_cpu_before = 0, qemu_cpu_after = 0;
  long qemu_rss = 0;
  for (auto pid : pids)
    if (pid > 0) qemu_cpu_before += cpu_seconds(static_cast<pid_t>(pid));
  const double loaded_cpu = cpu_percent(daemon.pid(), window);
  for (auto pid : pids) {
    if (pid <= 0) continue;
    qemu_cpu_after += cpu_seconds(static_cast<pid_t>(pid));
    qemu_rss += rss_kib(static_cast<pid_t>(pid));
  }
  const int n = std::max(1, reattach_vms);
  std::cout << reattach_vms << " concurrent vm.start calls until all returned, ms: " << concurrent_start
            << (start_failures ? " (" + std::to_string(start_failures) + " FAILED)" : std::string()) << "\n"
            << "daemon CPU % of one core over " << window.count() << " s: idle " << base_cpu << ", with "
            << reattach_vms << " VMs " << loaded_cpu << ", per VM " << (loaded_cpu - base_cpu) / n << "\n"
            << "daemon RSS KiB: idle " << base_rss << ", with " << reattach_vms << " VMs " << loaded_rss << ", per VM "
            << (loaded_rss - base_rss) / n << "\n"
            << "each QEMU (firmware only, 64 MiB) mean RSS KiB: " << qemu_rss / n << ", mean CPU %: "
            << 100.0 * (qemu_cpu_after - qemu_cpu_before) / n / (static_cast<double>(window.count()) + 0.0) << "\n";

  // 4: re-attach after kill -9.
  t0 = Clock::now();
  daemon.kill9();
  daemon.restart();
  c = mw::test::RpcClient::unix_socket(daemon.socket_path());
  bool all = false;
  while (!all && ms_since(t0) < 60000) {
    all = true;
    for (std::size_t i = 0; i < ids.size() && all; ++i) {
      auto s = c.call("vm.status", {ids[i]});
      all = s.at("state") == "RUNNING" && s.at("pid") == pids[i];
    }
  }
  const double reattach = ms_since(t0);
  std::cout << "daemon kill -9 + restart, no VMs, ms: " << empty_restart << "\n"
            << "daemon kill -9 + restart until " << reattach_vms << " VMs RUNNING with old pids, ms: " << reattach
            << (all ? "" : " (NOT ALL RE-ATTACHED)") << "\n"
            << "re-attach ratio (with VMs / without): " << reattach / empty_restart << "\n";
  for (auto vm : ids) c.call("vm.poweroff", {vm});
  return all && start_failures == 0 ? 0 : 1;
}
