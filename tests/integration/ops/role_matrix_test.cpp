// as a table: for each role, every vm.* and vm.device.* method is called by an API
// key whose user holds that role, and must be refused with `[EACCES] Not authorized` exactly when
// the role does not grant the method. Only the authorization outcome is checked, so params are
// empty (a granted call then fails validation or runs harmlessly). Also: audit.query is for full
// admins only, and refusals of authenticated callers land in the audit log.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <iostream>
#include <map>
#include <random>
#include <set>

#include "support/daemon_process.hpp"
#include "support/rpc_client.hpp"
#include "support/run_command.hpp"

namespace mw::test {
namespace {

namespace json = boost::json;

constexpr const char* kDenied = "[EACCES] Not authorized";

// The role each method needs: CRUD reads need <P>_READ, writes
// <P>_WRITE; every choices/info method needs <P>_READ; lifecycle and clone need VM_WRITE.
const std::map<std::string, std::string> kRequiredRole{
    {"vm.query", "VM_READ"},
    {"vm.get_instance", "VM_READ"},
    {"vm.create", "VM_WRITE"},
    {"vm.update", "VM_WRITE"},
    {"vm.delete", "VM_WRITE"},
    {"vm.start", "VM_WRITE"},
    {"vm.stop", "VM_WRITE"},
    {"vm.poweroff", "VM_WRITE"},
    {"vm.reset", "VM_WRITE"},
    {"vm.restart", "VM_WRITE"},
    {"vm.suspend", "VM_WRITE"},
    {"vm.resume", "VM_WRITE"},
    {"vm.clone", "VM_WRITE"},
    {"vm.status", "VM_READ"},
    {"vm.get_console", "VM_READ"},
    {"vm.log_file_path", "VM_READ"},
    {"vm.log_file_download", "VM_READ"},
    {"vm.get_memory_usage", "VM_READ"},
    {"vm.get_available_memory", "VM_READ"},
    {"vm.get_vm_memory_info", "VM_READ"},
    {"vm.get_vmemory_in_use", "VM_READ"},
    {"vm.get_display_devices", "VM_READ"},
    {"vm.get_display_web_uri", "VM_READ"},
    {"vm.get_guest_network_interfaces", "VM_READ"},
    {"vm.random_mac", "VM_READ"},
    {"vm.port_wizard", "VM_READ"},
    {"vm.maximum_supported_vcpus", "VM_READ"},
    {"vm.supports_virtualization", "VM_READ"},
    {"vm.virtualization_details", "VM_READ"},
    {"vm.flags", "VM_READ"},
    {"vm.bootloader_options", "VM_READ"},
    {"vm.bootloader_ovmf_choices", "VM_READ"},
    {"vm.bootloader_aavmf_choices", "VM_READ"},
    {"vm.cpu_model_choices", "VM_READ"},
    {"vm.guest_architecture_and_machine_choices", "VM_READ"},
    {"vm.resolution_choices", "VM_READ"},
    {"vm.device.query", "VM_DEVICE_READ"},
    {"vm.device.get_instance", "VM_DEVICE_READ"},
    {"vm.device.create", "VM_DEVICE_WRITE"},
    {"vm.device.update", "VM_DEVICE_WRITE"},
    {"vm.device.delete", "VM_DEVICE_WRITE"},
    {"vm.device.convert", "VM_DEVICE_WRITE"},
    {"vm.device.disk_choices", "VM_DEVICE_READ"},
    {"vm.device.iotype_choices", "VM_DEVICE_READ"},
    {"vm.device.nic_attach_choices", "VM_DEVICE_READ"},
    {"vm.device.bind_choices", "VM_DEVICE_READ"},
    {"vm.device.usb_controller_choices", "VM_DEVICE_READ"},
    {"vm.device.iommu_enabled", "VM_DEVICE_READ"},
    {"vm.device.passthrough_device_choices", "VM_DEVICE_READ"},
    {"vm.device.passthrough_device", "VM_DEVICE_READ"},
    {"vm.device.usb_passthrough_choices", "VM_DEVICE_READ"},
    {"vm.device.usb_passthrough_device", "VM_DEVICE_READ"},
    {"vm.device.virtual_size", "VM_DEVICE_READ"},
};

// What each tested role grants: WRITE includes READ, DEVICE_READ includes VM_READ,
// DEVICE_WRITE includes VM_WRITE and DEVICE_READ; READONLY_ADMIN holds every READ role.
const std::map<std::string, std::set<std::string>> kGrants{
    {"VM_READ", {"VM_READ"}},
    {"VM_WRITE", {"VM_WRITE", "VM_READ"}},
    {"VM_DEVICE_READ", {"VM_DEVICE_READ", "VM_READ"}},
    {"VM_DEVICE_WRITE", {"VM_DEVICE_WRITE", "VM_WRITE", "VM_DEVICE_READ", "VM_READ"}},
    {"READONLY_ADMIN", {"VM_READ", "VM_DEVICE_READ"}},
    {"FULL_ADMIN", {"VM_READ", "VM_WRITE", "VM_DEVICE_READ", "VM_DEVICE_WRITE"}},
};

std::string random_suffix() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 6; ++i) out += static_cast<char>('a' + rd() % 26);
  return out;
}

void must(const std::vector<std::string>& argv, const std::string& input = "") {
  auto r = run_command(argv, input);
  if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
}

// The reason of the error `method` answers, or "" when it succeeds.
std::string outcome_of(RpcClient& c, const std::string& method) {
  try {
    c.call(method);
    return "";
  } catch (const RpcError& e) {
    return e.reason();
  }
}

class RoleMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string suffix = random_suffix();
    std::string config = "[server]\ncheck_results = true\n[auth]\napi_key_iterations = 4096\n";
    std::string roles = "[roles]\n";
    for (const auto& [role, grants] : kGrants) {
      std::string lower;
      for (char ch : role) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch == '_' ? '-' : ch)));
      std::string group = "mwrm-" + lower.substr(0, 12) + "-" + suffix;
      std::string user = "mwrm" + std::to_string(users.size()) + suffix;
      must({"groupadd", group});
      groups.push_back(group);
      must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-G", group, user});
      users[role] = user;
      if (role == "FULL_ADMIN")
        config += "admin_group = " + group + "\n";
      else
        roles += group + " = " + role + "\n";
    }
    DaemonOptions options;
    options.config_text = config + roles;
    daemon = new DaemonProcess(options);
    auto root = RpcClient::unix_socket(daemon->socket_path());
    for (const auto& [role, user] : users) {
      auto created = root.call("api_key.create", {json::object{{"name", "matrix-" + role}, {"username", user}}});
      keys[role] = std::string(created.at("key").as_string());
    }
  }
  static void TearDownTestSuite() {
    delete daemon;
    daemon = nullptr;
    for (const auto& [role, user] : users)
      if (auto r = run_command({"userdel", user}); r.exit_code != 0) std::cerr << "userdel " << user << ": " << r.err;
    for (const auto& g : groups) run_command({"groupdel", g});
    users.clear();
    groups.clear();
  }

  static RpcClient login(const std::string& role) {
    auto c = RpcClient::tcp(daemon->tcp_port());
    auto r = c.call(
        "auth.login_ex",
        {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", users.at(role)}, {"api_key", keys.at(role)}}});
    if (r.at("response_type") != "SUCCESS") throw std::runtime_error(role + " login failed: " + json::serialize(r));
    return c;
  }

  static inline DaemonProcess* daemon = nullptr;
  static inline std::map<std::string, std::string> users, keys;
  static inline std::vector<std::string> groups;
};

TEST_F(RoleMatrixTest, EveryVmMethodHasAnEntryInTheMatrix) {
  auto root = RpcClient::unix_socket(daemon->socket_path());
  auto methods = root.call("core.get_methods").as_object();
  int vm_methods = 0;
  for (const auto& [name, info] : methods) {
    if (!name.starts_with("vm.")) continue;
    ++vm_methods;
    EXPECT_TRUE(kRequiredRole.contains(name)) << name << " is registered but missing from the role matrix";
  }
  EXPECT_GT(vm_methods, 30);
}

// One test over all roles: each test process sets the suite up anew (users, keys, a daemon).
TEST_F(RoleMatrixTest, EachRoleIsGrantedExactlyWhatItIncludes) {
  auto root = RpcClient::unix_socket(daemon->socket_path());
  auto registered = root.call("core.get_methods").as_object();
  for (const auto& [method, required] : kRequiredRole)
    if (!registered.contains(method)) std::cout << "[ SKIPPED  ] " << method << " is not registered in this build\n";
  for (const auto& [role, grants] : kGrants) {
    auto c = login(role);
    int checked = 0;
    for (const auto& [method, required] : kRequiredRole) {
      if (!registered.contains(method)) continue;
      std::string outcome = outcome_of(c, method);
      if (grants.contains(required)) {
        EXPECT_NE(outcome, kDenied) << role << " should be allowed " << method;
      } else {
        EXPECT_EQ(outcome, kDenied) << role << " should be refused " << method << " (needs " << required << ")";
      }
      ++checked;
    }
    EXPECT_GT(checked, 30) << role;
  }
}

// core.get_methods lists what the caller may call, as TrueNAS's does: a method it would be
// refused is not there.
TEST_F(RoleMatrixTest, GetMethodsListsOnlyWhatTheRoleMayCall) {
  for (const char* role : {"VM_READ", "VM_DEVICE_WRITE"}) {
    auto c = login(role);
    auto listed = c.call("core.get_methods").as_object();
    const auto& grants = kGrants.at(role);
    for (const auto& [method, required] : kRequiredRole)
      EXPECT_EQ(listed.contains(method), grants.contains(required)) << role << " / " << method;
    EXPECT_TRUE(listed.contains("core.ping"));
    EXPECT_TRUE(listed.contains("core.get_jobs")) << "any authenticated caller may";
    EXPECT_FALSE(listed.contains("audit.query"));
  }
}

TEST_F(RoleMatrixTest, AuditQueryIsForFullAdminsOnly) {
  for (const char* role : {"VM_READ", "VM_DEVICE_WRITE", "READONLY_ADMIN"}) {
    auto c = login(role);
    EXPECT_EQ(outcome_of(c, "audit.query"), kDenied) << role;
  }
  auto admin = login("FULL_ADMIN");
  EXPECT_TRUE(admin.call("audit.query").is_array());
}

TEST_F(RoleMatrixTest, RefusalsOfAuthenticatedCallersAreAudited) {
  auto c = login("VM_READ");
  EXPECT_EQ(outcome_of(c, "vm.create"), kDenied);
  EXPECT_EQ(outcome_of(c, "vm.query"), "");
  auto root = RpcClient::unix_socket(daemon->socket_path());
  auto entries =
      root.call("audit.query",
                {json::object{{"query-filters", json::array{json::array{"username", "=", users.at("VM_READ")}}},
                              {"query-options", json::object{{"order_by", json::array{"-id"}}}}}})
          .as_array();
  ASSERT_FALSE(entries.empty());
  auto& last = entries[0].as_object();
  EXPECT_EQ(last.at("method"), "vm.create");
  EXPECT_EQ(last.at("outcome"), "refused");
  EXPECT_EQ(last.at("error"), kDenied);
  EXPECT_EQ(last.at("credentials"), "API_KEY");
  EXPECT_EQ(std::string(last.at("address").as_string()).rfind("tcp:127.0.0.1:", 0), 0u) << last.at("address");
  for (const auto& e : entries) EXPECT_NE(e.at("method"), "vm.query") << "read-only calls are not audited";
}

}  // namespace
}  // namespace mw::test
