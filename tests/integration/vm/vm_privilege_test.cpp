// What VM_WRITE alone may not do, because it would make its holder root on the host:
// pass arguments to QEMU (command_line_args), against the real daemon with a real local account.
#include <random>

#include "vm_daemon_fixture.hpp"

namespace vm_it {
namespace {

using ::testing::ElementsAre;

class VmPrivilegeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::random_device rd;
    std::string suffix;
    for (int i = 0; i < 6; ++i) suffix += static_cast<char>('a' + rd() % 26);
    group_ = "mwvmw-" + suffix;
    user_ = "mwvmw" + suffix;
    must({"groupadd", group_});
    must({"useradd", "-M", "-s", "/usr/sbin/nologin", "-G", group_, user_});
    mw::test::DaemonOptions options;
    options.config_text = "[auth]\napi_key_iterations = 4096\n[roles]\n" + group_ + " = VM_WRITE, VM_DEVICE_WRITE\n";
    daemon_ = std::make_unique<mw::test::DaemonProcess>(options);
    auto root = admin();
    key_ = std::string(
        root.call("api_key.create", {json::object{{"name", "vm-writer"}, {"username", user_}}}).at("key").as_string());
  }
  static void TearDownTestSuite() {
    daemon_.reset();
    mw::test::run_command({"userdel", user_});
    mw::test::run_command({"groupdel", group_});
  }
  static void must(const std::vector<std::string>& argv) {
    auto r = mw::test::run_command(argv);
    if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
  }

  // Root over the unix socket: FULL_ADMIN.
  static mw::test::RpcClient admin() { return mw::test::RpcClient::unix_socket(daemon_->socket_path()); }
  // The local account holding VM_WRITE and VM_DEVICE_WRITE only.
  static mw::test::RpcClient writer() {
    auto c = mw::test::RpcClient::tcp(daemon_->tcp_port());
    auto login =
        c.call("auth.login_ex", {json::object{{"mechanism", "API_KEY_PLAIN"}, {"username", user_}, {"api_key", key_}}});
    if (login.at("response_type") != "SUCCESS") throw std::runtime_error("login failed: " + json::serialize(login));
    return c;
  }
  static std::vector<Triple> errors_of(mw::test::RpcClient& c, const std::string& method, json::array params) {
    try {
      c.call(method, std::move(params));
    } catch (const mw::test::RpcError& e) {
      std::vector<Triple> out;
      for (const auto& t : e.data.at("extra").as_array())
        out.emplace_back(std::string(t.at(0).as_string()), std::string(t.at(1).as_string()),
                         static_cast<int>(t.at(2).to_number<int64_t>()));
      return out;
    }
    ADD_FAILURE() << method << " succeeded";
    return {};
  }
  void TearDown() override {
    auto root = admin();
    const auto vms = root.call("vm.query");  // kept alive: a loop over a temporary's array would dangle
    for (const auto& vm : vms.as_array()) root.call("vm.delete", {vm.at("id")});
  }

  static inline std::unique_ptr<mw::test::DaemonProcess> daemon_;
  static inline std::string group_, user_, key_;
};

const std::string kArgs = "-drive file=/etc/shadow,format=raw,if=virtio";
const std::string kOnlyAdmins =
    "Only a full administrator (FULL_ADMIN) may set command_line_args: QEMU runs them as root";

TEST_F(VmPrivilegeTest, QemuArgumentsNeedAFullAdministrator) {
  auto w = writer();
  EXPECT_THAT(
      errors_of(w, "vm.create", {json::object{{"name", "argsvm"}, {"memory", 256}, {"command_line_args", kArgs}}}),
      ElementsAre(t("vm_create.command_line_args", kOnlyAdmins, EPERM)));
  EXPECT_TRUE(w.call("vm.query", {json::parse(R"([["name", "=", "argsvm"]])")}).as_array().empty());

  // Without arguments the same writer may create and update the VM, but not give it arguments.
  auto id = w.call("vm.create", {json::object{{"name", "argsvm"}, {"memory", 256}}}).at("id");
  EXPECT_THAT(errors_of(w, "vm.update", {id, json::object{{"command_line_args", kArgs}}}),
              ElementsAre(t("vm_update.command_line_args", kOnlyAdmins, EPERM)));
  EXPECT_EQ(w.call("vm.get_instance", {id}).at("command_line_args"), "");
}

TEST_F(VmPrivilegeTest, AWriterMayEditAVmWhoseArgumentsAnAdministratorSet) {
  auto root = admin();
  auto id =
      root.call("vm.create", {json::object{{"name", "adminargs"}, {"memory", 256}, {"command_line_args", "-no-hpet"}}})
          .at("id");
  auto w = writer();
  // Sending the stored arguments back (as a form that round-trips the whole entry does) is fine.
  EXPECT_EQ(w.call("vm.update", {id, json::object{{"memory", 512}, {"command_line_args", "-no-hpet"}}}).at("memory"),
            512);
  // Dropping them takes nothing from the host.
  EXPECT_EQ(w.call("vm.update", {id, json::object{{"command_line_args", ""}}}).at("command_line_args"), "");
  EXPECT_EQ(root.call("vm.update", {id, json::object{{"command_line_args", "-no-hpet"}}}).at("command_line_args"),
            "-no-hpet");
}

}  // namespace
}  // namespace vm_it
