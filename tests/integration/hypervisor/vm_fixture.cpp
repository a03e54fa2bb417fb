#include "vm_fixture.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "hypervisor/qemu/process.hpp"
#include "support/qemu_reaper.hpp"

namespace mw::vm::hypervisor::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  char pattern[] = "/tmp/mwhyp-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  mw::test::end_qemu_under(path_);  // a failed test may have left its VM running
  std::error_code ec;
  fs::remove_all(path_, ec);
}

vm::VmConfig vm_entry(int id, const std::string& name, int memory_mib) {
  std::random_device rd;
  char uuid[37];
  std::snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-a%03x-%04x%08x", rd(), rd() & 0xffff, rd() & 0xfff, rd() & 0xfff,
                rd() & 0xffff, rd());
  return vm::vm_from_json(json::object{{"id", id},
                                       {"name", name},
                                       {"uuid", uuid},
                                       {"vcpus", 1},
                                       {"cores", 1},
                                       {"threads", 1},
                                       {"cpu_mode", "CUSTOM"},
                                       {"cpu_model", nullptr},
                                       {"memory", memory_mib},
                                       {"min_memory", nullptr},
                                       {"bootloader", "UEFI_CSM"},
                                       {"time", "UTC"},
                                       {"machine_type", "q35"},
                                       {"arch_type", nullptr},
                                       {"command_line_args", ""},
                                       {"ensure_display_device", true},
                                       {"hyperv_enlightenments", false},
                                       {"hide_from_msr", false},
                                       {"enable_secure_boot", false},
                                       {"trusted_platform_module", false},
                                       {"cpuset", nullptr},
                                       {"nodeset", nullptr}});
}

fs::path tiny_guest() {
  static std::once_flag once;
  static std::string error;
  const fs::path dir = MW_TINYGUEST_DIR;
  std::call_once(once, [&] {
    fs::create_directories(dir);
    const auto log = (dir / "build.log").string();
    auto p = qemu::Process::launch({{"/bin/sh", MW_TINYGUEST_BUILD, dir.string()}, log, std::nullopt});
    pollfd fd{p->pidfd(), POLLIN, 0};
    ::poll(&fd, 1, 300000);
    auto info = p->reap();
    if (info.exit_code != 0) error = "tinyguest build failed (" + info.describe() + "): " + qemu::tail_lines(log, 10);
  });
  if (!error.empty()) throw std::runtime_error(error);
  return dir;
}

bool eventually(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

bool process_exists(int pid) { return ::kill(pid, 0) == 0; }

}  // namespace mw::vm::hypervisor::testing
