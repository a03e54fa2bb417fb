#pragma once
// Runs a program with an argument vector (never through a shell) and captures its output. Every
// run has a deadline: a program that hangs (qemu-img on a FIFO, zfs on a stuck pool) is killed
// with everything it started, so no worker thread waits on it for good.
#include <chrono>
#include <string>
#include <vector>

namespace mw::vm {

struct CommandOutput {
  int exit_code = -1;      // -1 when the program could not be started or was killed at its deadline
  bool timed_out = false;  // killed because it outlived its timeout
  std::string out;
  std::string err;
};

CommandOutput run_argv(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// Why a run that did not exit 0 failed, in one line: "<program> did not finish within 15 seconds
// and was stopped", "<program> could not be started", or its stderr (trailing newlines dropped).
std::string failure_text(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                         const CommandOutput& output);

// True when `program` is found in PATH (or is an existing absolute path) and is executable.
bool program_exists(const std::string& program);

}  // namespace mw::vm
