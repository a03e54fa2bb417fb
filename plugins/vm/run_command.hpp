#pragma once
// Runs a program with an argument vector (never through a shell) and captures its output.
#include <string>
#include <vector>

namespace mw::vm {

struct CommandOutput {
  int exit_code = -1;  // -1 when the program could not be started
  std::string out;
  std::string err;
};

CommandOutput run_argv(const std::vector<std::string>& argv);
// True when `program` is found in PATH (or is an existing absolute path) and is executable.
bool program_exists(const std::string& program);

}  // namespace mw::vm
