#include "support/qemu_reaper.hpp"
#include "support/file_text.hpp"

#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

namespace mw::test {

namespace {

bool is_qemu(const std::string& cmdline) {
  const std::string argv0 = cmdline.substr(0, cmdline.find('\0'));
  return std::filesystem::path(argv0).filename().string().rfind("qemu-system-", 0) == 0;
}

// Gone, or a zombie whose parent has not reaped it yet (its command line is empty then).
bool ended(pid_t pid) { return process_cmdline(pid).empty(); }

}  // namespace

std::vector<pid_t> end_qemu_under(const std::filesystem::path& dir) {
  std::vector<pid_t> killed;
  if (dir.empty()) return killed;
  const std::string needle = dir.string() + "/";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto cmdline = file_text(entry.path() / "cmdline");
    if (!is_qemu(cmdline) || cmdline.find(needle) == std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    if (::kill(pid, SIGKILL) == 0) killed.push_back(pid);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (pid_t pid : killed)
    while (!ended(pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return killed;
}

}  // namespace mw::test
