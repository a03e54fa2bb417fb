#include "app/plugin_host.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <stdexcept>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <middlewared/errors.hpp>

#include "downloads/download_pipe.hpp"
#include "events/event_hub.hpp"
#include "jobs/job_manager.hpp"
#include "rpc/dispatcher.hpp"
#include "rpc/method_table.hpp"

namespace mw::app {

PluginHost::PluginHost(rpc::MethodTable& methods, events::EventHub& events, jobs::JobManager& jobs,
                       const Config& config, boost::asio::io_context& io)
    : methods_(methods), events_(events), jobs_(jobs), config_(config), io_(io) {
  routes_.add_http("/_download", [this](const HttpRequest& req) {
    return downloads_.serve(req, [this](int id) { return jobs_.find(id) != nullptr; });
  });
}

PluginHost::~PluginHost() { stop_all(); }

void PluginHost::add_plugin(std::unique_ptr<Plugin> plugin) { plugins_.push_back(std::move(plugin)); }

void PluginHost::setup_all() {
  // Depth-first topological order over depends_on.
  std::map<std::string, Plugin*> by_name;
  for (auto& p : plugins_) by_name[p->name()] = p.get();
  std::vector<Plugin*> order;
  std::set<std::string> done, visiting;
  std::function<void(Plugin*)> visit = [&](Plugin* p) {
    if (done.contains(p->name())) return;
    if (!visiting.insert(p->name()).second) throw std::runtime_error("plugin dependency cycle at " + p->name());
    for (const auto& dep : p->depends_on()) {
      auto it = by_name.find(dep);
      if (it == by_name.end()) throw std::runtime_error("plugin " + p->name() + " depends on unknown plugin " + dep);
      visit(it->second);
    }
    visiting.erase(p->name());
    done.insert(p->name());
    order.push_back(p);
  };
  for (auto& p : plugins_) visit(p.get());

  std::vector<std::unique_ptr<Plugin>> sorted;
  for (Plugin* p : order)
    for (auto& owned : plugins_)
      if (owned.get() == p) sorted.push_back(std::move(owned));
  plugins_ = std::move(sorted);
  for (auto& p : plugins_) {
    current_ = p.get();
    p->setup(*this);
  }
  current_ = nullptr;
}

void PluginHost::start_all() {
  for (auto& p : plugins_) {
    current_ = p.get();
    p->start(*this);
  }
  current_ = nullptr;
  started_ = true;
}

void PluginHost::provide_service(const std::type_info& type, void* service) {
  if (!current_) throw std::logic_error("a plugin service is offered outside setup()");
  if (!services_.try_emplace(type, Service{current_->name(), service}).second)
    throw std::logic_error("plugin " + current_->name() + " offers a service another plugin offers already");
}

void* PluginHost::require_service(const std::type_info& type) {
  if (!current_) throw std::logic_error("a plugin service is asked for outside setup() and start()");
  auto it = services_.find(type);
  if (it == services_.end())
    throw std::logic_error("plugin " + current_->name() + " asks for a service no plugin offers");
  auto deps = current_->depends_on();
  if (std::find(deps.begin(), deps.end(), it->second.provider) == deps.end())
    throw std::logic_error("plugin " + current_->name() + " uses a service of plugin " + it->second.provider +
                           " without listing it in depends_on()");
  return it->second.object;
}

void PluginHost::stop_all() {
  if (!started_) return;
  started_ = false;
  routes_.shutdown();  // no route handler may run into a stopped plugin
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->stop();
}

void PluginHost::add_method(MethodSpec spec) { methods_.add(std::move(spec)); }
void PluginHost::add_event(EventSpec spec) { events_.add_source(std::move(spec)); }
void PluginHost::add_role(RoleSpec spec) {
  std::string name = spec.name;
  roles_[name] = std::move(spec);
}
std::set<std::string, std::less<>> PluginHost::expand_roles(const std::vector<std::string>& roles) const {
  std::set<std::string, std::less<>> out;
  std::vector<std::string> todo(roles.begin(), roles.end());
  while (!todo.empty()) {
    std::string r = std::move(todo.back());
    todo.pop_back();
    if (!out.insert(r).second) continue;
    if (r == kReadonlyAdmin) {
      for (const auto& [name, spec] : roles_)
        if (spec.readonly) todo.push_back(name);
    }
    if (auto it = roles_.find(r); it != roles_.end())
      for (const auto& inc : it->second.includes) todo.push_back(inc);
  }
  return out;
}

SessionRegistry& PluginHost::sessions() { return events_; }

EventBus& PluginHost::events() { return events_; }
JobService& PluginHost::jobs() { return jobs_; }
std::vector<MethodInfo> PluginHost::methods() const { return methods_.infos(); }

std::shared_ptr<Datastore> PluginHost::open_datastore(const std::string& name,
                                                      const std::vector<Migration>& migrations) {
  auto it = datastores_.find(name);
  if (it != datastores_.end()) return it->second;
  auto dir = config_.state_dir() / "db";
  std::filesystem::create_directories(dir);
  auto store = std::make_shared<Datastore>(dir / (name + ".sqlite"), migrations);
  datastores_[name] = store;
  // A call answered later must not block the I/O thread it runs on with a transaction and its
  // fsync: the transaction runs on a worker.
  store->lead_later_writes_on([this](std::function<void()> task) { dispatcher().run_on_worker(std::move(task)); });
  // How its writes became durable: writes that arrive together share a transaction and an fsync.
  add_metrics_source([weak = std::weak_ptr<Datastore>(store), name](std::vector<MetricSample>& out) {
    auto s = weak.lock();
    if (!s) return;
    const auto d = s->durability();
    const std::vector<std::pair<std::string, std::string>> labels{{"store", name}};
    out.push_back({"middlewared_datastore_writes_total", "Writes committed to a plugin's database", "counter", labels,
                   static_cast<double>(d.writes)});
    out.push_back({"middlewared_datastore_transactions_total",
                   "Transactions committed to a plugin's database (writes arriving together share one)", "counter",
                   labels, static_cast<double>(d.commits)});
    out.push_back({"middlewared_datastore_fsyncs_total", "fsyncs of a plugin's database for its commits", "counter",
                   labels, static_cast<double>(d.fsyncs)});
    out.push_back({"middlewared_datastore_regroup_waits_total",
                   "Transactions of a plugin's database held open for the writers of the last fsync to write again",
                   "counter", labels, static_cast<double>(d.regroup_waits)});
    out.push_back({"middlewared_datastore_regroup_limit_seconds",
                   "How long a transaction of a plugin's database waits for each writer of the last fsync to "
                   "write again",
                   "gauge", labels, std::chrono::duration<double>(d.regroup_limit).count()});
  });
  return store;
}

boost::asio::any_io_executor PluginHost::io_executor() { return io_.get_executor(); }

std::shared_ptr<spdlog::logger> PluginHost::logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  auto log = spdlog::default_logger()->clone(name);
  spdlog::register_logger(log);
  return log;
}

void PluginHost::add_http_route(std::string path_prefix, HttpHandler handler) {
  routes_.add_http(std::move(path_prefix), std::move(handler));
}

void PluginHost::add_websocket_route(std::string path_prefix, WebSocketAcceptor acceptor) {
  routes_.add_websocket(std::move(path_prefix), std::move(acceptor));
}

void PluginHost::add_metrics_source(MetricsSource source) { plugin_sources_.add_metrics(std::move(source)); }

std::shared_ptr<const SchemaCheck> PluginHost::compile_schema(const std::string& ref) {
  return methods_.compile_schema(ref);
}
void PluginHost::add_health_source(HealthSource source) { plugin_sources_.add_health(std::move(source)); }

void PluginHost::audit(const AuditEvent& event) {
  if (audit_sink_) audit_sink_(event);
}

namespace {
// Who an in-process call without a caller runs as: the daemon itself.
std::shared_ptr<const Credentials> daemon_credentials() {
  auto c = std::make_shared<Credentials>();
  c->type = "INTERNAL";
  c->username = "root";
  c->uid = 0;
  c->roles = {kFullAdmin};
  return c;
}
}  // namespace

rpc::Dispatcher& PluginHost::dispatcher() const {
  if (!dispatcher_) throw std::logic_error("in-process call before the dispatcher exists");
  return *dispatcher_;
}

json::value PluginHost::call(const std::string& method, json::array params, std::shared_ptr<const Credentials> caller) {
  return call_noting_job(method, std::move(params), std::move(caller), {});
}

json::value PluginHost::call_noting_job(const std::string& method, json::array params,
                                        std::shared_ptr<const Credentials> caller,
                                        const std::function<void(int)>& on_job) {
  const rpc::MethodEntry& entry = dispatcher().authorise(method, caller.get());
  auto credentials = caller ? std::move(caller) : daemon_credentials();
  if (!entry.spec.job) {
    CallContext ctx{method, "internal", credentials, nullptr, nullptr};
    return dispatcher().invoke(entry, ctx, params);
  }
  auto job = dispatcher().submit(entry, std::move(params), rpc::JobCall{.credentials = std::move(credentials)});
  if (on_job) on_job(job->id());
  job->wait_until_finished(nullptr);
  return job->result_or_throw();
}

json::array PluginHost::start_download(const std::string& method, json::array params,
                                       std::shared_ptr<const Credentials> caller, const PeerInfo* peer,
                                       std::string filename, bool buffered) {
  const rpc::MethodEntry& entry = dispatcher().authorise(method, caller.get());
  if (!entry.spec.job || !entry.spec.downloadable)
    throw CallError("Method '" + method + "' does not produce a download", EINVAL);
  auto pipe = downloads_.make_pipe(buffered);
  auto job = dispatcher().submit(
      entry, std::move(params),
      rpc::JobCall{.credentials = caller ? std::move(caller) : daemon_credentials(), .output = pipe});
  std::string url = downloads_.register_pipe(job->id(), std::move(pipe), std::move(filename), peer);
  return json::array{job->id(), std::move(url)};
}

std::string PluginHost::offer_download(int job_id, std::filesystem::path file, std::string filename,
                                       const PeerInfo* peer) {
  return downloads_.add_file(job_id, std::move(file), std::move(filename), peer);
}

}  // namespace mw::app
