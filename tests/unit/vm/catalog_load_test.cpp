// VmCatalog::load builds the start-up snapshot in one pass; it must be the snapshot that committing
// the same rows would have built. repository::load reads back exactly the rows that were written.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include <gtest/gtest.h>
#include <boost/json/serialize.hpp>
#include <middlewared/datastore.hpp>

#include "catalog.hpp"
#include "device/device_kind.hpp"
#include "embedded_migrations.hpp"
#include "repository.hpp"

namespace mw::vm::testing {
namespace {

// `count` VMs: enough to span several id pages (64 ids each; 4 400 also span two chunks of 4 096
// ids) and share name buckets; devices of
// every dtype spread over them, DISPLAYs with ports (two on the same port), some with a password,
// and devices whose VM is absent (between the VMs and after the last).
struct Rows {
  std::vector<VmConfig> vms;
  std::vector<DeviceConfig> devices;
};

Rows many_rows(int64_t count = 700) {
  Rows rows;
  for (int64_t id = 1; id <= count; ++id) {
    if (id % 97 == 0) continue;  // ids with holes, as after deletes
    VmConfig vm;
    vm.id = id;
    vm.name = "vm" + std::to_string(id);
    vm.memory = 64 + id;
    vm.uuid = "6f1c2a7e-1d3b-4c55-9a0e-" + std::to_string(100000000000 + id);
    rows.vms.push_back(std::move(vm));
  }
  const auto dtypes = device_types();
  int64_t device_id = 1;
  for (const auto& vm : rows.vms)
    for (int k = 0; k < 3; ++k) {
      DeviceConfig d{device_id++, vm.id, k == 1 ? 0 : 1100 - k,
                     *default_attributes(dtypes[(vm.id + k) % dtypes.size()])};
      if (auto* display = d.get<DisplayAttributes>()) {
        display->port = 5900 + d.id;
        if (vm.id % 2) display->password = "secret";
      }
      rows.devices.push_back(std::move(d));
    }
  rows.devices.push_back(DeviceConfig{device_id++, 97, 0, *default_attributes("NIC")});         // VM 97 is absent
  rows.devices.push_back(DeviceConfig{device_id++, count + 9, 0, *default_attributes("NIC")});  // and VM count + 9
  // Two displays on one port (rows a failed check let through): the later in the given order owns
  // it, as in a commit.
  for (int64_t vm : {3, 5}) {
    DeviceConfig d{device_id++, vm, 0, *default_attributes("DISPLAY")};
    d.get<DisplayAttributes>()->port = 5800;
    rows.devices.push_back(std::move(d));
  }
  // Not in id order: load() does not rely on the order it is given.
  std::mt19937 shuffle(7);
  std::shuffle(rows.vms.begin(), rows.vms.end(), shuffle);
  std::shuffle(rows.devices.begin(), rows.devices.end(), shuffle);
  return rows;
}

std::string entry_text(const VmRow& row, bool redact) {
  std::string out;
  row.append_text(out, redact);
  return out;
}

std::vector<int64_t> device_ids(const VmRow& row) {
  std::vector<int64_t> out;
  for (const auto& d : row.devices) out.push_back(d->config.id);
  return out;
}

// 700 VMs are built by one thread, 4 400 by two (taking runs of 256 VMs from a shared counter).
class CatalogLoadOf : public ::testing::TestWithParam<int64_t> {};

TEST_P(CatalogLoadOf, BuildsTheSameSnapshotAsCommittingTheRows) {
  const Rows rows = many_rows(GetParam());
  VmCatalog loaded;
  loaded.load(rows.vms, rows.devices);
  VmCatalog committed;
  committed.commit([&](VmCatalog::Batch& b) {
    for (const auto& vm : rows.vms) b.put_vm(vm);
    for (const auto& d : rows.devices) b.put_device(d);
  });
  auto got = loaded.snapshot();
  auto want = committed.snapshot();

  ASSERT_EQ(got->vm_count(), want->vm_count());
  ASSERT_EQ(got->device_count(), want->device_count());
  std::vector<int64_t> got_order, want_order;
  got->for_each_vm([&](const VmRow& row) { got_order.push_back(row.config.id); });
  want->for_each_vm([&](const VmRow& row) {
    want_order.push_back(row.config.id);
    const VmRow* other = got->vm_row(row.config.id);
    ASSERT_NE(other, nullptr) << row.config.id;
    EXPECT_EQ(other->config, row.config);
    EXPECT_EQ(entry_text(*other, false), entry_text(row, false)) << row.config.id;
    EXPECT_EQ(entry_text(*other, true), entry_text(row, true)) << row.config.id;
    EXPECT_EQ(device_ids(*other), device_ids(row)) << row.config.id;
    EXPECT_EQ(got->vm_id_by_name(row.config.name), row.config.id);
  });
  EXPECT_EQ(got_order, want_order);
  want->for_each_device([&](const DeviceRow& row) {
    const DeviceRow* other = got->device_row(row.config.id);
    ASSERT_NE(other, nullptr) << row.config.id;
    EXPECT_EQ(other->config, row.config);
    EXPECT_EQ(other->text(false), row.text(false));
    EXPECT_EQ(other->text(true), row.text(true));
  });
  EXPECT_EQ(got->display_ports(), want->display_ports());
  EXPECT_FALSE(got->display_ports().empty());
  EXPECT_TRUE(got->display_port_owner(5800));
  for (auto port : want->display_ports()) EXPECT_EQ(got->display_port_owner(port), want->display_port_owner(port));
  EXPECT_FALSE(got->vm_id_by_name("vm97"));
}

INSTANTIATE_TEST_SUITE_P(OneThreadAndTwo, CatalogLoadOf, ::testing::Values(700, 4400));

// 700 VMs are read on one connection; with 4 400 the upper half of both tables' ids is read on a
// second connection beside the lower half.
class RepositoryLoadOf : public ::testing::TestWithParam<int64_t> {};

TEST_P(RepositoryLoadOf, ReadsBackEveryRowAsWritten) {
  const auto dir = std::filesystem::temp_directory_path() / ("mw_vm_load_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Rows rows = many_rows(GetParam());
  std::sort(rows.vms.begin(), rows.vms.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::sort(rows.devices.begin(), rows.devices.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<VmConfig> want_vms;
  std::vector<DeviceConfig> want_devices;
  {
    Datastore store(dir / "vm.sqlite", migrations_from_files(migrations::embedded_files()));
    store.write([&](SQLite::Database& db) {
      std::map<int64_t, int64_t> stored_id;  // the rows' ids -> the ids SQLite gave them
      for (auto vm : rows.vms) {
        const int64_t id = repository::insert_vm(db, vm);
        stored_id[vm.id] = id;
        vm.id = id;
        want_vms.push_back(std::move(vm));
      }
      for (auto d : rows.devices) {
        if (!stored_id.contains(d.vm)) continue;  // a device needs its VM (a foreign key)
        d.vm = stored_id[d.vm];
        d.id = repository::insert_device(db, d);
        want_devices.push_back(std::move(d));
      }
    });
    std::vector<VmConfig> vms;
    std::vector<DeviceConfig> devices;
    for (auto& part : repository::load(store)) {
      for (const auto& vm : part.vms) {
        EXPECT_EQ(vm.id, vm.row->config.id);
        vms.push_back(vm.row->config);
      }
      for (const auto& d : part.devices) {
        EXPECT_EQ(std::pair(d.id, d.vm), std::pair(d.row->config.id, d.row->config.vm));
        devices.push_back(d.row->config);
      }
    }
    EXPECT_EQ(vms, want_vms);
    EXPECT_EQ(devices, want_devices);
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(OneConnectionAndTwo, RepositoryLoadOf, ::testing::Values(700, 4400));

TEST(CatalogLoad, ALaterWriteChangesOnlyWhatItTouches) {
  const Rows rows = many_rows();
  VmCatalog catalog;
  catalog.load(rows.vms, rows.devices);
  auto before = catalog.snapshot();
  VmConfig renamed = *before->vm(5);
  renamed.name = "renamed";
  catalog.put_vm(renamed);
  auto after = catalog.snapshot();
  EXPECT_EQ(after->vm_id_by_name("renamed"), 5);
  EXPECT_FALSE(after->vm_id_by_name("vm5"));
  EXPECT_EQ(before->vm_id_by_name("vm5"), 5);
  EXPECT_EQ(after->vm_row(6), before->vm_row(6)) << "an untouched row is shared, not rebuilt";
  EXPECT_EQ(device_ids(*after->vm_row(5)), device_ids(*before->vm_row(5)));
}

TEST(CatalogReadyBytes, AreWhatSerialisingTheJsonObjectGivesForAnyString) {
  // Every character class the serializer treats apart: quote, backslash, the short escapes, other
  // control characters, DEL, UTF-8, and a nested record (a PCI address) beside nulls.
  const std::string awkward = std::string("q\"b\\s/\b\t\n\f\r\x01\x1f") + '\0' + "\x7f é ✓ end";
  VmConfig vm;
  vm.id = 3;
  vm.name = awkward;
  vm.description = awkward + awkward;
  vm.memory = 64;
  vm.cpuset = awkward;
  vm.min_memory = -5;
  std::vector<DeviceConfig> devices;
  for (const auto& dtype : device_types()) {
    DeviceConfig d{static_cast<int64_t>(devices.size() + 1), 3, 0, *default_attributes(dtype)};
    if (auto* raw = d.get<RawAttributes>()) raw->path = awkward, raw->serial = awkward;
    if (auto* disk = d.get<DiskAttributes>()) disk->path = awkward, disk->zvol_volsize = INT64_MIN;
    if (auto* display = d.get<DisplayAttributes>()) display->password = awkward;
    if (auto* pci = d.get<PciAttributes>()) pci->pptdev = awkward;
    if (auto* usb = d.get<UsbAttributes>()) usb->usb = UsbIds{awkward, "0x1234"};
    if (auto* nic = d.get<NicAttributes>()) nic->pci_address = PciAddress{}, nic->pci_address->bus = 3;
    devices.push_back(std::move(d));
  }
  VmCatalog catalog;
  catalog.load({vm}, devices);
  auto snapshot = catalog.snapshot();
  for (const auto& d : devices) {
    EXPECT_EQ(device_entry_text(d, false), json::serialize(to_json(d))) << d.dtype();
    EXPECT_EQ(snapshot->device_row(d.id)->text(false), json::serialize(to_json(d))) << d.dtype();
  }
  std::string head = json::serialize(to_json(vm));
  head.pop_back();
  EXPECT_EQ(snapshot->vm_row(3)->head(), head);
}

}  // namespace
}  // namespace mw::vm::testing
