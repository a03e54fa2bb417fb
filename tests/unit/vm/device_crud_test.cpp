// vm.device ordering, deletion options, events and queries.
#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

using ::testing::ElementsAre;

class DeviceCrudTest : public VmPluginTest {
 protected:
  void SetUp() override {
    VmPluginTest::SetUp();
    vm = create_vm("vm01");
  }
  std::vector<std::pair<int64_t, int64_t>> orders() {  // (id, order) in boot order
    std::vector<std::pair<int64_t, int64_t>> out;
    json::value vm_entry = call("vm.get_instance", {vm});
    for (const auto& d : vm_entry.as_object().at("devices").as_array())
      out.emplace_back(d.as_object().at("id").as_int64(), d.as_object().at("order").as_int64());
    return out;
  }
  int64_t vm = 0;
};

TEST_F(DeviceCrudTest, DefaultOrderByDtype) {
  std::string iso = file_in_storage("a.iso");
  auto nic = create_device(vm, R"({"dtype": "NIC"})");
  auto cd = create_device(vm, R"({"dtype": "CDROM", "path": ")" + iso + R"("})");
  auto raw = create_device(vm, R"({"dtype": "RAW", "path": ")" + (storage / "r.img").string() + R"(", "size": 512})");
  auto zero = create_device(vm, R"({"dtype": "NIC"})", R"("order": 0)");
  EXPECT_EQ(cd.at("order"), 1000);
  EXPECT_EQ(raw.at("order"), 1001);
  EXPECT_EQ(nic.at("order"), 1002);
  EXPECT_EQ(zero.at("order"), 1002);
  // Boot order: (order, id).
  EXPECT_THAT(orders(),
              ElementsAre(std::pair{cd.at("id").as_int64(), 1000}, std::pair{raw.at("id").as_int64(), 1001},
                          std::pair{nic.at("id").as_int64(), 1002}, std::pair{zero.at("id").as_int64(), 1002}));
}

TEST_F(DeviceCrudTest, ExplicitOrderPushesCollisionsUpward) {
  auto a = create_device(vm, R"({"dtype": "NIC"})", R"("order": 1000)");
  auto b = create_device(vm, R"({"dtype": "NIC"})", R"("order": 1001)");
  auto c = create_device(vm, R"({"dtype": "NIC"})", R"("order": 1005)");
  ctx->bus.take();
  auto d = create_device(vm, R"({"dtype": "NIC"})", R"("order": 1000)");
  int64_t ia = a.at("id").as_int64(), ib = b.at("id").as_int64(), ic = c.at("id").as_int64(),
          id = d.at("id").as_int64();
  EXPECT_THAT(orders(),
              ElementsAre(std::pair{id, 1000}, std::pair{ia, 1001}, std::pair{ib, 1002}, std::pair{ic, 1005}));
  auto events = ctx->bus.take();
  ASSERT_EQ(events.size(), 3u);  // the new one and the two it moved
  EXPECT_EQ(events[0].kind, EventKind::Added);
  EXPECT_EQ(events[1].kind, EventKind::Changed);
  // Moving a device onto an occupied order on update works the same way.
  call("vm.device.update", {ic, js(R"({"order": 1001})")});
  EXPECT_THAT(orders(),
              ElementsAre(std::pair{id, 1000}, std::pair{ic, 1001}, std::pair{ia, 1002}, std::pair{ib, 1003}));
  start_plugin();  // and it was all stored
  EXPECT_THAT(orders(),
              ElementsAre(std::pair{id, 1000}, std::pair{ic, 1001}, std::pair{ia, 1002}, std::pair{ib, 1003}));
}

TEST_F(DeviceCrudTest, RenumberUpwardStopsAtTheFirstGap) {
  EXPECT_THAT(renumber_upward({{1000, 1}, {1001, 2}, {1003, 3}}, 1000),
              ElementsAre(std::pair<int64_t, int64_t>{1, 1001}, std::pair<int64_t, int64_t>{2, 1002}));
  EXPECT_TRUE(renumber_upward({{1000, 1}}, 999).empty());
  EXPECT_TRUE(renumber_upward({}, 5).empty());
}

TEST_F(DeviceCrudTest, DeleteRulesAndOptions) {
  auto nic = create_device(vm, R"({"dtype": "NIC"})");
  std::string raw_path = (storage / "del.img").string();
  auto raw = create_device(vm, R"({"dtype": "RAW", "path": ")" + raw_path + R"(", "size": 4096})");
  auto expect_call_error = [&](json::array params, const std::string& message) {
    try {
      call("vm.device.delete", std::move(params));
      ADD_FAILURE() << "no error for " << message;
    } catch (const CallError& e) {
      EXPECT_EQ(e.message(), message);
    }
  };
  expect_call_error({nic.at("id"), js(R"({"zvol": true})")}, "The device is not a disk and has no zvol to destroy.");
  expect_call_error({nic.at("id"), js(R"({"raw_file": true})")}, "Device is not of RAW type.");
  runtime->states[vm] = "RUNNING";
  expect_call_error({nic.at("id")}, "Please stop/resume associated VM before deleting VM device.");
  runtime->states.clear();
  EXPECT_EQ(call("vm.device.delete", {nic.at("id"), js(R"({"zvol": true, "raw_file": true, "force": true})")}),
            json::value(true));
  EXPECT_TRUE(std::filesystem::exists(raw_path));
  EXPECT_EQ(call("vm.device.delete", {raw.at("id"), js(R"({"raw_file": true})")}), json::value(true));
  EXPECT_FALSE(std::filesystem::exists(raw_path));
  EXPECT_EQ(call("vm.device.query", {js(R"([["vm", "=", )" + std::to_string(vm) + "]]")}), json::array{});
  EXPECT_THAT(
      errors_of([&] { call("vm.device.delete", {nic.at("id")}); }),
      ElementsAre(err("None", "VMDevice " + std::to_string(nic.at("id").as_int64()) + " does not exist", ENOENT)));
}

TEST_F(DeviceCrudTest, EventsAreRedactedForReaders) {
  ctx->bus.take();
  auto d = create_device(vm, R"({"dtype": "DISPLAY", "password": "pw123456"})");
  auto events = ctx->bus.take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].collection, "vm.device.query");
  EXPECT_EQ(events[0].fields->as_object().at("attributes").as_object().at("password"), "pw123456");
  EXPECT_EQ(events[0].redacted->as_object().at("attributes").as_object().at("password"), "********");
  call("vm.device.delete", {d.at("id")});
  events = ctx->bus.take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::Removed);
  EXPECT_EQ(events[0].id, d.at("id"));
}

TEST_F(DeviceCrudTest, QueryAndGetInstance) {
  auto nic = create_device(vm, R"({"dtype": "NIC"})");
  EXPECT_EQ(call("vm.device.get_instance", {nic.at("id")}), json::value(nic));
  EXPECT_EQ(call("vm.device.query", {js(R"([["attributes.dtype", "=", "NIC"]])"), js(R"({"count": true})")}),
            json::value(1));
  EXPECT_THAT(errors_of([&] { call("vm.device.get_instance", {1234}); }),
              ElementsAre(err("None", "VMDevice 1234 does not exist", ENOENT)));
}

}  // namespace
}  // namespace mw::vm::testing
