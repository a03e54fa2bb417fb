#pragma once
// Runs a program (no shell) and captures its exit code and output.
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace mw::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CommandResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace mw::test
