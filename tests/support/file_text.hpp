#pragma once
// A whole file's bytes, for tests that check what a program wrote. Empty when the file cannot be
// read, so the expectation that follows fails and shows what it wanted.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace mw::test {

inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A process's command line as /proc shows it (arguments NUL-terminated); empty once the process
// is gone or a zombie.
inline std::string process_cmdline(int pid) { return file_text("/proc/" + std::to_string(pid) + "/cmdline"); }

}  // namespace mw::test
