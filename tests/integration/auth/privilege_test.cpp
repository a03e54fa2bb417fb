// No role reaches further than it grants, on the real daemon: a token carries exactly the roles of
// the session that made it (so a read-only caller's token sees display passwords masked, as the
// caller does), and managing API keys of other users (root's above all) needs FULL_ADMIN, not
// API_KEY_WRITE.
#include <gtest/gtest.h>

#include "integration/auth/auth_fixture.hpp"

namespace mw::test {
namespace {

constexpr const char* kDisplayPassword = "Velvet-Otter-93";

class PrivilegeTest : public AuthTest {
 protected:
  // A VM with a SPICE display protected by kDisplayPassword; returns the VM id.
  static int64_t vm_with_display() {
    auto r = root();
    auto vm = r.call("vm.create", {json::object{{"name", unique_name("privvm")}, {"memory", 256}}});
    int64_t id = vm.at("id").as_int64();
    r.call("vm.device.create",
           {json::object{
               {"vm", id},
               {"attributes", json::object{{"dtype", "DISPLAY"}, {"type", "SPICE"}, {"password", kDisplayPassword}}}}});
    return id;
  }
  // Logs a new TCP connection in with a token that `creator` generates.
  static RpcClient token_session(RpcClient& creator) {
    std::string token(creator.call("auth.generate_token", {300}).as_string());
    auto c = tcp();
    if (c.call("auth.login_with_token", {json::value(token)}) != true) throw std::runtime_error("token login failed");
    return c;
  }
  // Every DISPLAY password the caller sees through vm.query and vm.get_display_devices.
  static std::vector<std::string> display_passwords(RpcClient& c, int64_t vm_id) {
    std::vector<std::string> out;
    auto vm = c.call("vm.get_instance", {json::value(vm_id)});
    for (const auto& d : vm.at("devices").as_array())
      if (d.at("attributes").at("dtype") == "DISPLAY") out.emplace_back(d.at("attributes").at("password").as_string());
    auto displays = c.call("vm.get_display_devices", {json::value(vm_id)});
    for (const auto& d : displays.as_array()) out.emplace_back(d.at("attributes").at("password").as_string());
    return out;
  }
  static json::object api_key_login(const std::string& user, const json::value& key) {
    auto c = tcp();
    return object_of(
        c.call("auth.login_ex", {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", user}, {"api_key", key}}}));
  }
};

// ---- tokens carry the roles of their creator, secrets follow write rights -------------------

TEST_F(PrivilegeTest, ReadOnlyCallersTokenSessionSeesDisplayPasswordsMasked) {
  int64_t vm = vm_with_display();
  auto reader_session = logged_in(reader);
  auto token = token_session(reader_session);

  EXPECT_EQ(token.call("auth.me").at("privilege").at("roles"),
            reader_session.call("auth.me").at("privilege").at("roles"));
  EXPECT_EQ(error_reason([&] {
              token.call("vm.update", {json::value(vm), json::object{{"memory", 512}}});
            }),
            "[EACCES] Not authorized");
  for (const auto& p : display_passwords(reader_session, vm)) EXPECT_EQ(p, "********") << "password session";
  auto seen = display_passwords(token, vm);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& p : seen) EXPECT_EQ(p, "********") << "token session of a VM_READ user";
  root().call("vm.delete", {json::value(vm)});
}

TEST_F(PrivilegeTest, WritersTokenSessionStillSeesDisplayPasswords) {
  int64_t vm = vm_with_display();
  auto admin_session = logged_in(admin);
  auto token = token_session(admin_session);
  for (const auto& p : display_passwords(token, vm)) EXPECT_EQ(p, kDisplayPassword);
  root().call("vm.delete", {json::value(vm)});
}

// ---- API keys of other users need FULL_ADMIN ---------------------------------------------------

TEST_F(PrivilegeTest, KeyManagerCannotCreateAKeyForRoot) {
  auto c = logged_in(keyadmin);
  std::string name = unique_name("rootkey");
  EXPECT_NE(error_reason([&] {
              c.call("api_key.create", {json::object{{"name", name}, {"username", "root"}}});
            }).find("api_key_create.username: Only a full administrator may create API keys for another user."),
            std::string::npos);
  EXPECT_EQ(root().call("api_key.query", {json::array{json::array{"name", "=", name}}}).as_array().size(), 0u);
}

TEST_F(PrivilegeTest, KeyManagerCannotResetRevokeOrDeleteRootsKey) {
  auto created = create_key("root");
  auto id = created.at("id");
  auto c = logged_in(keyadmin);
  const std::string refused = "[EACCES] Only a full administrator may change API keys of another user.";
  EXPECT_EQ(error_reason([&] { c.call("api_key.update", {id, json::object{{"reset", true}}}); }), refused);
  EXPECT_EQ(error_reason([&] {
              c.call("api_key.update", {id, json::object{{"name", unique_name("renamed")}}});
            }),
            refused);
  // api_key.revoke is private: a client connection cannot call it at all (truenas_shape_test.cpp).
  EXPECT_NE(error_reason([&] {
              c.call("api_key.revoke", {id, json::value("taken over")});
            }).find("[EPERM]"),
            std::string::npos);
  EXPECT_EQ(error_reason([&] { c.call("api_key.delete", {id}); }), refused);
  // Nothing changed: the key still logs root in under its name.
  EXPECT_EQ(api_key_login("root", created.at("key")).at("response_type"), "SUCCESS");
  EXPECT_EQ(root().call("api_key.get_instance", {id}).at("name"), created.at("name"));
}

TEST_F(PrivilegeTest, KeyManagerManagesOwnKeysAndSeesOthers) {
  auto c = logged_in(keyadmin);
  auto mine =
      c.call("api_key.create", {json::object{{"name", unique_name("own")}, {"username", keyadmin}}}).as_object();
  auto reset = c.call("api_key.update", {mine.at("id"), json::object{{"reset", true}}}).as_object();
  EXPECT_EQ(api_key_login(keyadmin, reset.at("key")).at("response_type"), "SUCCESS");
  EXPECT_EQ(c.call("api_key.delete", {mine.at("id")}), true);
  // API_KEY_WRITE includes API_KEY_READ: other users' entries (never their keys) are visible.
  auto roots = create_key("root");
  EXPECT_EQ(c.call("api_key.get_instance", {roots.at("id")}).at("username"), "root");
}

TEST_F(PrivilegeTest, FullAdminManagesAnotherUsersKeys) {
  auto c = logged_in(admin);
  auto theirs =
      c.call("api_key.create", {json::object{{"name", unique_name("theirs")}, {"username", reader}}}).as_object();
  EXPECT_EQ(theirs.at("username"), json::value(reader));
  auto reset = c.call("api_key.update", {theirs.at("id"), json::object{{"reset", true}}}).as_object();
  EXPECT_EQ(api_key_login(reader, reset.at("key")).at("response_type"), "SUCCESS");
  EXPECT_EQ(c.call("api_key.delete", {theirs.at("id")}), true);
}

TEST_F(PrivilegeTest, EveryResultMatchedItsSchema) {
  EXPECT_EQ(daemon->log().find("breaks its schema"), std::string::npos) << daemon->log();
}

}  // namespace
}  // namespace mw::test
