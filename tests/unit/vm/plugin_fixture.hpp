#pragma once
// Sets up the vm plugin on a fake context and a fake host in a fresh state directory, and
// offers short helpers to call methods and read validation errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <middlewared/errors.hpp>
#include <set>
#include <tuple>

#include "device_service.hpp"
#include "fake_host.hpp"
#include "fake_plugin_context.hpp"
#include "runtime_status.hpp"
#include "support/fake_hypervisor.hpp"
#include "vm_plugin.hpp"

namespace mw::vm::testing {

// Which VMs run is the test's choice.
class FakeRuntime final : public VmRuntimeStatus {
 public:
  std::map<int64_t, std::string> states;  // vm id -> RUNNING / SUSPENDED
  json::object status(int64_t id) const override {
    auto it = states.find(id);
    if (it == states.end()) return {{"state", "STOPPED"}, {"pid", nullptr}, {"domain_state", nullptr}};
    return {{"state", it->second}, {"pid", 4242}, {"domain_state", it->second == "SUSPENDED" ? "PAUSED" : "RUNNING"}};
  }
  bool active(int64_t id) const override { return states.contains(id); }
};

using ErrorTriple = std::tuple<std::string, std::string, int>;

class VmPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_dir =
        std::filesystem::temp_directory_path() / ("mw_vm_test_" + std::to_string(::getpid()) + "_" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(state_dir);
    std::filesystem::create_directories(state_dir);
    storage = state_dir / "storage";
    std::filesystem::create_directories(storage);
    roots_config = storage.string();
    start_plugin();
  }
  void TearDown() override {
    plugin.reset();
    ctx.reset();
    std::filesystem::remove_all(state_dir);
  }

  // (Re)creates the context and plugin on the same state directory, as a daemon restart would.
  void start_plugin() {
    plugin.reset();
    ctx = std::make_unique<FakePluginContext>(state_dir);
    if (roots_config) ctx->mutable_config().values["vm.storage_roots"] = *roots_config;
    plugin = make_vm_plugin(VmPluginDeps{host, real_runtime ? nullptr : runtime, hypervisor});
    plugin->setup(*ctx);
  }

  json::value call(const std::string& method, json::array params = {},
                   std::vector<std::string> roles = {"FULL_ADMIN"}) {
    return ctx->call(method, std::move(params), caller(std::move(roles)));
  }
  static json::value js(const std::string& text) { return boost::json::parse(text); }

  // The [attribute, message, errno] triples a call fails with (empty when it succeeds).
  template <class F>
  static std::vector<ErrorTriple> errors_of(F&& f) {
    try {
      f();
    } catch (const ValidationErrors& e) {
      std::vector<ErrorTriple> out;
      for (const auto& v : e.errors()) out.emplace_back(v.attribute.value_or("None"), v.message, v.errnum);
      return out;
    }
    return {};
  }
  std::vector<ErrorTriple> create_errors(const std::string& body) {
    return errors_of([&] { call("vm.create", {js(body)}); });
  }
  std::vector<ErrorTriple> device_errors(const std::string& body) {
    return errors_of([&] { call("vm.device.create", {js(body)}); });
  }
  int64_t create_vm(const std::string& name, const std::string& extra = "") {
    std::string body = "{\"name\": \"" + name + "\", \"memory\": 512" + (extra.empty() ? "" : ", " + extra) + "}";
    return call("vm.create", {js(body)}).as_object().at("id").as_int64();
  }
  json::object create_device(int64_t vm, const std::string& attributes, const std::string& extra = "") {
    std::string body = "{\"vm\": " + std::to_string(vm) + ", \"attributes\": " + attributes +
                       (extra.empty() ? "" : ", " + extra) + "}";
    return call("vm.device.create", {js(body)}).as_object();
  }
  std::string file_in_storage(const std::string& name, std::size_t size = 4096) {
    auto p = storage / name;
    std::filesystem::create_directories(p.parent_path());
    std::FILE* f = std::fopen(p.c_str(), "wb");
    std::string zeros(size, '\0');
    std::fwrite(zeros.data(), 1, zeros.size(), f);
    std::fclose(f);
    return p.string();
  }

  std::filesystem::path state_dir;
  std::filesystem::path storage;
  std::optional<std::string> roots_config;  // [vm] storage_roots; nullopt: the default
  std::shared_ptr<FakeHost> host = std::make_shared<FakeHost>();
  std::shared_ptr<FakeRuntime> runtime = std::make_shared<FakeRuntime>();
  // Lifecycle tests set real_runtime: status then comes from the plugin's own runtime registry,
  // driving the in-memory hypervisor.
  bool real_runtime = false;
  std::shared_ptr<mw::testing::FakeHypervisor> hypervisor = std::make_shared<mw::testing::FakeHypervisor>();
  std::unique_ptr<FakePluginContext> ctx;
  std::unique_ptr<Plugin> plugin;
};

inline ErrorTriple err(std::string attribute, std::string message, int errnum = EINVAL) {
  return {std::move(attribute), std::move(message), errnum};
}

}  // namespace mw::vm::testing
