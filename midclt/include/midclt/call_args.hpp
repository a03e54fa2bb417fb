#pragma once
// `midclt call [-q] [-j] [-jp progressbar|description] METHOD [ARG ...]`: the
// option scan (argparse-like: options may follow the method, "--" ends them) and the rule that
// turns each ARG into a JSON value.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace midclt {

enum class JobPrint { ProgressBar, Description };

struct CallCommand {
  bool quiet = false;
  bool job = false;
  JobPrint job_print = JobPrint::ProgressBar;
  bool help = false;
  std::string method;
  std::vector<std::string> args;
};

struct CallParse {
  std::optional<CallCommand> command;
  std::string error;  // argparse-style text when command is empty
};

CallParse parse_call_command(const std::vector<std::string>& tokens);

// An ARG is JSON when it parses as one JSON document, otherwise the raw string.
boost::json::value json_or_string(std::string_view text);

struct StdinSource {
  std::function<bool()> is_tty;
  std::function<std::string()> read_all;
};

struct ParamsResult {
  std::optional<boost::json::array> params;
  std::string error;  // set when stdin was needed but is a terminal
};

// Every "-" ARG takes the one JSON document read from stdin (read once).
ParamsResult build_params(const std::vector<std::string>& args, const StdinSource& stdin_source);

inline constexpr std::string_view kCallUsage =
    "usage: midclt call [-h] [-q] [-j] [-jp {progressbar,description}] METHOD [METHOD ...]";

std::string call_help_text();

}  // namespace midclt
