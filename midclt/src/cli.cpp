#include "midclt/cli.hpp"

#include <CLI/CLI.hpp>

#include "midclt/password_prompt.hpp"

namespace midclt {

namespace {

constexpr const char* kDescription =
    "Command-line client for the middleware API. By default midclt uses the local middleware UNIX socket. "
    "Pass --uri to reach a server over a WebSocket: the JSON-RPC 2.0 endpoint (e.g. ws://host/api/current), "
    "or the legacy endpoint (e.g. ws://host/websocket).";

constexpr const char* kExamples =
    "Examples:\n"
    "  midclt ping\n"
    "  midclt call system.info\n"
    "  midclt call vm.query '[[\"name\", \"=\", \"testvm\"]]'\n"
    "  midclt -t 120 call vm.stop 1\n"
    "  midclt call -j -jp description vm.stop 1\n"
    "  midclt -u ws://nas.example/api/current -U admin -P secret call system.info\n"
    "  midclt -U admin -K /root/apikey.json call vm.create - < vm.json\n"
    "  midclt subscribe -n 1 core.get_jobs\n";

}  // namespace

CliOutcome parse_command_line(const std::vector<std::string>& argv) {
  CLI::App app{kDescription, "midclt"};
  app.footer(kExamples);
  app.set_version_flag("--version", std::string("midclt ") + MIDCLT_VERSION);
  app.require_subcommand(0, 1);

  ParsedCommandLine parsed;
  GlobalOptions& o = parsed.options;
  app.add_option("-u,--uri", o.uri,
                 "WebSocket URI of the server: ws://host/api/current, ws://host/websocket "
                 "(legacy protocol) or ws+unix:///path/to.sock. Default: $MIDCLT_URI, else "
                 "/run/middleware/middlewared.sock, else ./var/run/middlewared.sock.");
  app.add_option("-U,--username", o.username, "Username for authentication. Used with --password or --api-key.");
  app.add_option("-P,--password", o.password,
                 "Password for authentication. Prompted if --username is given without --password or --api-key.");
  app.add_option("-K,--api-key", o.api_key,
                 "API key string, or path to a file containing it (raw, JSON or INI [TRUENAS_API_KEY]).");
  app.add_option("-t,--timeout", o.timeout, "Timeout in seconds for the API call.");
  app.add_flag("--insecure", o.insecure, "Disable SSL certificate verification (WARNING: not for production).");
  app.add_flag("--no-channel-binding", o.no_channel_binding, "Disable SCRAM-PLUS channel binding for API-key login.");
  app.add_flag("--plain", o.plain, "Authenticate the API key with API_KEY_PLAIN instead of SCRAM.");

  auto* call = app.add_subcommand("call", "Call an API method.");
  call->prefix_command();
  call->allow_extras();
  call->set_help_flag();
  call->footer(
      "Options and arguments: [-q] [-j] [-jp {progressbar,description}] METHOD [ARG ...]\n"
      "Each ARG is parsed as JSON when possible, otherwise passed as a string; '-' reads one JSON "
      "document from stdin.");

  auto* ping = app.add_subcommand("ping", "Call core.ping on the server and print the response.");

  SubscribeCommand subscribe;
  auto* sub = app.add_subcommand("subscribe", "Receive event messages in a continuous stream.");
  sub->add_option("EVENT", subscribe.event, "Event name to subscribe to (e.g. core.get_jobs).")->required();
  sub->add_option("-n,--number", subscribe.number, "Exit after receiving this many events.");
  sub->add_option("-t,--timeout", subscribe.timeout, "Stop waiting after this many seconds.");

  WaitReadyCommand waitready;
  auto* wait = app.add_subcommand("waitready", "Wait until the middleware answers core.ping.");
  wait->add_option("-t,--timeout", waitready.timeout, "Give up after this many seconds.");

  std::vector<std::string> args(argv.size() > 1 ? argv.begin() + 1 : argv.end(), argv.end());
  std::reverse(args.begin(), args.end());  // CLI11 consumes a reversed vector
  CliOutcome outcome;
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    int code = app.exit(e, out, err);
    outcome.out = out.str();
    outcome.err = err.str();
    // argparse exits 2 on usage errors; help and --version are successes.
    outcome.exit_code = code == 0 ? 0 : 2;
    return outcome;
  }

  if (call->parsed()) {
    CallParse cp = parse_call_command(call->remaining());
    if (!cp.command) {
      outcome.err = cp.error;
      outcome.exit_code = 2;
      return outcome;
    }
    if (cp.command->help) {
      outcome.out = call_help_text();
      return outcome;
    }
    parsed.command = std::move(*cp.command);
  } else if (ping->parsed()) {
    parsed.command = PingCommand{};
  } else if (sub->parsed()) {
    parsed.command = subscribe;
  } else if (wait->parsed()) {
    parsed.command = waitready;
  } else {
    outcome.out = app.help();
    return outcome;
  }
  outcome.parsed = std::move(parsed);
  return outcome;
}

int run(const std::vector<std::string>& argv, const Environment& env, Io& io) {
  CliOutcome outcome = parse_command_line(argv);
  if (!outcome.parsed) {
    io.out << outcome.out;
    io.err << outcome.err;
    return outcome.exit_code;
  }
  ParsedCommandLine& cmd = *outcome.parsed;
  if (cmd.options.username && !cmd.options.password && !cmd.options.api_key) {
    cmd.options.password = prompt_password().value_or("");
  }
  return std::visit(
      [&](auto& sub) -> int {
        using T = std::decay_t<decltype(sub)>;
        if constexpr (std::is_same_v<T, CallCommand>)
          return run_call(cmd.options, sub, env, io);
        else if constexpr (std::is_same_v<T, PingCommand>)
          return run_ping(cmd.options, env, io);
        else if constexpr (std::is_same_v<T, SubscribeCommand>)
          return run_subscribe(cmd.options, sub, env, io);
        else if constexpr (std::is_same_v<T, WaitReadyCommand>)
          return run_waitready(cmd.options, sub.timeout, env, io);
        else
          return 0;
      },
      cmd.command);
}

}  // namespace midclt
