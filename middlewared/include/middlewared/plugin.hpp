#pragma once
// The whole surface a plugin sees of the core. A plugin registers methods, events and roles in
// setup(), does its start-up work in start() (the server is listening by then), and lets go in stop().
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include <middlewared/audit.hpp>
#include <middlewared/config.hpp>
#include <middlewared/datastore.hpp>
#include <middlewared/events.hpp>
#include <middlewared/http.hpp>
#include <middlewared/method.hpp>
#include <middlewared/metrics.hpp>
#include <middlewared/schema_check.hpp>

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
  // Every retained job the caller may see, as objects (results redacted unless raw).
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
  // As call(); for a job method `on_job` hears the job's id as soon as the job is submitted
  // (core.bulk reports which job carried each call).
  virtual json::value call_noting_job(const std::string& method, json::array params,
                                      std::shared_ptr<const Credentials> caller,
                                      const std::function<void(int)>& on_job) {
    throw std::logic_error("no in-process calls in this context");
  }
  // Starts the downloadable job method `method` for `caller` with a download pipe (core.download)
  // and returns [job id, "/_download/<job id>?auth_token=<single-use token>"]. A caller on TCP
  // (`peer`) can use the URL only from the same address. `buffered`: the output is kept until
  // fetched (up to an hour) instead of the job waiting for the reader (up to a minute).
  virtual json::array start_download(const std::string& method, json::array params,
                                     std::shared_ptr<const Credentials> caller, const PeerInfo* peer,
                                     std::string filename, bool buffered) {
    throw std::logic_error("no downloads in this context");
  }
  // Offers `file` (read when fetched; a missing file is an empty body) as the download of job
  // `job_id`; returns its single-use URL, as start_download's.
  virtual std::string offer_download(int job_id, std::filesystem::path file, std::string filename,
                                     const PeerInfo* peer) {
    throw std::logic_error("no downloads in this context");
  }
  // Compiles the schema `ref` names in the schema files, "<file>#<JSON pointer>" (e.g.
  // "vm/common.json#/definitions/device_attributes"), with the method schemas' rules. Usable
  // once the daemon has compiled its method schemas (after every plugin's setup). Thread-safe.
  virtual std::shared_ptr<const SchemaCheck> compile_schema(const std::string& ref) {
    throw std::logic_error("no schemas in this context");
  }
  // --- services between plugins (middlewared/services.hpp) ---
  // Offers `service` as Interface to the plugins that list this one in depends_on(); call it in
  // setup(). `service` must stay valid until the plugin's stop().
  template <class Interface>
  void provide(Interface& service) {
    provide_service(typeid(Interface), &service);
  }
  // The Interface a plugin listed in the caller's depends_on() provided; call it in setup() and
  // keep the reference. Throws std::logic_error when no plugin provides it, or when the provider
  // is not among the caller's dependencies.
  template <class Interface>
  Interface& require() {
    return *static_cast<Interface*>(require_service(typeid(Interface)));
  }

  virtual void add_metrics_source(MetricsSource source) {}
  virtual void add_health_source(HealthSource source) {}
  // Adds an entry to the audit log (audit.query). Thread-safe and cheap: the write is queued.
  virtual void audit(const AuditEvent& event) {}

 protected:
  virtual void provide_service(const std::type_info& type, void* service) {
    throw std::logic_error("no plugin services in this context");
  }
  virtual void* require_service(const std::type_info& type) {
    throw std::logic_error("no plugin services in this context");
  }
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
