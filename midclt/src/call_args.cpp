#include "midclt/call_args.hpp"

#include <boost/json.hpp>

namespace midclt {
namespace json = boost::json;

namespace {

// argparse treats "-5" or "-1.5" as a positional because no option looks like a number.
bool looks_negative_number(const std::string& s) {
  if (s.size() < 2 || s[0] != '-') return false;
  bool digit = false, dot = false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9')
      digit = true;
    else if (s[i] == '.' && !dot)
      dot = true;
    else
      return false;
  }
  return digit;
}

CallParse error(std::string message) {
  return CallParse{std::nullopt, std::string(kCallUsage) + "\nmidclt call: error: " + message + "\n"};
}

}  // namespace

CallParse parse_call_command(const std::vector<std::string>& tokens) {
  CallCommand cmd;
  std::vector<std::string> positionals;
  bool options_done = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (options_done || t == "-" || t.empty() || t[0] != '-' || looks_negative_number(t)) {
      positionals.push_back(t);
      continue;
    }
    if (t == "--") {
      options_done = true;
    } else if (t == "-h" || t == "--help") {
      cmd.help = true;
      return CallParse{cmd, {}};
    } else if (t == "-q" || t == "--quiet") {
      cmd.quiet = true;
    } else if (t == "-j" || t == "--job") {
      cmd.job = true;
    } else if (t == "-jp" || t == "--job-print" || t.rfind("--job-print=", 0) == 0 || t.rfind("-jp=", 0) == 0) {
      std::string value;
      if (auto eq = t.find('='); eq != std::string::npos) {
        value = t.substr(eq + 1);
      } else if (i + 1 < tokens.size()) {
        value = tokens[++i];
      } else {
        return error("argument -jp/--job-print: expected one argument");
      }
      if (value == "progressbar")
        cmd.job_print = JobPrint::ProgressBar;
      else if (value == "description")
        cmd.job_print = JobPrint::Description;
      else
        return error("argument -jp/--job-print: invalid choice: '" + value +
                     "' (choose from 'progressbar', 'description')");
    } else {
      return error("unrecognized arguments: " + t);
    }
  }
  if (positionals.empty()) return error("the following arguments are required: METHOD");
  cmd.method = positionals.front();
  cmd.args.assign(positionals.begin() + 1, positionals.end());
  return CallParse{cmd, {}};
}

json::value json_or_string(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::value(json::string(text));
  return v;
}

ParamsResult build_params(const std::vector<std::string>& args, const StdinSource& stdin_source) {
  json::array params;
  std::optional<std::string> stdin_text;
  for (const auto& arg : args) {
    if (arg != "-") {
      params.push_back(json_or_string(arg));
      continue;
    }
    if (!stdin_text) {
      if (stdin_source.is_tty())
        return ParamsResult{std::nullopt,
                            "Error: Cannot read from stdin when connected to a terminal.\n"
                            "Please pipe input or provide the argument directly.\n"};
      stdin_text = stdin_source.read_all();
    }
    params.push_back(json_or_string(*stdin_text));
  }
  return ParamsResult{std::move(params), {}};
}

std::string call_help_text() {
  return std::string(kCallUsage) +
         "\n\nInvoke a TrueNAS API method. Any arguments after the method name are parsed as JSON when "
         "possible and\notherwise passed as raw strings. Use '-' as the final argument to read a single "
         "JSON payload from stdin.\n\n"
         "positional arguments:\n"
         "  METHOD                API method name followed by zero or more arguments.\n\n"
         "options:\n"
         "  -h, --help            show this help message and exit\n"
         "  -q, --quiet           Suppress error output on API call failure.\n"
         "  -j, --job             Treat the call as a long-running job and track progress until completion.\n"
         "  -jp {progressbar,description}, --job-print {progressbar,description}\n"
         "                        How to render job progress: 'progressbar' (animated bar, default) or\n"
         "                        'description' (status text lines).\n";
}

}  // namespace midclt
