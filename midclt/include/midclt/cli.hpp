#pragma once
// The command line parsed with CLI11, then handed to the subcommand.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "midclt/commands.hpp"

namespace midclt {

struct PingCommand {};
struct WaitReadyCommand {
  std::optional<int> timeout;
};
struct NoCommand {};  // prints the help

using Subcommand = std::variant<NoCommand, CallCommand, PingCommand, SubscribeCommand, WaitReadyCommand>;

struct ParsedCommandLine {
  GlobalOptions options;
  Subcommand command;
};

struct CliOutcome {
  std::optional<ParsedCommandLine> parsed;  // empty: exit with `exit_code` after printing `out`/`err`
  int exit_code = 0;
  std::string out;
  std::string err;
};

CliOutcome parse_command_line(const std::vector<std::string>& argv);

// Parses, prompts for a password when -U came without -P or -K, and runs the subcommand.
int run(const std::vector<std::string>& argv, const Environment& env, Io& io);

}  // namespace midclt
