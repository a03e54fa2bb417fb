#pragma once
// A PluginContext for unit tests of the vm plugin: keeps registered methods, events and roles,
// records published events, and opens real SQLite datastores in a temporary state directory.
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <middlewared/plugin.hpp>
#include <middlewared/services.hpp>
#include <mutex>

namespace mw::schema {
class SchemaSet;
}

namespace mw::vm::testing {

struct PublishedEvent {
  std::string collection;
  EventKind kind;
  json::value id;
  std::optional<json::value> fields;
  std::optional<json::value> redacted;
};

class RecordingEventBus final : public EventBus {
 public:
  void publish(std::string_view collection, EventKind kind, json::value id, std::optional<json::value> fields,
               std::optional<json::value> redacted) override;
  std::vector<PublishedEvent> take();

 private:
  std::mutex mutex_;
  std::vector<PublishedEvent> events_;
};

class MapConfig final : public Config {
 public:
  explicit MapConfig(std::filesystem::path state) : state_(std::move(state)) {}
  std::optional<std::string> get(std::string_view section, std::string_view key) const override;
  const std::filesystem::path& state_dir() const override { return state_; }
  std::map<std::string, std::string> values;  // "section.key" -> value

 private:
  std::filesystem::path state_;
};

class FakePluginContext final : public PluginContext {
 public:
  explicit FakePluginContext(std::filesystem::path state_dir);
  void add_method(MethodSpec spec) override;
  void add_event(EventSpec spec) override;
  void add_role(RoleSpec spec) override;
  EventBus& events() override { return bus; }
  JobService& jobs() override;
  std::vector<MethodInfo> methods() const override;
  const Config& config() const override { return config_; }
  std::shared_ptr<Datastore> open_datastore(const std::string& name, const std::vector<Migration>& migrations) override;
  // The store open_datastore(name) opened last (nullptr when none), for tests of its writes.
  std::shared_ptr<Datastore> datastore(const std::string& name) const {
    auto it = datastores_.find(name);
    return it == datastores_.end() ? nullptr : it->second;
  }
  boost::asio::any_io_executor io_executor() override { return io_.get_executor(); }
  std::shared_ptr<spdlog::logger> logger(const std::string& name) override;
  // Routes are kept, not served: unit tests may call a handler directly.
  void add_http_route(std::string path_prefix, HttpHandler handler) override {
    http_routes_[std::move(path_prefix)] = std::move(handler);
  }
  void add_websocket_route(std::string path_prefix, WebSocketAcceptor acceptor) override {
    websocket_routes_[std::move(path_prefix)] = std::move(acceptor);
  }

  // The repository's schemas/ compiled by the core's validator, as the daemon does.
  std::shared_ptr<const SchemaCheck> compile_schema(const std::string& ref) override;

  // What the auth plugin would offer: no token is valid here.
  struct NoShellTokens final : ShellTokenChecker {
    std::shared_ptr<const Credentials> check_shell_token(const std::string&, const PeerInfo&) override {
      return nullptr;
    }
  } shell_tokens;

  MapConfig& mutable_config() { return config_; }
  // Calls a registered method the way the dispatcher would (params as already validated).
  json::value call(const std::string& method, json::array params, const CallContext& call_context);
  const MethodSpec& method(const std::string& name) const { return methods_.at(name); }

  std::map<std::string, MethodSpec> methods_;
  std::map<std::string, EventSpec> events_;
  std::map<std::string, RoleSpec> roles_;
  std::map<std::string, HttpHandler> http_routes_;
  std::map<std::string, WebSocketAcceptor> websocket_routes_;
  RecordingEventBus bus;

 protected:
  void* require_service(const std::type_info& type) override {
    if (type == typeid(ShellTokenChecker)) return static_cast<ShellTokenChecker*>(&shell_tokens);
    return PluginContext::require_service(type);
  }

 private:
  MapConfig config_;
  std::map<std::string, std::shared_ptr<Datastore>> datastores_;
  boost::asio::io_context io_;
};

// A caller holding `roles`, over a real (non-internal) session unless `internal`.
CallContext caller(std::vector<std::string> roles, std::string type = "LOGIN_PASSWORD");

// Every file under schemas/, registered as the daemon registers them (relative $refs resolve).
// Compiling is not thread-safe: FakePluginContext::compile_schema serialises its own use.
schema::SchemaSet& schema_files();

}  // namespace mw::vm::testing
