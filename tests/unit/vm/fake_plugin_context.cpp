#include "fake_plugin_context.hpp"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <boost/json/parse.hpp>

#include "schema/schema_check.hpp"
#include "schema/schema_set.hpp"

namespace mw::vm::testing {
namespace {

// Only the pointer's non-null-ness matters to the plugin (internal vs session calls).
class NullSession final : public Session {
 public:
  const std::string& id() const override { return id_; }
  const PeerInfo& peer() const override { return peer_; }
  std::shared_ptr<const Credentials> credentials() const override { return nullptr; }
  json::object set_options(const json::object&) override { return {}; }
  bool legacy_jobs() const override { return false; }
  std::string subscribe(const std::string&) override { return {}; }
  void unsubscribe(const std::string&) override {}
  void set_credentials(std::shared_ptr<const Credentials>) override {}

 private:
  std::string id_ = "test-session";
  PeerInfo peer_;
};

NullSession& shared_session() {
  static NullSession session;
  return session;
}

}  // namespace

void RecordingEventBus::publish(std::string_view collection, EventKind kind, json::value id,
                                std::optional<json::value> fields, std::optional<json::value> redacted) {
  std::lock_guard lock(mutex_);
  events_.push_back({std::string(collection), kind, std::move(id), std::move(fields), std::move(redacted)});
}

std::vector<PublishedEvent> RecordingEventBus::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(events_, {});
}

std::optional<std::string> MapConfig::get(std::string_view section, std::string_view key) const {
  auto it = values.find(std::string(section) + "." + std::string(key));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

FakePluginContext::FakePluginContext(std::filesystem::path state_dir) : config_(std::move(state_dir)) {}

schema::SchemaSet& schema_files() {
  static schema::SchemaSet set = [] {
    schema::SchemaSet s(schema::CompileOptions{.strict_integers = true});
    const std::filesystem::path root = MW_SOURCE_DIR "/schemas";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      s.add_document(schema::method_schema_uri(entry.path().lexically_relative(root).generic_string()),
                     boost::json::parse(text.str()));
    }
    return s;
  }();
  return set;
}

std::shared_ptr<const SchemaCheck> FakePluginContext::compile_schema(const std::string& ref) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  return schema::make_schema_check(schema_files().compile(schema::method_schema_uri(ref)));
}

void FakePluginContext::add_method(MethodSpec spec) {
  if (methods_.contains(spec.name)) throw std::logic_error("method registered twice: " + spec.name);
  auto name = spec.name;
  methods_.emplace(std::move(name), std::move(spec));
}

void FakePluginContext::add_event(EventSpec spec) {
  auto name = spec.name;
  events_.emplace(std::move(name), std::move(spec));
}

void FakePluginContext::add_role(RoleSpec spec) {
  auto name = spec.name;
  roles_.emplace(std::move(name), std::move(spec));
}

JobService& FakePluginContext::jobs() { throw std::logic_error("the vm plugin registers no jobs yet"); }

std::vector<MethodInfo> FakePluginContext::methods() const {
  std::vector<MethodInfo> out;
  for (const auto& [name, spec] : methods_) out.push_back({&spec, nullptr, nullptr});
  return out;
}

std::shared_ptr<Datastore> FakePluginContext::open_datastore(const std::string& name,
                                                             const std::vector<Migration>& migrations) {
  auto store = std::make_shared<Datastore>(config_.state_dir() / "db" / (name + ".sqlite"), migrations);
  datastores_[name] = store;
  return store;
}

std::shared_ptr<spdlog::logger> FakePluginContext::logger(const std::string& name) {
  return std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::null_sink_mt>());
}

json::value FakePluginContext::call(const std::string& method, json::array params, const CallContext& call_context) {
  // The caller's identity; an answer of its own (a call is answered as a value here).
  CallContext c{.method = method,
                .call_id = call_context.call_id,
                .credentials = call_context.credentials,
                .session = call_context.session,
                .job = call_context.job,
                .upload = call_context.upload};
  return methods_.at(method).handler(c, params);
}

CallContext caller(std::vector<std::string> roles, std::string type) {
  auto creds = std::make_shared<Credentials>();
  creds->type = std::move(type);
  creds->username = "tester";
  for (auto& r : roles) creds->roles.insert(std::move(r));
  CallContext c;
  c.credentials = std::move(creds);
  c.session = &shared_session();
  return c;
}

}  // namespace mw::vm::testing
