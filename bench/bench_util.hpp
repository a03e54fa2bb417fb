#pragma once
// Small measuring helpers shared by the benchmarks: percentiles of samples, a process's RSS and
// CPU time.
#include <sys/types.h>
#include <time.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace mw::bench {

// The p-th percentile (0..1) of `samples` (nearest rank, no interpolation).
inline double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  return samples[static_cast<std::size_t>(p * static_cast<double>(samples.size() - 1))];
}
inline double median(std::vector<double> samples) { return percentile(std::move(samples), 0.5); }

// A field of /proc/<pid>/status in KiB ("VmRSS:", "RssAnon:"), or -1.
inline long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
  return -1;
}
// Resident set size of `pid` in KiB, or -1.
inline long rss_kib(pid_t pid) { return status_kib(pid, "VmRSS:"); }
// The anonymous part of it: the process's own memory, without the code and libraries paged in from
// files (which the first calls of each kind bring in, and the system may drop and share).
inline long anon_rss_kib(pid_t pid) { return status_kib(pid, "RssAnon:"); }

// CPU time (ns) the live threads of `pid` have run so far: the sum of the first field of each
// /proc/<pid>/task/<tid>/schedstat, counted in nanoseconds (/proc/<pid>/stat counts clock ticks).
// Threads that have ended are not counted: meant for a daemon whose threads live as long as it.
inline long long threads_cpu_ns(pid_t pid) {
  long long total = 0;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(task.path() / "schedstat");
    long long ns = 0;
    if (in >> ns) total += ns;
  }
  return total;
}
// CPU time (ns) of this process, ended threads included.
inline long long own_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<long long>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace mw::bench
