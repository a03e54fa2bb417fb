#pragma once
// The subcommands: each returns the process exit code and writes only to `io`.
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "midclt/call_args.hpp"

namespace midclt {

struct GlobalOptions {
  std::optional<std::string> uri;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<std::string> api_key;
  std::optional<int> timeout;  // -t: seconds for the call
  bool insecure = false;
  bool no_channel_binding = false;
  bool plain = false;
};

struct SubscribeCommand {
  std::string event;
  std::optional<int> number;
  std::optional<int> timeout;
};

struct Environment {
  std::function<std::optional<std::string>(const char*)> getenv;
  std::function<bool(std::string_view)> path_exists;
};

struct Io {
  std::ostream& out;
  std::ostream& err;
  StdinSource stdin_source;
};

inline constexpr std::string_view kDaemonNotRunning = "Failed to run middleware call. Daemon not running?";
// What midclt prints when a wss:// server's certificate fails verification (as TrueNAS's midclt).
inline constexpr std::string_view kCertificateRejected =
    "SSL certificate verification failed.\n\n"
    "You can either:\n"
    "  1. Install the server's SSL certificate in your system's trust store\n"
    "  2. Use the --insecure flag to disable SSL verification (not recommended for production)";
inline constexpr int kDefaultCallTimeout = 60;

// -t when given and not 0, else $CALL_TIMEOUT when it is a number, else 60 seconds.
int effective_call_timeout(const GlobalOptions& options, const Environment& env);

int run_call(const GlobalOptions& options, const CallCommand& command, const Environment& env, Io& io);
int run_ping(const GlobalOptions& options, const Environment& env, Io& io);
int run_subscribe(const GlobalOptions& options, const SubscribeCommand& command, const Environment& env, Io& io);
int run_waitready(const GlobalOptions& options, std::optional<int> timeout, const Environment& env, Io& io);

}  // namespace midclt
