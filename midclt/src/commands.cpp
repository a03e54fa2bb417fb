#include "midclt/commands.hpp"

#include <charconv>
#include <memory>
#include <thread>

#include <boost/json.hpp>

#include "midclt/client.hpp"
#include "midclt/login.hpp"
#include "midclt/progress_bar.hpp"
#include "midclt/py_format.hpp"
#include "midclt/uri.hpp"
#include "midclt/ws_transport.hpp"

namespace midclt {
namespace json = boost::json;

namespace {

constexpr Seconds kConnectTimeout{10};
constexpr Seconds kHandshakeTimeout{30};
constexpr Seconds kPingTimeout{10};
constexpr auto kWaitReadyRetry = std::chrono::milliseconds(100);

// Why opening the connection failed, already worded for the user.
struct OpenFailure {
  std::string message;
};

std::unique_ptr<Client> open_client(const GlobalOptions& options, const Environment& env, bool watch_jobs) {
  std::string uri = options.uri ? *options.uri : default_uri(env.getenv, env.path_exists);
  UriError uri_error;
  auto endpoint = parse_uri(uri, &uri_error);
  if (!endpoint) throw OpenFailure{"Invalid URI: " + uri_error.message};
  std::unique_ptr<WsTransport> transport;
  try {
    transport = WsTransport::connect(*endpoint, Clock::now() + kConnectTimeout, !options.insecure);
  } catch (const DaemonNotRunning&) {
    throw OpenFailure{std::string(kDaemonNotRunning)};
  } catch (const CertificateRejected& e) {
    throw OpenFailure{std::string(kCertificateRejected) + "\n(" + e.what() + ")"};
  } catch (const ConnectFailed& e) {
    throw OpenFailure{e.what()};
  }
  auto client = std::make_unique<Client>(std::move(transport), endpoint->legacy);
  try {
    client->handshake(Clock::now() + kHandshakeTimeout, watch_jobs);
  } catch (const ClientError& e) {
    throw OpenFailure{e.error()};
  }
  return client;
}

// Logs in when credentials were given. Returns false after printing the login failure.
bool login(Client& client, const GlobalOptions& options, std::optional<Seconds> timeout, Io& io) {
  try {
    if (options.username && options.password) {
      login_with_password(client, *options.username, *options.password, timeout);
    } else if (options.api_key) {
      login_with_api_key(client, options.username, *options.api_key,
                         options.plain ? ApiKeyMechanism::Plain : ApiKeyMechanism::Scram, timeout);
    } else {
      return true;
    }
  } catch (const LoginError& e) {
    // Upstream prints this to stdout and exits 0.
    io.out << "Failed to login:  " << e.what() << '\n';
    io.out.flush();
    return false;
  }
  client.watch_jobs();
  return true;
}

std::optional<double> percent_of(const json::object& job) {
  const json::value* progress = job.if_contains("progress");
  if (!progress || !progress->is_object()) return std::nullopt;
  const json::value* percent = progress->get_object().if_contains("percent");
  if (!percent || !percent->is_number()) return std::nullopt;
  return percent->to_number<double>();
}

std::optional<std::string> description_of(const json::object& job) {
  const json::value* progress = job.if_contains("progress");
  if (!progress || !progress->is_object()) return std::nullopt;
  const json::value* description = progress->get_object().if_contains("description");
  if (!description || !description->is_string()) return std::nullopt;
  return std::string(description->get_string());
}

// The job id a legacy call returned, when it is one.
std::optional<long long> legacy_job_id(const json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) return static_cast<long long>(value.get_uint64());
  return std::nullopt;
}

json::value call_and_wait(Client& client, const CallCommand& command, json::array params, Seconds timeout,
                          const std::function<void(const json::object&)>& on_update) {
  CallOutcome outcome = client.call(command.method, std::move(params), timeout);
  if (outcome.kind == CallOutcome::Kind::JobStarted)
    return client.wait_job(outcome.value.to_number<long long>(), on_update);
  if (client.legacy()) {
    if (auto id = legacy_job_id(outcome.value)) return client.wait_job(*id, on_update);
  }
  // No job event named the call (not a job, or job events unavailable): the response carries
  // the final result already.
  return outcome.value;
}

// open_client for a command: on failure says why on stderr and returns null (exit status 1).
std::unique_ptr<Client> open_or_report(const GlobalOptions& options, const Environment& env, bool watch_jobs, Io& io) {
  try {
    return open_client(options, env, watch_jobs);
  } catch (const OpenFailure& failure) {
    io.err << failure.message << '\n';
    return nullptr;
  }
}

}  // namespace

int effective_call_timeout(const GlobalOptions& options, const Environment& env) {
  if (options.timeout && *options.timeout != 0) return *options.timeout;
  if (auto text = env.getenv("CALL_TIMEOUT")) {
    int value = 0;
    auto res = std::from_chars(text->data(), text->data() + text->size(), value);
    if (res.ec == std::errc() && res.ptr == text->data() + text->size()) return value;
  }
  return kDefaultCallTimeout;
}

int run_call(const GlobalOptions& options, const CallCommand& command, const Environment& env, Io& io) {
  ParamsResult params = build_params(command.args, io.stdin_source);
  if (!params.params) {
    io.err << params.error;
    return 1;
  }
  auto client = open_or_report(options, env, true, io);
  if (!client) return 1;
  Seconds default_timeout{effective_call_timeout(GlobalOptions{}, env)};
  if (!login(*client, options, default_timeout, io)) return 0;

  Seconds timeout{effective_call_timeout(options, env)};
  json::value result;
  try {
    if (!command.job) {
      result = client->call(command.method, std::move(*params.params), timeout).value;
    } else if (command.job_print == JobPrint::ProgressBar) {
      ProgressBar bar(io.err);
      try {
        result = call_and_wait(*client, command, std::move(*params.params), timeout,
                               [&](const json::object& job) { bar.update(percent_of(job), description_of(job)); });
        bar.finish();
      } catch (const ClientError&) {
        bar.close();
        throw;
      }
      bar.close();
    } else {
      DescriptionPrinter printer(io.err);
      result = call_and_wait(*client, command, std::move(*params.params), timeout,
                             [&](const json::object& job) { printer.update(description_of(job)); });
    }
  } catch (const ClientError& e) {
    if (!command.quiet) io.err << render_error(e);
    io.err.flush();
    client->close();
    return 1;
  }
  io.out << python_print_form(ejson_round_trip(result)) << '\n';
  io.out.flush();
  client->close();
  return 0;
}

int run_ping(const GlobalOptions& options, const Environment& env, Io& io) {
  auto client = open_or_report(options, env, false, io);
  if (!client) return 1;
  try {
    auto answer = client->ping(kPingTimeout);
    if (!answer || !python_truthy(*answer)) {
      io.err << "Call timeout\n";
      return 1;
    }
    io.out << python_print_form(*answer) << '\n';
  } catch (const ClientError& e) {
    io.err << render_error(e);
    return 1;
  }
  io.out.flush();
  client->close();
  return 0;
}

int run_subscribe(const GlobalOptions& options, const SubscribeCommand& command, const Environment& env, Io& io) {
  auto client = open_or_report(options, env, false, io);
  if (!client) return 1;
  if (!login(*client, options, Seconds{effective_call_timeout(GlobalOptions{}, env)}, io)) return 0;
  std::optional<Clock::time_point> deadline;
  if (command.timeout) deadline = Clock::now() + Seconds{*command.timeout};
  try {
    client->subscribe(command.event, Seconds{10});
    int received = 0;
    while (true) {
      auto event = client->next_event(deadline);
      if (!event) return 1;
      io.out << python_dumps(ejson_round_trip(*event)) << '\n';
      io.out.flush();
      ++received;
      if (command.number && *command.number > 0 && received >= *command.number) break;
    }
  } catch (const ClientError& e) {
    io.err << render_error(e);
    return 1;
  } catch (const SubscriptionEnded& ended) {
    if (ended.error) {
      io.err << *ended.error << '\n';
      return 1;
    }
    return 0;
  }
  client->close();
  return 0;
}

int run_waitready(const GlobalOptions& options, std::optional<int> timeout, const Environment& env, Io& io) {
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + Seconds{*timeout};
  while (true) {
    try {
      auto client = open_client(options, env, false);
      if (auto answer = client->ping(kPingTimeout); answer && python_truthy(*answer)) {
        client->close();
        return 0;
      }
    } catch (const OpenFailure&) {
    } catch (const ClientError&) {
    }
    if (deadline && Clock::now() + kWaitReadyRetry >= *deadline) {
      io.err << "Middleware did not become ready within " << *timeout << " seconds\n";
      return 1;
    }
    std::this_thread::sleep_for(kWaitReadyRetry);
  }
}

}  // namespace midclt
