// The catalog's snapshots and ready bytes, and vm.query answered from them.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "catalog.hpp"
#include "device/device_kind.hpp"
#include "plugin_fixture.hpp"

namespace mw::vm::testing {
namespace {

VmConfig vm_config(int64_t id, const std::string& name) {
  VmConfig vm;
  vm.id = id;
  vm.name = name;
  vm.memory = 64;
  vm.uuid = "6f1c2a7e-1d3b-4c55-9a0e-2b7d9e1f0a1" + std::to_string(id % 10);
  return vm;
}

// One device of every dtype, with what validation would have filled in.
std::vector<DeviceConfig> one_of_each(int64_t vm) {
  std::vector<DeviceConfig> out;
  int64_t id = 10;
  for (const auto& dtype : device_types()) {
    DeviceConfig d{id++, vm, 7, *default_attributes(dtype)};
    if (auto* display = d.get<DisplayAttributes>()) display->password = "secret", display->port = 5900;
    if (auto* nic = d.get<NicAttributes>()) nic->mac = "00:a0:98:00:00:01";
    out.push_back(std::move(d));
  }
  out[1].order = 5;  // RAW first: rows keep (order, id) order
  return out;
}

TEST(CatalogReadyBytes, EqualTheSerialisationOfTheTypedRowForEveryDtype) {
  VmCatalog catalog;
  const auto devices = one_of_each(1);
  catalog.load({vm_config(1, "alpha")}, devices);
  auto snapshot = catalog.snapshot();
  for (const auto& d : devices) {
    const DeviceRow* row = snapshot->device_row(d.id);
    ASSERT_NE(row, nullptr) << d.dtype();
    EXPECT_EQ(row->json, json::serialize(to_json(d))) << d.dtype();
    json::object redacted = to_json(d);
    if (d.get<DisplayAttributes>()) redacted["attributes"].as_object()["password"] = "********";
    EXPECT_EQ(row->text(true), json::serialize(redacted)) << d.dtype();
  }

  const json::object status{{"state", "STOPPED"}, {"pid", nullptr}, {"domain_state", nullptr}};
  json::object entry = to_json(vm_config(1, "alpha"));
  json::array by_order;
  for (const auto* d : {&devices[1]}) by_order.push_back(to_json(*d));  // order 5 first
  for (std::size_t i = 0; i < devices.size(); ++i)
    if (i != 1) by_order.push_back(to_json(devices[i]));
  entry["devices"] = by_order;
  entry["display_available"] = true;
  entry["status"] = status;
  const VmRow* row = snapshot->vm_row(1);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->json + "\"status\":" + json::serialize(status) + "}", json::serialize(entry));
  EXPECT_EQ(row->fields, json::value(to_json(row->config)));
  EXPECT_EQ(row->text(true).find("\"secret\""), std::string::npos);
  EXPECT_NE(row->text(true).find("\"password\":\"********\""), std::string::npos);
}

TEST(CatalogSnapshots, AWriteIsSeenByTheNextReaderAndNotByOneHoldingTheOldSnapshot) {
  VmCatalog catalog;
  catalog.load({vm_config(1, "alpha")}, one_of_each(1));
  auto before = catalog.snapshot();

  VmConfig renamed = vm_config(1, "omega");
  catalog.commit([&](VmCatalog::Batch& b) {
    b.put_vm(renamed);
    b.erase_device(10);
    b.put_vm(vm_config(2, "beta"));
  });
  auto after = catalog.snapshot();

  EXPECT_EQ(before->vm(1)->name, "alpha");
  EXPECT_EQ(before->vm_id_by_name("alpha"), 1);
  EXPECT_FALSE(before->vm_id_by_name("omega"));
  EXPECT_NE(before->device(10), nullptr);
  EXPECT_EQ(before->vm_count(), 1u);
  EXPECT_NE(before->vm_row(1)->json.find("\"alpha\""), std::string::npos);

  EXPECT_EQ(after->vm(1)->name, "omega");
  EXPECT_FALSE(after->vm_id_by_name("alpha"));
  EXPECT_EQ(after->vm_id_by_name("omega"), 1);
  EXPECT_EQ(after->device(10), nullptr);
  EXPECT_EQ(after->vm_row(1)->devices.size(), device_types().size() - 1);
  EXPECT_EQ(after->vm_count(), 2u);
  EXPECT_NE(after->vm_row(1)->json.find("\"omega\""), std::string::npos);
}

TEST(CatalogSnapshots, ErasingAVmTakesItsDevicesAndDisplayPorts) {
  VmCatalog catalog;
  catalog.load({vm_config(1, "alpha"), vm_config(2, "beta")}, one_of_each(1));
  EXPECT_EQ(catalog.display_port_owner(5900), 10 + 4);  // DISPLAY is the fifth dtype
  catalog.erase_vm(1);
  auto s = catalog.snapshot();
  EXPECT_EQ(s->vm(1), nullptr);
  EXPECT_EQ(s->device_count(), 0u);
  EXPECT_FALSE(s->display_port_owner(5900));
  EXPECT_EQ(s->vm_count(), 1u);
}

constexpr const char* kFilledOptions = R"({"extra": {}, "order_by": [], "select": [], "count": false, "get": false,
                                             "offset": 0, "limit": 0, "force_sql_filters": false})";

class VmQueryTest : public VmPluginTest {
 protected:
  // vm.query as the dispatcher calls it: the handler may answer with JSON text.
  std::optional<std::string> raw_query(json::array params) {
    CallContext c = caller({"FULL_ADMIN"});
    c.method = "vm.query";
    c.raw_result_allowed = true;
    ctx->method("vm.query").handler(c, params);
    return c.raw_result;
  }
};

// The answer spliced from ready bytes equals what the engine gives on whole entries (a filter on
// `status` forces that full scan and keeps every row).
TEST_F(VmQueryTest, ReadyBytesAnswersEqualTheFullScan) {
  int64_t a = create_vm("alpha");
  create_device(a, R"({"dtype": "NIC", "type": "VIRTIO"})");
  create_device(a, R"({"dtype": "DISPLAY", "type": "VNC", "password": "pw"})");
  create_vm("beta", "\"autostart\": false");
  create_vm("gamma", "\"autostart\": false, \"memory\": 128");
  const auto full_scan = json::array{"status.state", "!=", "NOSUCH"};
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[]", "{}"},
      {R"([["name", "=", "beta"]])", "{}"},
      {R"([["id", "=", 1]])", R"({"get": true})"},
      {R"([["autostart", "=", false]])", R"({"order_by": ["-memory"]})"},
      {R"([["memory", ">", 10]])", R"({"order_by": ["name"], "offset": 1, "limit": 1})"},
      {R"([["name", "^", "a"]])", R"({"count": true})"},
      {R"([["name", "in", ["alpha", "gamma"]]])", "{}"},
      // Options as the params schema fills them in: values that ask nothing.
      {"[]", kFilledOptions},
      {R"([["name", "=", "gamma"]])", kFilledOptions},
  };
  for (const auto& [filters, options] : cases) {
    auto text = raw_query({js(filters), js(options)});
    ASSERT_TRUE(text) << filters << " " << options;
    json::array scanned = js(filters).as_array();
    scanned.push_back(full_scan);
    EXPECT_EQ(json::parse(*text), call("vm.query", {scanned, js(options)})) << filters << " " << options;
  }
  // Filters on computed fields and `select` keep the engine's own path.
  EXPECT_FALSE(raw_query({js(R"([["status.state", "=", "STOPPED"]])"), js("{}")}));
  EXPECT_FALSE(raw_query({js("[]"), js(R"({"select": ["name"]})")}));
}

TEST_F(VmQueryTest, AWriteIsVisibleToTheNextQuery) {
  int64_t a = create_vm("alpha");
  EXPECT_EQ(json::parse(*raw_query({js(R"([["name", "=", "alpha"]])"), js("{}")})).as_array().size(), 1u);
  call("vm.update", {a, js(R"({"name": "omega"})")});
  EXPECT_EQ(json::parse(*raw_query({js(R"([["name", "=", "alpha"]])"), js("{}")})).as_array().size(), 0u);
  EXPECT_EQ(json::parse(*raw_query({js(R"([["name", "=", "omega"]])"), js("{}")})).at(0).at("id"), a);
}

}  // namespace
}  // namespace mw::vm::testing
