// The catalog's snapshots and ready bytes, and vm.query answered from them.
#include <algorithm>
#include <atomic>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <middlewared/query.hpp>

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
    EXPECT_EQ(row->text(false), json::serialize(to_json(d))) << d.dtype();
    json::object redacted = to_json(d);
    if (d.get<DisplayAttributes>()) redacted["attributes"].as_object()["password"] = "********";
    EXPECT_EQ(row->text(true), json::serialize(redacted)) << d.dtype();
    // Only a device with a secret keeps a second text; a text once built is kept.
    EXPECT_EQ(row->text(true).data() != row->text(false).data(), d.get<DisplayAttributes>() != nullptr) << d.dtype();
    EXPECT_EQ(row->text(true).data(), row->text(true).data()) << d.dtype();
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
  std::string text, redacted;
  row->append_text(text, false);
  row->append_text(redacted, true);
  EXPECT_EQ(text + ",\"status\":" + json::serialize(status) + "}", json::serialize(entry));
  EXPECT_LE(text.size(), row->text_size());
  EXPECT_EQ(redacted.find("\"secret\""), std::string::npos);
  EXPECT_NE(redacted.find("\"password\":\"********\""), std::string::npos);
}

std::string row_text(const VmRow& row) {
  std::string out;
  row.append_text(out, false);
  return out;
}

// Every VM's text, plain and redacted, in id order.
std::string catalog_text(const CatalogSnapshot& snapshot) {
  std::string out;
  snapshot.for_each_vm([&](const VmRow& row) {
    row.append_text(out, false);
    row.append_text(out, true);
  });
  return out;
}

// A loaded row holds no text until an answer needs it; threads that all need the same rows' texts
// at once (the first queries after a start) each build or find them, and all write the same bytes
// as one thread alone does.
TEST(CatalogReadyBytes, ThreadsNeedingTheSameFreshRowsAtOnceAllWriteTheSameText) {
  std::vector<VmConfig> vms;
  std::vector<DeviceConfig> devices;
  for (int64_t vm = 1; vm <= 64; ++vm) {
    vms.push_back(vm_config(vm, "vm" + std::to_string(vm)));
    for (auto d : one_of_each(vm)) {
      d.id += vm * 100;  // one_of_each numbers every VM's devices alike
      if (auto* display = d.get<DisplayAttributes>()) display->port = 5900 + vm, display->web_port = 7000 + vm;
      devices.push_back(std::move(d));
    }
  }
  VmCatalog alone, shared;
  alone.load(vms, devices);
  shared.load(vms, devices);
  const std::string expected = catalog_text(*alone.snapshot());
  ASSERT_NE(expected.find("\"vm64\""), std::string::npos);
  auto snapshot = shared.snapshot();
  constexpr int kThreads = 8;
  std::vector<std::string> written(kThreads);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      written[t] = catalog_text(*snapshot);
    });
  for (auto& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(written[t], expected) << "thread " << t;
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
  EXPECT_NE(row_text(*before->vm_row(1)).find("\"alpha\""), std::string::npos);

  EXPECT_EQ(after->vm(1)->name, "omega");
  EXPECT_FALSE(after->vm_id_by_name("alpha"));
  EXPECT_EQ(after->vm_id_by_name("omega"), 1);
  EXPECT_EQ(after->device(10), nullptr);
  EXPECT_EQ(after->vm_row(1)->devices.size(), device_types().size() - 1);
  EXPECT_EQ(after->vm_count(), 2u);
  EXPECT_NE(row_text(*after->vm_row(1)).find("\"omega\""), std::string::npos);
}

// Names and rows are shared between snapshots in groups and pages, each copied only when a write
// touches it: after thousands of one-VM commits (creates, renames, erases) every name and id is
// found in the newest snapshot, and an older snapshot still answers as it did when it was taken.
TEST(CatalogSnapshots, AfterManyCommitsEveryNameIsFoundAndOldSnapshotsKeepTheirOwn) {
  VmCatalog catalog;
  constexpr int kVms = 5000;  // past 4 096: rows in more than one chunk
  std::shared_ptr<const CatalogSnapshot> middle;
  for (int64_t id = 1; id <= kVms; ++id) {
    catalog.put_vm(vm_config(id, "vm" + std::to_string(id)));
    if (id == kVms / 2) middle = catalog.snapshot();
  }
  for (int64_t id = 3; id <= kVms; id += 3) catalog.put_vm(vm_config(id, "renamed" + std::to_string(id)));
  for (int64_t id = 5; id <= kVms; id += 5) catalog.erase_vm(id);
  auto s = catalog.snapshot();
  std::size_t present = 0;
  for (int64_t id = 1; id <= kVms; ++id) {
    const std::string name = "vm" + std::to_string(id), renamed = "renamed" + std::to_string(id);
    if (id % 5 == 0) {
      EXPECT_EQ(s->vm(id), nullptr) << id;
      EXPECT_FALSE(s->vm_id_by_name(name)) << id;
      EXPECT_FALSE(s->vm_id_by_name(renamed)) << id;
    } else if (id % 3 == 0) {
      ++present;
      EXPECT_EQ(s->vm_id_by_name(renamed), id);
      EXPECT_FALSE(s->vm_id_by_name(name)) << id;
      ASSERT_NE(s->vm(id), nullptr) << id;
      EXPECT_EQ(s->vm(id)->name, renamed);
    } else {
      ++present;
      EXPECT_EQ(s->vm_id_by_name(name), id);
      ASSERT_NE(s->vm(id), nullptr) << id;
      EXPECT_EQ(s->vm(id)->name, name);
    }
    // The snapshot taken halfway holds the first half, under their first names, and nothing else.
    if (id <= kVms / 2) {
      EXPECT_EQ(middle->vm_id_by_name(name), id);
      ASSERT_NE(middle->vm(id), nullptr) << id;
      EXPECT_EQ(middle->vm(id)->name, name);
    } else {
      EXPECT_FALSE(middle->vm_id_by_name(name)) << id;
      EXPECT_EQ(middle->vm(id), nullptr) << id;
    }
    EXPECT_FALSE(middle->vm_id_by_name(renamed)) << id;
  }
  EXPECT_EQ(s->vm_count(), present);
  EXPECT_EQ(middle->vm_count(), static_cast<std::size_t>(kVms / 2));
  std::vector<int64_t> ids;
  s->for_each_vm([&](const VmRow& row) { ids.push_back(row.config.id); });
  EXPECT_EQ(ids.size(), present);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST(CatalogSnapshots, AVmRowBuiltByCommitsKeepsNoSpareDeviceSlots) {
  VmCatalog catalog;
  catalog.put_vm(vm_config(1, "alpha"));
  for (auto& d : one_of_each(1)) catalog.put_device(std::move(d));
  const VmRow* row = catalog.snapshot()->vm_row(1);
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->devices.size(), one_of_each(1).size());
  EXPECT_EQ(row->devices.capacity(), row->devices.size());
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
  std::optional<std::string> raw_query(json::array params, std::vector<std::string> roles = {"FULL_ADMIN"}) {
    CallContext c = caller(std::move(roles));
    c.method = "vm.query";
    c.result_text_allowed = true;
    ctx->method("vm.query").handler(c, params);
    if (!c.result_text.written()) return std::nullopt;
    return std::string(c.result_text.text());
  }
  // Checks every case of the table below as a caller with `roles`; returns the whole entries
  // that caller sees, which the answers were compared against.
  json::array expect_answers_equal_the_generic_engine(const std::vector<std::string>& roles);
};

// What a query gives, as one comparable value: the answer, or the error it raised.
template <class F>
json::value outcome(F&& f) {
  try {
    return json::object{{"answer", f()}};
  } catch (const ValidationErrors& e) {
    json::array errors;
    for (const auto& v : e.errors()) errors.push_back(json::array{v.attribute.value_or("None"), v.message, v.errnum});
    return json::object{{"invalid", errors}};
  } catch (const CallError& e) {
    return json::object{{"error", e.message()}, {"errno", e.errnum()}};
  } catch (const MatchNotFound&) {
    return json::object{{"not_found", true}};
  }
}

// Every answer (or error) of vm.query equals what the generic engine gives on the whole entries
// (the full answer, each VM's ready bytes with its status): for every operator, on typed fields
// with and without a value (null), on the live status, on devices, and every option. The handler
// runs the engine on the typed rows and reads only the fields named.
json::array VmQueryTest::expect_answers_equal_the_generic_engine(const std::vector<std::string>& roles) {
  int64_t a = create_vm("alpha", R"("description": "web front", "min_memory": 256, "cpuset": "0-1")");
  create_device(a, R"({"dtype": "NIC", "type": "VIRTIO"})");
  create_device(a, R"({"dtype": "DISPLAY", "type": "SPICE", "password": "pw123456"})");
  int64_t b = create_vm("beta", R"("autostart": false, "memory": 1024, "description": "database")");
  create_device(b, R"({"dtype": "NIC", "type": "E1000"})");
  create_vm("gamma", R"("autostart": false, "memory": 128, "min_memory": 64, "description": "Web back")");
  int64_t d = create_vm("Delta", R"("vcpus": 2, "cpuset": "1")");
  runtime->states[b] = "RUNNING";
  runtime->states[d] = "SUSPENDED";
  const json::value entries = call("vm.query", {js("[]"), js("{}")}, roles);
  EXPECT_EQ(entries.as_array().size(), 4u);

  const std::vector<std::pair<std::string, std::string>> cases = {
      // = != < > <= >= on integers, strings, booleans and optional (null) fields
      {R"([["memory", "=", 512]])", "{}"},
      {R"([["memory", "!=", 512]])", "{}"},
      {R"([["memory", "<", 1000]])", "{}"},
      {R"([["memory", ">", 200]])", "{}"},
      {R"([["memory", "<=", 512]])", "{}"},
      {R"([["memory", ">=", 1024]])", "{}"},
      {R"([["name", ">", "beta"]])", "{}"},
      {R"([["autostart", "=", false]])", "{}"},
      {R"([["id", "=", 2]])", "{}"},
      {R"([["id", "!=", 2]])", R"({"get": true})"},
      {R"([["min_memory", "=", null]])", "{}"},
      {R"([["min_memory", "!=", null]])", "{}"},
      {R"([["min_memory", ">", 100]])", "{}"},  // null > int: the engine's TypeError
      {R"([["cpuset", "<", "1"]])", "{}"},
      {R"([["nosuchfield", "=", null]])", "{}"},
      // in nin rin rnin
      {R"([["name", "in", ["alpha", "gamma"]]])", "{}"},
      {R"([["name", "nin", ["alpha", "gamma"]]])", "{}"},
      {R"([["cpuset", "in", ["0-1", null]]])", "{}"},
      {R"([["cpuset", "nin", ["0-1"]]])", "{}"},
      {R"([["description", "rin", "web"]])", "{}"},
      {R"([["description", "rnin", "web"]])", "{}"},
      {R"([["cpuset", "rin", "-"]])", "{}"},
      {R"([["memory", "rin", 5]])", "{}"},  // `in <int>`: the engine's TypeError
      // ^ !^ $ !$ ~ and the casefolding C prefix
      {R"([["name", "^", "a"]])", "{}"},
      {R"([["name", "!^", "a"]])", "{}"},
      {R"([["name", "$", "a"]])", "{}"},
      {R"([["name", "!$", "ta"]])", "{}"},
      {R"([["cpuset", "^", "0"]])", "{}"},
      {R"([["memory", "^", "5"]])", "{}"},
      {R"x([["name", "~", "(al|ga)"]])x", "{}"},
      {R"([["cpuset", "~", "1"]])", "{}"},
      {R"([["description", "C~", "WEB"]])", "{}"},
      {R"([["name", "C=", "DELTA"]])", "{}"},
      {R"([["description", "C^", "web"]])", "{}"},
      {R"([["description", "Cin", ["database", "WEB BACK"]]])", "{}"},
      // and / or, nested
      {R"([["autostart", "=", false], ["memory", "<", 1000]])", "{}"},
      {R"([["OR", [[["name", "=", "alpha"]], [["memory", ">", 1000]]]]])", "{}"},
      {R"([["OR", [[["name", "^", "a"], ["autostart", "=", true]], [["OR", [[["status.state", "=", "RUNNING"]],
           [["vcpus", "=", 2]]]]]]]])",
       "{}"},
      {R"([["OR", [[["OR", [[["OR", [[["OR", [[["id", "=", 1]]]]]]]]]]]]]])", "{}"},  // too deep
      // the live status, devices and display_available
      {R"([["status.state", "=", "RUNNING"]])", "{}"},
      {R"([["status.state", "in", ["RUNNING", "SUSPENDED"]]])", R"({"order_by": ["-status.state"]})"},
      {R"([["status.pid", "!=", null]])", "{}"},
      {R"([["status.state", "!=", "NOSUCH"], ["name", "!=", "beta"]])", R"({"count": true})"},
      {R"([["devices.*.attributes.dtype", "=", "DISPLAY"]])", "{}"},
      {R"([["devices", "=", []]])", "{}"},
      {R"([["devices.0.attributes.type", "=", "E1000"]])", "{}"},
      {R"([["display_available", "=", true]])", "{}"},
      // a secret: masked for a caller without write rights, so neither found nor shown by its value
      {R"([["devices.*.attributes.password", "=", "pw123456"]])", "{}"},
      {R"([["devices.1.attributes.password", "^", "pw"]])", "{}"},
      {R"([["name", "=", "alpha"]])", R"({"select": ["name", "devices.1.attributes.password"]})"},
      // order_by: descending, several keys, nulls_first / nulls_last, null against a number
      {"[]", R"({"order_by": ["-memory", "name"]})"},
      {"[]", R"({"order_by": ["autostart", "-id"]})"},
      {"[]", R"({"order_by": ["nulls_first:min_memory"]})"},
      {"[]", R"({"order_by": ["nulls_last:-cpuset"]})"},
      {"[]", R"({"order_by": ["nulls_first:-min_memory", "name"]})"},
      {"[]", R"({"order_by": ["min_memory"]})"},  // null against int: the engine's error
      {"[]", R"({"order_by": ["status.state", "name"]})"},
      {"[]", R"({"order_by": ["nosuchfield", "-name"]})"},
      // offset / limit / count / get
      {R"([["memory", ">", 10]])", R"({"order_by": ["name"], "offset": 1, "limit": 2})"},
      {"[]", R"({"offset": 3})"},
      {"[]", R"({"offset": 9})"},
      {R"([["name", "^", "a"]])", R"({"count": true})"},
      {R"([["min_memory", "=", null]])", R"({"count": true, "order_by": ["name"]})"},
      {R"([["autostart", "=", false]])", R"({"get": true, "order_by": ["-memory"]})"},
      {R"([["name", "=", "nosuch"]])", R"({"get": true})"},
      {R"([["memory", ">", 100000]])", R"({"get": true, "order_by": ["name"]})"},
      // select, with order_by on what it selected, renamed and dotted
      {"[]", R"({"select": ["name", "status.state", ["memory", "mem"]], "order_by": ["-mem"]})"},
      {"[]", R"({"select": ["name"], "order_by": ["memory"]})"},  // memory not selected: all null
      {R"([["autostart", "=", false]])", R"({"select": ["name", "devices", "nosuch"]})"},
      {R"([["name", "=", "alpha"]])", R"({"select": ["devices.0.attributes.type", "min_memory"], "get": true})"},
      {"[]", R"({"select": ["cpuset"], "count": true})"},
      // malformed filters and options
      {R"([["memory", "~~", 1]])", "{}"},
      {R"([["name", "=", "alpha"], ["memory"]])", "{}"},
      {"[]", R"({"order_by": [""]})"},
      {"[]", R"({"limit": -1})"},
      // the indexed lookups and the options as the params schema fills them in
      {R"([["name", "=", "beta"]])", "{}"},
      {R"([["id", "=", 3]])", R"({"get": true})"},
      {"[]", kFilledOptions},
      {R"([["name", "=", "gamma"]])", kFilledOptions},
      {R"([["status.state", "=", "STOPPED"]])", kFilledOptions},
  };
  for (const auto& [filters, options] : cases) {
    const json::value expected = outcome(
        [&] { return query::filter_list(entries.as_array(), js(filters).as_array(), js(options).as_object()); });
    EXPECT_EQ(outcome([&] {
                return json::parse(raw_query({js(filters), js(options)}, roles).value());
              }),
              expected)
        << filters << " " << options;
    EXPECT_EQ(outcome([&] {
                return call("vm.query", {js(filters), js(options)}, roles);
              }),
              expected)
        << filters << " " << options;
  }
  return entries.as_array();
}

TEST_F(VmQueryTest, AnswersEqualTheGenericEngineOnWholeEntries) {
  const json::array entries = expect_answers_equal_the_generic_engine({"FULL_ADMIN"});
  EXPECT_NE(json::serialize(entries).find("pw123456"), std::string::npos) << "an admin sees the secret";
}

// A caller without write rights sees secrets masked, in the ready bytes as in the entries: the
// same comparison, on the masked entries.
TEST_F(VmQueryTest, AnswersToAReadOnlyCallerEqualTheGenericEngineOnMaskedEntries) {
  const std::string entries = json::serialize(expect_answers_equal_the_generic_engine({"VM_READ"}));
  EXPECT_EQ(entries.find("pw123456"), std::string::npos);
  EXPECT_NE(entries.find(R"("password":"********")"), std::string::npos);
}

// The answer spliced from ready bytes equals the same query with a filter on the live status that
// keeps every row (which reads each row's status as well as its stored fields).
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
      {"[]", R"({"select": ["name"]})"},
  };
  for (const auto& [filters, options] : cases) {
    auto text = raw_query({js(filters), js(options)});
    ASSERT_TRUE(text) << filters << " " << options;
    json::array scanned = js(filters).as_array();
    scanned.push_back(full_scan);
    EXPECT_EQ(json::parse(*text), call("vm.query", {scanned, js(options)})) << filters << " " << options;
  }
}

// A list too large to build whole first is written part by part while it is sent. The parts make
// the very text the list written whole has, even when writes come between them: the answer keeps
// the snapshot it was selected from, and the statuses its filter read.
TEST_F(VmQueryTest, ALargeListStreamedInPartsIsTheListWrittenWhole) {
  const std::string description(1000, 'd');
  std::vector<int64_t> ids;
  for (int i = 0; i < 700; ++i)
    ids.push_back(create_vm("vm" + std::to_string(i), "\"description\": \"" + description + "\""));
  runtime->states[ids[3]] = "RUNNING";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[]", "{}"},
      {R"([["status.state", "!=", "NOSUCH"]])", R"({"order_by": ["-name"]})"},
      {R"([["name", "!=", "vm5"]])", kFilledOptions},
  };
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const auto& [filters, options] = cases[k];
    const auto whole = raw_query({js(filters), js(options)});
    ASSERT_TRUE(whole) << filters;
    CallContext c = caller({"FULL_ADMIN"});
    c.method = "vm.query";
    c.result_text_allowed = true;
    c.result_text.allow_stream();
    json::array params{js(filters), js(options)};
    ctx->method("vm.query").handler(c, params);
    ASSERT_TRUE(c.result_text.streamed()) << filters;
    EXPECT_FALSE(c.result_text.written());
    auto parts = c.result_text.take_parts();
    // Writes between the selection and the parts; and, where the filter read the statuses, a
    // status that changes (the answer gives the status its filter saw).
    call("vm.update", {ids[k], json::object{{"name", "renamed" + std::to_string(k)}}});
    create_vm("late" + std::to_string(k));
    const bool filter_reads_status = filters.find("status") != std::string::npos;
    if (filter_reads_status) runtime->states[ids[4]] = "RUNNING";
    std::string streamed;
    int count = 0;
    for (bool more = true; more; ++count) {
      const std::size_t before = streamed.size();
      more = parts->next(streamed, 64 * 1024);
      EXPECT_GT(streamed.size(), before);
      if (more) {
        EXPECT_LT(streamed.size() - before, 64 * 1024 + 4096) << "about the size asked";
      }
    }
    EXPECT_EQ(streamed, *whole) << filters;
    if (filter_reads_status) runtime->states.erase(ids[4]);
    EXPECT_GE(count, 16) << "over a megabyte, in parts of 64 KiB";
  }
}

// A small list is written whole, even where a stream is allowed.
TEST_F(VmQueryTest, ASmallListIsWrittenWholeEvenWhereAStreamIsAllowed) {
  create_vm("alpha");
  CallContext c = caller({"FULL_ADMIN"});
  c.method = "vm.query";
  c.result_text_allowed = true;
  c.result_text.allow_stream();
  json::array params{js("[]"), js("{}")};
  ctx->method("vm.query").handler(c, params);
  EXPECT_FALSE(c.result_text.streamed());
  EXPECT_EQ(json::parse(c.result_text.text()), call("vm.query", {js("[]"), js("{}")}));
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
