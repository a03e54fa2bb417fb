// contract_problems(): what makes the daemon refuse to start, one line per problem.
#include <gtest/gtest.h>

#include "app/boot_checks.hpp"

namespace mw::app {
namespace {

MethodSpec method(std::string name, std::vector<std::string> roles = {}) {
  MethodSpec spec;
  spec.name = std::move(name);
  spec.roles = std::move(roles);
  return spec;
}

std::vector<MethodInfo> infos(const std::vector<MethodSpec>& specs) {
  std::vector<MethodInfo> out;
  for (const auto& s : specs) out.push_back({&s, nullptr, nullptr});
  return out;
}

const std::map<std::string, RoleSpec> kRoles = {{"VM_READ", {"VM_READ", {}, true}},
                                                {"VM_WRITE", {"VM_WRITE", {"VM_READ"}, false}}};

TEST(BootChecks, MethodsWithTheirSchemasKnownRolesAndSharedDefinitionsPass) {
  std::vector<MethodSpec> specs = {method("vm.device.create", {"VM_WRITE"}), method("audit.query", {"FULL_ADMIN"}),
                                   method("vm.query", {"READONLY_ADMIN", "VM_READ"})};
  auto problems = contract_problems(infos(specs),
                                    {{"vm/device/create.params.json", "{}"},
                                     {"vm/device/create.result.json", "{}"},
                                     {"vm/common.json", "{}"},
                                     {"vm/query.result.json", "{}"}},
                                    kRoles);
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST(BootChecks, SchemaFileOfNoMethodIsNamed) {
  std::vector<MethodSpec> specs = {method("vm.query")};
  EXPECT_EQ(
      contract_problems(infos(specs), {{"vm/querry.params.json", "{}"}}, kRoles),
      std::vector<std::string>{"schemas/vm/querry.params.json belongs to no method (vm.querry is not registered)"});
}

TEST(BootChecks, RoleThatNoPluginDeclaresIsNamedForMethodsAndRoles) {
  std::vector<MethodSpec> specs = {method("vm.query", {"VM_RAED"})};
  auto roles = kRoles;
  roles["VM_DEVICE_READ"] = {"VM_DEVICE_READ", {"VM_REED"}, true};
  EXPECT_EQ(contract_problems(infos(specs), {}, roles),
            (std::vector<std::string>{"method vm.query names role VM_RAED, which no plugin declares",
                                      "role VM_DEVICE_READ includes role VM_REED, which no plugin declares"}));
}

}  // namespace
}  // namespace mw::app
