// vm.create/update/delete/clone/query/get_instance/get_console through the method table.
#include <fstream>

#include <SQLiteCpp/SQLiteCpp.h>

#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

using ::testing::ElementsAre;

class VmCrudTest : public VmPluginTest {
 protected:
  // A DISK row on a zvol, written the way an older daemon (or a create_zvol) left it; `owned` records
  // the zvol as made by this server. The plugin is restarted to load it.
  void add_zvol_disk(int64_t vm, const std::string& zvol, bool owned) {
    plugin.reset();
    SQLite::Database db((state_dir / "db" / "vm.sqlite").string(), SQLite::OPEN_READWRITE);
    SQLite::Statement st(db, "INSERT INTO vm_device (vm_id, attributes, \"order\") VALUES (?, ?, 1001)");
    st.bind(1, static_cast<int64_t>(vm));
    st.bind(2, R"({"dtype": "DISK", "path": "/dev/zvol/)" + zvol +
                   R"(", "type": "AHCI", "create_zvol": false, "zvol_name": null,
        "zvol_volsize": null, "logical_sectorsize": null, "physical_sectorsize": null, "iotype": "THREADS", "serial": "abcd1234"})");
    st.exec();
    if (owned) db.exec("INSERT INTO vm_owned_zvol (name) VALUES ('" + zvol + "')");
  }
};

TEST_F(VmCrudTest, CreateFillsDefaultsAndReturnsTheEntry) {
  auto vm = call("vm.create", {js(R"({"name": "vm01", "memory": 512})")}).as_object();
  EXPECT_GT(vm.at("id").as_int64(), 0);
  EXPECT_EQ(vm.at("description"), "");
  EXPECT_EQ(vm.at("vcpus"), 1);
  EXPECT_EQ(vm.at("autostart"), true);
  EXPECT_EQ(vm.at("time"), "LOCAL");
  EXPECT_EQ(vm.at("shutdown_timeout"), 90);
  EXPECT_EQ(vm.at("cpu_mode"), "CUSTOM");
  EXPECT_EQ(vm.at("devices"), json::array{});
  EXPECT_EQ(vm.at("display_available"), false);
  EXPECT_EQ(vm.at("status"), js(R"({"state": "STOPPED", "pid": null, "domain_state": null})"));
  EXPECT_TRUE(vm.at("uuid").is_string());
  EXPECT_EQ(vm.at("uuid").as_string().size(), 36u);
  EXPECT_EQ(vm.at("uuid").as_string()[14], '4');
}

TEST_F(VmCrudTest, QueryEchoesEverySubmittedKey) {
  auto submitted =
      js(R"({"name": "vm01", "description": "desc", "vcpus": 1, "memory": 512, "bootloader": "UEFI", "autostart": false})")
          .as_object();
  int64_t id = call("vm.create", {submitted}).as_object().at("id").as_int64();
  auto got = call("vm.query", {js(R"([["id", "=", )" + std::to_string(id) + "]]"), js(R"({"get": true})")}).as_object();
  for (const auto& kv : submitted) EXPECT_EQ(got.at(kv.key()), kv.value()) << kv.key();
}

// Filters on stored fields narrow the rows before entries are built; the answer must be what a
// full scan gives: whole entries (devices, status), other filters and options still applied.
TEST_F(VmCrudTest, QueryByStoredFieldsGivesWholeEntriesAndKeepsTheOtherFilters) {
  create_vm("alpha");
  int64_t beta = create_vm("beta", "\"autostart\": false");
  create_device(beta, R"({"dtype": "NIC", "type": "VIRTIO"})");
  create_vm("gamma", "\"autostart\": false");

  auto by_name = call("vm.query", {js(R"([["name", "=", "beta"]])")}).as_array();
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0].at("id"), beta);
  EXPECT_EQ(by_name[0].at("devices").as_array().size(), 1u);
  EXPECT_EQ(by_name[0].at("status").at("state"), "STOPPED");

  auto mixed = call("vm.query", {js(R"([["autostart", "=", false], ["status.state", "=", "STOPPED"]])"),
                                 js(R"({"order_by": ["-name"], "select": ["name"]})")});
  EXPECT_EQ(mixed, js(R"([{"name": "gamma"}, {"name": "beta"}])"));
  EXPECT_EQ(call("vm.query", {js(R"([["name", "=", "beta"], ["devices", "=", []]])")}).as_array().size(), 0u);
  EXPECT_EQ(call("vm.query", {js("[]"), js(R"({"count": true})")}), 3);
  EXPECT_EQ(call("vm.query", {js(R"([["autostart", "=", false]])"), js(R"({"count": true})")}), 2);
}

// A malformed filter is refused with the engine's usual error even when a stored-field filter
// comes first.
TEST_F(VmCrudTest, QueryWithABadFilterAfterAStoredFieldFilterStillFails) {
  create_vm("alpha");
  EXPECT_THROW(call("vm.query", {js(R"([["name", "=", "alpha"], ["memory", "~~", 1]])")}), ValidationErrors);
}

TEST_F(VmCrudTest, UpdateMergesPartially) {
  int64_t id = create_vm("vm01", "\"description\": \"keep me\"");
  auto vm = call("vm.update", {id, js(R"({"vcpus": 4, "memory": 4096})")}).as_object();
  EXPECT_EQ(vm.at("vcpus"), 4);
  EXPECT_EQ(vm.at("memory"), 4096);
  EXPECT_EQ(vm.at("description"), "keep me");
  EXPECT_EQ(call("vm.get_instance", {id}).as_object().at("memory"), 4096);
}

TEST_F(VmCrudTest, GetInstanceOfAMissingVm) {
  EXPECT_THAT(errors_of([&] { call("vm.get_instance", {5}); }),
              ElementsAre(err("None", "VM 5 does not exist", ENOENT)));
  EXPECT_THAT(errors_of([&] {
                call("vm.update", {5, json::object{}});
              }),
              ElementsAre(err("None", "VM 5 does not exist", ENOENT)));
  EXPECT_THROW(call("vm.get_console", {5}), MatchNotFound);
}

TEST_F(VmCrudTest, ConsoleNameIsIdUnderscoreName) {
  int64_t id = create_vm("vm01");
  EXPECT_EQ(call("vm.get_console", {id}), json::value(std::to_string(id) + "_vm01"));
}

TEST_F(VmCrudTest, DeleteRemovesDevicesAndReturnsNull) {
  int64_t id = create_vm("vm01");
  create_device(id, R"({"dtype": "NIC"})");
  EXPECT_TRUE(call("vm.delete", {id}).is_null());
  EXPECT_EQ(call("vm.query"), json::array{});
  EXPECT_EQ(call("vm.device.query", {js(R"([["vm", "=", )" + std::to_string(id) + "]]")}), json::array{});
}

TEST_F(VmCrudTest, DeletingAnActiveVmNeedsForce) {
  int64_t id = create_vm("busy");
  runtime->states[id] = "RUNNING";
  try {
    call("vm.delete", {id});
    FAIL() << "no error";
  } catch (const CallError& e) {
    EXPECT_EQ(e.message(), "'busy' is running; stop the VM first or pass force to delete it.");
    EXPECT_EQ(e.errnum(), EBUSY);
  }
  runtime->states[id] = "SUSPENDED";
  try {
    call("vm.delete", {id});
    FAIL() << "no error";
  } catch (const CallError& e) {
    EXPECT_EQ(e.message(), "'busy' is suspended; stop the VM first or pass force to delete it.");
  }
  EXPECT_TRUE(call("vm.delete", {id, js(R"({"force": true})")}).is_null());
}

TEST_F(VmCrudTest, DeleteWithZvolsIsANoOpWithoutZvolDisks) {
  int64_t id = create_vm("plain");
  create_device(id, R"({"dtype": "NIC"})");
  EXPECT_TRUE(call("vm.delete", {id, js(R"({"zvols": true})")}).is_null());
  EXPECT_TRUE(host->destroyed_zvols.empty());
}

TEST_F(VmCrudTest, DeleteDestroysOnlyZvolsThisServerCreated) {
  host->zfs = true;
  int64_t theirs = create_vm("theirs");
  int64_t ours = create_vm("ours");
  add_zvol_disk(theirs, "tank/admin-disk", false);
  add_zvol_disk(ours, "tank/our-disk", true);
  start_plugin();
  try {
    call("vm.delete", {theirs, js(R"({"zvols": true})")});
    FAIL() << "no error";
  } catch (const CallError& e) {
    EXPECT_EQ(e.message(),
              "Failed to destroy zvol 'tank/admin-disk': it was not created by this server, which destroys only "
              "zvols it created (use zfs destroy if it is no longer needed)");
  }
  EXPECT_TRUE(host->destroyed_zvols.empty());
  EXPECT_TRUE(call("vm.delete", {theirs, js(R"({"zvols": true, "force": true})")}).is_null());  // logged, zvol kept
  EXPECT_TRUE(host->destroyed_zvols.empty());
  EXPECT_TRUE(call("vm.delete", {ours, js(R"({"zvols": true})")}).is_null());
  EXPECT_EQ(host->destroyed_zvols, std::vector<std::string>{"tank/our-disk"});
}

TEST_F(VmCrudTest, OnlyAFullAdministratorSetsQemuArguments) {
  const std::vector<std::string> writer = {"VM_WRITE"};
  const auto message = "Only a full administrator (FULL_ADMIN) may set command_line_args: QEMU runs them as root";
  EXPECT_THAT(
      errors_of([&] { call("vm.create", {js(R"({"name": "w", "memory": 512, "command_line_args": "-S"})")}, writer); }),
      ElementsAre(err("vm_create.command_line_args", message, EPERM)));
  int64_t id = create_vm("adm", R"("command_line_args": "-S")");
  EXPECT_EQ(
      call("vm.update", {id, js(R"({"memory": 600, "command_line_args": "-S"})")}, writer).as_object().at("memory"),
      600);
  EXPECT_THAT(errors_of([&] {
                call("vm.update", {id, js(R"({"command_line_args": "-S -no-hpet"})")}, writer);
              }),
              ElementsAre(err("vm_update.command_line_args", message, EPERM)));
  EXPECT_EQ(call("vm.update", {id, js(R"({"command_line_args": ""})")}, writer).as_object().at("command_line_args"),
            "");
}

TEST_F(VmCrudTest, CloneCopiesConfigAndDevicesWithNewIdentity) {
  int64_t id = create_vm("vm01", "\"vcpus\": 2");
  auto nic = create_device(id, R"({"dtype": "NIC", "type": "VIRTIO"})");
  auto display = create_device(id, R"({"dtype": "DISPLAY", "password": "secret12"})");
  std::string raw = (storage / "disk.img").string();
  create_device(id, R"({"dtype": "RAW", "path": ")" + raw + R"(", "size": 1048576})");
  EXPECT_EQ(call("vm.clone", {id, "vm01_clone"}), json::value(true));
  auto clone = call("vm.query", {js(R"([["name", "=", "vm01_clone"]])"), js(R"({"get": true})")}).as_object();
  EXPECT_NE(clone.at("id"), id);
  EXPECT_EQ(clone.at("vcpus"), 2);
  EXPECT_NE(clone.at("uuid"), call("vm.get_instance", {id}).as_object().at("uuid"));
  EXPECT_EQ(clone.at("status").as_object().at("state"), "STOPPED");
  const auto& devices = clone.at("devices").as_array();
  ASSERT_EQ(devices.size(), 3u);
  for (const auto& d : devices) {
    const auto& a = d.as_object().at("attributes").as_object();
    if (a.at("dtype") == "NIC") {
      EXPECT_NE(a.at("mac"), nic.at("attributes").as_object().at("mac"));
    }
    if (a.at("dtype") == "DISPLAY") {
      EXPECT_NE(a.at("port"), display.at("attributes").as_object().at("port"));
      EXPECT_NE(a.at("web_port"), display.at("attributes").as_object().at("web_port"));
      EXPECT_EQ(a.at("password"), "secret12");
    }
    if (a.at("dtype") == "RAW") {
      // The clone gets its own copy of the image, next to the original.
      const std::string copy = (storage / "disk_vm01_clone.img").string();
      EXPECT_EQ(a.at("path"), json::value(copy));
      EXPECT_TRUE(std::filesystem::exists(raw));
      ASSERT_TRUE(std::filesystem::exists(copy));
      EXPECT_EQ(std::filesystem::file_size(copy), 1048576u);
    }
  }
  EXPECT_EQ(call("vm.get_console", {clone.at("id")}),
            json::value(std::to_string(clone.at("id").as_int64()) + "_vm01_clone"));
}

// The UEFI variables store is named after the VM: it follows renames, clones and deletion.
class VmStateFilesTest : public VmPluginTest {
 protected:
  void SetUp() override {
    VmPluginTest::SetUp();
    nvram = state_dir / "nvram";
    std::filesystem::create_directories(nvram);
    hypervisor->nvram_dir = nvram.string();
  }
  std::filesystem::path vars(int64_t id, const std::string& name) {
    return nvram / (std::to_string(id) + "_" + name + "_VARS.fd");
  }
  void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }
  std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::path nvram;
};

TEST_F(VmStateFilesTest, RenameMovesTheUefiVariables) {
  int64_t id = create_vm("before", "\"bootloader\": \"UEFI\"");
  write(vars(id, "before"), "settings");
  call("vm.update", {id, js(R"({"name": "after"})")});
  EXPECT_FALSE(std::filesystem::exists(vars(id, "before")));
  EXPECT_EQ(read(vars(id, "after")), "settings");
}

TEST_F(VmStateFilesTest, RenameOntoStaleStateChangesNothing) {
  int64_t id = create_vm("mine", "\"bootloader\": \"UEFI\"");
  write(vars(id, "mine"), "current");
  write(vars(id, "stale"), "left over");
  try {
    call("vm.update", {id, js(R"({"name": "stale"})")});
    FAIL() << "the rename went through";
  } catch (const CallError& e) {
    EXPECT_EQ(e.message(),
              "Cannot rename VM 'mine' -> 'stale': on-disk state already exists at the destination "
              "(likely stale NVRAM left over from a previously deleted VM). Name change aborted; VM "
              "configuration is unchanged.");
  }
  EXPECT_EQ(call("vm.get_instance", {id}).at("name"), "mine");
  EXPECT_EQ(read(vars(id, "mine")), "current");
  EXPECT_EQ(read(vars(id, "stale")), "left over");
}

TEST_F(VmStateFilesTest, DeleteRemovesTheUefiVariables) {
  int64_t id = create_vm("gone", "\"bootloader\": \"UEFI\"");
  write(vars(id, "gone"), "x");
  call("vm.delete", {id});
  EXPECT_FALSE(std::filesystem::exists(vars(id, "gone")));
}

TEST_F(VmStateFilesTest, CloneCopiesTheUefiVariablesAndClonesZvolDisksWhereZfsExists) {
  int64_t id = create_vm("origin", "\"bootloader\": \"UEFI\"");
  write(vars(id, "origin"), "boot entries");
  // A zvol-backed DISK (no zvol exists on a test host: the row goes in as TrueNAS would have it).
  plugin.reset();
  ctx.reset();
  {
    SQLite::Database db((state_dir / "db" / "vm.sqlite").string(), SQLite::OPEN_READWRITE);
    db.exec("INSERT INTO vm_device (vm_id, attributes, \"order\") VALUES (" + std::to_string(id) +
            ", '{\"dtype\":\"DISK\",\"path\":\"/dev/zvol/tank/origin-disk\",\"type\":\"VIRTIO\"}', 1001)");
  }
  start_plugin();
  host->zfs = true;
  EXPECT_EQ(call("vm.clone", {id, "copy"}), true);
  auto clone = call("vm.query", {js(R"([["name", "=", "copy"]])"), js(R"({"get": true})")}).as_object();
  const int64_t clone_id = clone.at("id").as_int64();
  EXPECT_EQ(read(vars(clone_id, "copy")), "boot entries");
  EXPECT_EQ(read(vars(id, "origin")), "boot entries");
  EXPECT_EQ(host->cloned_zvols, std::vector<std::string>{"tank/origin-disk"});
  EXPECT_EQ(clone.at("devices").at(0).at("attributes").at("path"), "/dev/zvol/tank/origin-disk_copy");

  // Stale state where the next clone's would go: the clone is undone, zvol clone and snapshot too.
  write(vars(clone_id + 1, "second"), "stale");
  EXPECT_THROW(call("vm.clone", {id, "second"}), CallError);
  EXPECT_EQ(call("vm.query", {js(R"([["name", "=", "second"]])")}), json::array{});
  EXPECT_EQ(host->destroyed_zvols, (std::vector<std::string>{"tank/origin-disk_second", "tank/origin-disk@second"}));
}

TEST_F(VmCrudTest, CloneNeverOverwritesAnImageInTheWay) {
  int64_t id = create_vm("vm02");
  create_device(id, R"({"dtype": "RAW", "path": ")" + (storage / "d.img").string() + R"(", "size": 4096})");
  auto in_the_way = file_in_storage("d_copy.img", 512);
  call("vm.clone", {id, "copy"});
  auto clone = call("vm.query", {js(R"([["name", "=", "copy"]])"), js(R"({"get": true})")}).as_object();
  EXPECT_EQ(clone.at("devices").at(0).at("attributes").at("path"),
            json::value((storage / "d_copy_clone0.img").string()));
  EXPECT_EQ(std::filesystem::file_size(in_the_way), 512u);
  EXPECT_EQ(std::filesystem::file_size(storage / "d_copy_clone0.img"), 4096u);
}

TEST_F(VmCrudTest, CloneRefusedByValidationLeavesNoCopy) {
  int64_t id = create_vm("vm03");
  create_vm("taken");
  create_device(id, R"({"dtype": "RAW", "path": ")" + (storage / "e.img").string() + R"(", "size": 4096})");
  EXPECT_FALSE(errors_of([&] { call("vm.clone", {id, "taken"}); }).empty());
  EXPECT_FALSE(std::filesystem::exists(storage / "e_taken.img"));
}

TEST_F(VmCrudTest, CloneWithoutNamePicksTheLowestFreeSuffix) {
  int64_t id = create_vm("base");
  create_vm("base_clone0");
  call("vm.clone", {id});
  EXPECT_EQ(call("vm.query", {js(R"([["name", "=", "base_clone1"]])"), js(R"({"count": true})")}), json::value(1));
}

TEST_F(VmCrudTest, CloneGoesThroughCreateValidation) {
  int64_t id = create_vm("base");
  create_vm("other");
  EXPECT_THAT(errors_of([&] {
                call("vm.clone", {id, "other"});
              }),
              ElementsAre(err("vm_create.name", "This name already exists.", EEXIST)));
  EXPECT_NO_THROW(call("vm.clone", {id, "cloned-vm"}));  // the VM-API-DOC example
}

TEST_F(VmCrudTest, EverythingSurvivesARestart) {
  int64_t id = create_vm("persist", "\"min_memory\": 100, \"cpuset\": \"0-1\", \"autostart\": false");
  auto nic = create_device(id, R"({"dtype": "NIC"})");
  auto before = call("vm.get_instance", {id});
  start_plugin();
  EXPECT_EQ(call("vm.get_instance", {id}), before);
  EXPECT_EQ(call("vm.device.get_instance", {nic.at("id")}), json::value(nic));
}

TEST_F(VmCrudTest, EventsCarryFullEntriesAfterCommit) {
  ctx->bus.take();
  int64_t id = create_vm("ev");
  auto events = ctx->bus.take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].collection, "vm.query");
  EXPECT_EQ(events[0].kind, EventKind::Added);
  EXPECT_EQ(events[0].id, id);
  EXPECT_EQ(*events[0].fields, call("vm.get_instance", {id}));
  call("vm.update", {id, js(R"({"memory": 1000})")});
  events = ctx->bus.take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::Changed);
  EXPECT_EQ(events[0].fields->as_object().at("memory"), 1000);
  call("vm.delete", {id});
  events = ctx->bus.take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::Removed);
  EXPECT_FALSE(events[0].fields.has_value());
}

TEST_F(VmCrudTest, FailedCallsPublishNothingAndStoreNothing) {
  ctx->bus.take();
  create_errors(R"({"name": "x", "memory": 512, "min_memory": 1000})");
  EXPECT_TRUE(ctx->bus.take().empty());
  start_plugin();
  EXPECT_EQ(call("vm.query"), json::array{});
}

TEST_F(VmCrudTest, PasswordsAreRedactedForReadersOnly) {
  int64_t id = create_vm("secret");
  create_device(id, R"({"dtype": "DISPLAY", "password": "hunter22"})");
  auto password_seen = [&](const char* method, json::array params, std::vector<std::string> roles) {
    auto v = ctx->call(method, std::move(params), caller(std::move(roles)));
    const json::object& entry = v.is_array() ? v.as_array().at(0).as_object() : v.as_object();
    const auto& attrs = entry.contains("devices") ? entry.at("devices").as_array().at(0).as_object().at("attributes")
                                                  : entry.at("attributes");
    return std::string(attrs.as_object().at("password").as_string());
  };
  EXPECT_EQ(password_seen("vm.query", {}, {"VM_READ"}), "********");
  EXPECT_EQ(password_seen("vm.query", {}, {"READONLY_ADMIN"}), "********");
  EXPECT_EQ(password_seen("vm.query", {}, {"VM_WRITE"}), "hunter22");
  EXPECT_EQ(password_seen("vm.get_instance", {id}, {"VM_READ"}), "********");
  EXPECT_EQ(password_seen("vm.device.query", {}, {"VM_DEVICE_READ"}), "********");
  EXPECT_EQ(password_seen("vm.device.query", {}, {"VM_WRITE"}), "********");
  EXPECT_EQ(password_seen("vm.device.query", {}, {"VM_DEVICE_WRITE"}), "hunter22");
  EXPECT_EQ(password_seen("vm.device.query", {}, {"FULL_ADMIN"}), "hunter22");
  // A token session sees what its roles allow, like any other login.
  auto token_password = [&](std::vector<std::string> roles) {
    auto v = ctx->call("vm.device.query", {}, caller(std::move(roles), "TOKEN"));
    return v.as_array().at(0).as_object().at("attributes").as_object().at("password");
  };
  EXPECT_EQ(token_password({"VM_DEVICE_READ"}), "********");
  EXPECT_EQ(token_password({"VM_DEVICE_WRITE"}), "hunter22");
  CallContext internal;  // no session: an internal call
  EXPECT_EQ(ctx->call("vm.device.query", {}, internal)
                .as_array()
                .at(0)
                .as_object()
                .at("attributes")
                .as_object()
                .at("password"),
            "hunter22");
}

TEST_F(VmCrudTest, RolesAndEventsAreDeclared) {
  EXPECT_EQ(ctx->roles_.at("VM_WRITE").includes, std::vector<std::string>{"VM_READ"});
  EXPECT_TRUE(ctx->roles_.at("VM_READ").readonly);
  EXPECT_TRUE(ctx->roles_.at("VM_DEVICE_READ").readonly);
  EXPECT_FALSE(ctx->roles_.at("VM_DEVICE_WRITE").readonly);
  EXPECT_EQ(ctx->roles_.at("VM_DEVICE_WRITE").includes, (std::vector<std::string>{"VM_WRITE", "VM_DEVICE_READ"}));
  EXPECT_EQ(ctx->events_.at("vm.query").unredacted_roles, std::vector<std::string>{"VM_WRITE"});
  EXPECT_EQ(ctx->events_.at("vm.device.query").roles, std::vector<std::string>{"VM_DEVICE_READ"});
  EXPECT_EQ(ctx->method("vm.query").roles, std::vector<std::string>{"VM_READ"});
  EXPECT_TRUE(ctx->method("vm.query").filterable);
  EXPECT_EQ(ctx->method("vm.clone").roles, std::vector<std::string>{"VM_WRITE"});
  EXPECT_EQ(ctx->method("vm.flags").roles, std::vector<std::string>{"VM_READ"});
  EXPECT_EQ(ctx->method("vm.device.create").roles, std::vector<std::string>{"VM_DEVICE_WRITE"});
  EXPECT_EQ(ctx->method("vm.device.passthrough_device").roles, std::vector<std::string>{"VM_DEVICE_READ"});
}

TEST_F(VmCrudTest, StorageRootDefaultsAreMntAndTheStateImagesFolder) {
  roots_config.reset();
  start_plugin();
  ASSERT_TRUE(std::filesystem::is_directory(state_dir / "images"));
  int64_t id = create_vm("roots");
  std::string inside = (state_dir / "images" / "a.img").string();
  EXPECT_NO_THROW(create_device(id, R"({"dtype": "RAW", "path": ")" + inside + R"(", "size": 512})"));
  std::string outside = (storage / "b.img").string();
  std::string message = "The path must reside within a storage root (/mnt, " + (state_dir / "images").string() + ")";
  EXPECT_THAT(device_errors(R"({"vm": )" + std::to_string(id) + R"(, "attributes": {"dtype": "RAW", "path": ")" +
                            outside + R"(", "size": 512}})"),
              ElementsAre(err("attributes.path", message)));
}

}  // namespace
}  // namespace mw::vm::testing
