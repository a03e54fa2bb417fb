#include "audit/audit_policy.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace mw::audit {
namespace {

const std::map<std::string, RoleSpec> kRoles{
    {"VM_READ", {"VM_READ", {}, true}},
    {"VM_WRITE", {"VM_WRITE", {"VM_READ"}, false}},
    {"VM_DEVICE_READ", {"VM_DEVICE_READ", {"VM_READ"}, true}},
};

bool audited(std::string name, std::vector<std::string> roles = {}) {
  MethodSpec spec;
  spec.name = std::move(name);
  spec.roles = std::move(roles);
  return changes_state(spec, kRoles);
}

TEST(AuditPolicy, MethodsOnlyReadOnlyRolesMayCallAreNotAudited) {
  EXPECT_FALSE(audited("vm.status", {"VM_READ"}));
  EXPECT_FALSE(audited("vm.device.iommu_enabled", {"VM_DEVICE_READ"}));
  EXPECT_FALSE(audited("x.report", {"READONLY_ADMIN"}));
  EXPECT_TRUE(audited("vm.start", {"VM_WRITE"}));
  EXPECT_TRUE(audited("vm.update", {"VM_WRITE", "VM_READ"})) << "one writing role is enough";
}

TEST(AuditPolicy, MethodsOpenToEveryoneAreAuditedUnlessTheirNameSaysTheyRead) {
  EXPECT_TRUE(audited("api_key.create"));
  EXPECT_TRUE(audited("auth.generate_token"));
  EXPECT_TRUE(audited("core.job_abort"));
  EXPECT_FALSE(audited("api_key.query"));
  EXPECT_FALSE(audited("api_key.get_instance"));
  EXPECT_FALSE(audited("core.get_jobs"));
  EXPECT_FALSE(audited("auth.mechanism_choices"));
  EXPECT_FALSE(audited("core.ping"));
  EXPECT_FALSE(audited("core.subscribe"));
  EXPECT_FALSE(audited("auth.me"));
  EXPECT_FALSE(audited("audit.query", {"FULL_ADMIN"}));
}

TEST(AuditPolicy, MethodsCallableWithoutLoginAreNotAuditedAsCalls) {
  MethodSpec login{.name = "auth.login_ex", .no_auth = true};
  EXPECT_FALSE(changes_state(login, kRoles)) << "login attempts are recorded by the auth plugin";
}

TEST(AuditPolicy, RecognisesSecretKeyNames) {
  for (const char* k :
       {"password", "Password", "key", "api_key", "secret", "token", "otp_token", "private_key", "db_password"})
    EXPECT_TRUE(is_secret_key(k)) << k;
  for (const char* k : {"name", "keyhash", "username", "monkey", "tokens", "password_configured"})
    EXPECT_FALSE(is_secret_key(k)) << k;
}

TEST(AuditPolicy, RedactsSecretsAtAnyDepthButLeavesEmptyOnesVisible) {
  auto in = json::parse(R"([1, {"name": "d", "attributes": {"dtype": "DISPLAY", "password": "hunter2"},
                               "list": [{"key": "abc"}], "token": null, "secret": ""}])");
  auto out = redact_secrets(in);
  EXPECT_EQ(out, json::parse(R"([1, {"name": "d", "attributes": {"dtype": "DISPLAY", "password": "********"},
                                     "list": [{"key": "********"}], "token": null, "secret": ""}])"));
}

TEST(AuditPolicy, RedactsPositionalParamsWhoseSchemaTitleIsASecret) {
  auto schema = json::parse(
      R"({"type": "array", "items": [{"title": "username"}, {"title": "password"}, {"title": "otp_token"}]})");
  auto positions = secret_positions(&schema);
  EXPECT_EQ(positions, (std::vector<bool>{false, true, true}));
  EXPECT_EQ(redact_params(json::array{"root", "pw", nullptr}, positions), (json::array{"root", "********", nullptr}));
}

TEST(AuditPolicy, AuditedMethodsListsOnlyStateChangingOnes) {
  MethodSpec query{.name = "vm.query", .roles = {"VM_READ"}}, create{.name = "vm.create", .roles = {"VM_WRITE"}};
  auto schema = json::parse(R"({"items": [{"title": "vm_create"}]})");
  auto methods = audited_methods({{&query, nullptr, nullptr}, {&create, &schema, nullptr}}, kRoles);
  ASSERT_EQ(methods.size(), 1u);
  EXPECT_EQ(methods.begin()->first, "vm.create");
  EXPECT_EQ(methods.begin()->second, (std::vector<bool>{false}));
}

}  // namespace
}  // namespace mw::audit
