#include "metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace mw::metrics {

std::optional<ProcessFigures> parse_proc_stat(const std::string& stat, double boot_time, double ticks,
                                              double page_size) {
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size() || ticks <= 0) return std::nullopt;
  std::istringstream in(stat.substr(close + 2));
  std::string field;
  ProcessFigures f;
  int n = 3;
  try {
    for (; n <= 24 && in >> field; ++n) {
      if (n == 14 || n == 15) f.cpu_seconds += static_cast<double>(std::stoull(field)) / ticks;
      if (n == 22) f.start_time_seconds = boot_time + static_cast<double>(std::stoull(field)) / ticks;
      if (n == 23) f.virtual_bytes = static_cast<double>(std::stoull(field));
      if (n == 24) f.resident_bytes = static_cast<double>(std::stoll(field)) * page_size;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (n <= 24) return std::nullopt;
  return f;
}

namespace {

double boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

}  // namespace

std::optional<ProcessFigures> read_self_figures() {
  std::ifstream in("/proc/self/stat");
  std::string text;
  if (!std::getline(in, text)) return std::nullopt;
  auto f = parse_proc_stat(text, boot_time(), static_cast<double>(::sysconf(_SC_CLK_TCK)),
                           static_cast<double>(::sysconf(_SC_PAGESIZE)));
  if (!f) return std::nullopt;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec))
    f->open_fds += 1;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
    f->max_fds = limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<double>(limit.rlim_cur);
  return f;
}

void append_process_families(const ProcessFigures& f, std::vector<Family>& out) {
  auto gauge = [&out](const char* name, const char* help, const char* type, double v) {
    out.push_back({name, help, type, {{"", {}, v}}});
  };
  gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", f.cpu_seconds);
  gauge("process_open_fds", "Number of open file descriptors.", "gauge", f.open_fds);
  gauge("process_max_fds", "Maximum number of open file descriptors.", "gauge", f.max_fds);
  gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", f.virtual_bytes);
  gauge("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", f.resident_bytes);
  gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge",
        f.start_time_seconds);
}

}  // namespace mw::metrics
