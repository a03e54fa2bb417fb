#pragma once
// The core's side of the plugin API: what PluginContext offers, and the ordering of plugins by
// their declared dependencies (setup/start in order, stop in reverse).
#include <functional>
#include <map>
#include <memory>
#include <typeindex>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <middlewared/plugin.hpp>

#include "downloads/downloads.hpp"
#include "metrics/plugin_sources.hpp"
#include "server/route_registry.hpp"
#include "server/upload_pipe.hpp"

namespace mw::events {
class EventHub;
}
namespace mw::jobs {
class JobManager;
class JobRecord;
}  // namespace mw::jobs
namespace mw::rpc {
class Dispatcher;
class MethodTable;
struct MethodEntry;
}  // namespace mw::rpc

namespace mw::app {

class PluginHost : public PluginContext {
 public:
  PluginHost(rpc::MethodTable& methods, events::EventHub& events, jobs::JobManager& jobs, const Config& config,
             boost::asio::io_context& io);
  ~PluginHost() override;

  void add_plugin(std::unique_ptr<Plugin> plugin);
  // In-process calls take the clients' path through it (authorise, validate, submit). Set before
  // start_all().
  void set_dispatcher(rpc::Dispatcher& dispatcher) { dispatcher_ = &dispatcher; }
  // Orders plugins by depends_on; throws std::runtime_error on an unknown dependency or a cycle.
  void setup_all();
  void start_all();
  void stop_all();

  void add_method(MethodSpec spec) override;
  void add_event(EventSpec spec) override;
  void add_role(RoleSpec spec) override;
  std::set<std::string, std::less<>> expand_roles(const std::vector<std::string>& roles) const override;
  SessionRegistry& sessions() override;
  EventBus& events() override;
  JobService& jobs() override;
  std::vector<MethodInfo> methods() const override;
  const Config& config() const override { return config_; }
  std::shared_ptr<Datastore> open_datastore(const std::string& name, const std::vector<Migration>& migrations) override;
  boost::asio::any_io_executor io_executor() override;
  std::shared_ptr<spdlog::logger> logger(const std::string& name) override;
  void add_http_route(std::string path_prefix, HttpHandler handler) override;
  void add_websocket_route(std::string path_prefix, WebSocketAcceptor acceptor) override;
  json::value call(const std::string& method, json::array params,
                   std::shared_ptr<const Credentials> caller = nullptr) override;
  void set_http_authenticator(HttpAuthenticator authenticator) override { authenticator_ = std::move(authenticator); }
  json::value call_noting_job(const std::string& method, json::array params, std::shared_ptr<const Credentials> caller,
                              const std::function<void(int)>& on_job) override;
  json::array start_download(const std::string& method, json::array params, std::shared_ptr<const Credentials> caller,
                             const PeerInfo* peer, std::string filename, bool buffered) override;
  std::string offer_download(int job_id, std::filesystem::path file, std::string filename,
                             const PeerInfo* peer) override;
  void add_metrics_source(MetricsSource source) override;
  std::shared_ptr<const SchemaCheck> compile_schema(const std::string& ref) override;
  void add_health_source(HealthSource source) override;
  void audit(const AuditEvent& event) override;
  void provide_service(const std::type_info& type, void* service) override;
  void* require_service(const std::type_info& type) override;
  // Where audit() goes (the audit log); set once before serving.
  void set_audit_sink(std::function<void(const AuditEvent&)> sink) { audit_sink_ = std::move(sink); }

  // What plugins add to /metrics and /health (app/ops_routes.cpp).
  const metrics::PluginSources& plugin_sources() const { return plugin_sources_; }

  // The plugins' routes, for the server (ServerOptions::routes).
  server::RouteRegistry& routes() { return routes_; }

  const std::map<std::string, RoleSpec>& roles() const { return roles_; }

  // POST /_upload (ServerOptions::upload): authenticates with the plugins' authenticator, checks
  // the method is `uploadable` and allowed to the caller, starts its job reading `pipe`
  // (app/upload_start.cpp).
  server::UploadStart start_upload(const HttpRequest& head, const std::string& data_part,
                                   std::shared_ptr<server::UploadPipe> pipe);

 private:
  rpc::Dispatcher& dispatcher() const;

  rpc::MethodTable& methods_;
  rpc::Dispatcher* dispatcher_ = nullptr;
  events::EventHub& events_;
  jobs::JobManager& jobs_;
  const Config& config_;
  boost::asio::io_context& io_;
  std::vector<std::unique_ptr<Plugin>> plugins_;  // in start order after setup_all()
  Plugin* current_ = nullptr;                     // the plugin whose setup() or start() runs
  struct Service {
    std::string provider;
    void* object;
  };
  std::map<std::type_index, Service> services_;
  std::map<std::string, RoleSpec> roles_;
  std::map<std::string, std::shared_ptr<Datastore>> datastores_;
  bool started_ = false;
  server::RouteRegistry routes_;
  metrics::PluginSources plugin_sources_;
  HttpAuthenticator authenticator_;
  std::function<void(const AuditEvent&)> audit_sink_;
  downloads::Downloads downloads_;  // served at /_download
};

}  // namespace mw::app
