#pragma once
// The whole surface a plugin sees of the core. A plugin registers methods, events and roles in
// setup(), does its start-up work in start() (the server is listening by then), and lets go in stop().
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include <middlewared/config.hpp>
#include <middlewared/datastore.hpp>
#include <middlewared/events.hpp>
#include <middlewared/http.hpp>
#include <middlewared/method.hpp>
#include <middlewared/metrics.hpp>

namespace spdlog {
class logger;
}

namespace mw {

// A role and the roles it includes (VM_WRITE includes VM_READ). `readonly` roles are also
// included in READONLY_ADMIN; FULL_ADMIN includes every role.
struct RoleSpec {
  std::string name;
  std::vector<std::string> includes;
  bool readonly = false;
};

// Jobs as the core.* methods need them (core.get_jobs, core.job_wait, core.job_abort).
class JobService {
 public:
  virtual ~JobService() = default;
  // Every retained job the caller may see, as API-SPEC 3.2 objects (results redacted unless raw).
  virtual json::array list(const Credentials* caller, bool raw_result) const = 0;
  // Blocks until job `id` ends; returns its result or rethrows its error. `waiter` (the calling
  // job) mirrors the target's progress and may be aborted.
  virtual json::value wait(int id, const Credentials* caller, Job* waiter) = 0;
  virtual void abort(int id, const Credentials* caller) = 0;
};

class PluginContext {
 public:
  virtual ~PluginContext() = default;
  virtual void add_method(MethodSpec spec) = 0;
  virtual void add_event(EventSpec spec) = 0;
  virtual void add_role(RoleSpec spec) = 0;
  // The given roles plus every role they include, transitively (FULL_ADMIN includes all;
  // READONLY_ADMIN includes every `readonly` role). For building Credentials at login.
  // (Defaults exist only so that test fakes need not implement them.)
  virtual std::set<std::string, std::less<>> expand_roles(const std::vector<std::string>& roles) const {
    return {roles.begin(), roles.end()};
  }
  virtual SessionRegistry& sessions() { throw std::logic_error("no session registry in this context"); }

  virtual EventBus& events() = 0;
  virtual JobService& jobs() = 0;
  // Every registered method, for discovery (core.get_methods) and generated docs.
  virtual std::vector<MethodInfo> methods() const = 0;
  virtual const Config& config() const = 0;
  // The plugin's database at <state>/db/<name>.sqlite, migrated.
  virtual std::shared_ptr<Datastore> open_datastore(const std::string& name,
                                                    const std::vector<Migration>& migrations) = 0;
  // The network executor, for a plugin's own asynchronous I/O (QMP sockets, timers).
  // Never block on it.
  virtual boost::asio::any_io_executor io_executor() = 0;
  virtual std::shared_ptr<spdlog::logger> logger(const std::string& name) = 0;

  // --- optional services (defaults exist only so that test fakes need not implement them) ---
  // Serves HTTP requests whose path starts with `path_prefix` (e.g. "/_download").
  virtual void add_http_route(std::string path_prefix, HttpHandler handler) {
    throw std::logic_error("no HTTP routes in this context");
  }
  // Accepts WebSocket upgrades whose path starts with `path_prefix` (e.g. "/_shell").
  virtual void add_websocket_route(std::string path_prefix, WebSocketAcceptor acceptor) {
    throw std::logic_error("no WebSocket routes in this context");
  }
  // Lets POST /_upload know who sent a file (one authenticator for the daemon).
  virtual void set_http_authenticator(HttpAuthenticator authenticator) {}
  // Calls a registered method in-process, params validated as for a client. `caller` null means
  // the daemon itself (FULL_ADMIN). Errors are thrown as the handler threw them. Job methods
  // run as jobs and this returns their result when they end. Never call from the I/O thread.
  virtual json::value call(const std::string& method, json::array params,
                           std::shared_ptr<const Credentials> caller = nullptr) {
    throw std::logic_error("no in-process calls in this context");
  }
  virtual void add_metrics_source(MetricsSource source) {}
  virtual void add_health_source(HealthSource source) {}
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string name() const = 0;
  // Names of plugins whose setup/start must run before this one's (and whose stop runs after).
  virtual std::vector<std::string> depends_on() const { return {}; }
  virtual void setup(PluginContext& ctx) = 0;
  virtual void start(PluginContext& ctx) {}
  virtual void stop() {}
};

}  // namespace mw
