#pragma once
// The core's side of the plugin API: what PluginContext offers, and the ordering of plugins by
// their declared dependencies (setup/start in order, stop in reverse).
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include <middlewared/plugin.hpp>

namespace mw::events {
class EventHub;
}
namespace mw::jobs {
class JobManager;
}
namespace mw::rpc {
class MethodTable;
}

namespace mw::app {

class PluginHost : public PluginContext {
 public:
  PluginHost(rpc::MethodTable& methods, events::EventHub& events, jobs::JobManager& jobs, const Config& config,
             boost::asio::io_context& io);
  ~PluginHost() override;

  void add_plugin(std::unique_ptr<Plugin> plugin);
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

  const std::map<std::string, RoleSpec>& roles() const { return roles_; }

 private:
  rpc::MethodTable& methods_;
  events::EventHub& events_;
  jobs::JobManager& jobs_;
  const Config& config_;
  boost::asio::io_context& io_;
  std::vector<std::unique_ptr<Plugin>> plugins_;  // in start order after setup_all()
  std::map<std::string, RoleSpec> roles_;
  std::map<std::string, std::shared_ptr<Datastore>> datastores_;
  bool started_ = false;
};

}  // namespace mw::app
