#include "catalog.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <limits>
#include <thread>
#include <type_traits>
#include <variant>

#include "load_threads.hpp"
#include "model/record_text.hpp"

namespace mw::vm {
namespace {

constexpr const char* kMask = "********";

std::vector<std::int64_t> ports_of(const DeviceConfig& d) {
  std::vector<std::int64_t> out;
  if (auto* display = d.get<DisplayAttributes>())
    for (const auto& port : {display->port, display->web_port})
      if (port) out.push_back(*port);
  return out;
}

bool has_secret(const DeviceConfig& d) {
  auto* display = d.get<DisplayAttributes>();
  return display && display->password;
}

std::shared_ptr<const VmRow> make_vm_row(VmConfig config, std::vector<std::shared_ptr<const DeviceRow>> devices) {
  auto row = std::make_shared<VmRow>(std::move(config));
  std::sort(devices.begin(), devices.end(), [](const auto& a, const auto& b) {
    return std::pair(a->config.order, a->config.id) < std::pair(b->config.order, b->config.id);
  });
  row->display_available = std::any_of(devices.begin(), devices.end(), [](const auto& d) {
    return d->config.template get<DisplayAttributes>() != nullptr;
  });
  row->devices = std::move(devices);
  // A commit's list grew by push_back: kept for as long as the row, its spare capacity would be
  // paid per VM (a load's lists are reserved at their size already).
  row->devices.shrink_to_fit();
  return row;
}

}  // namespace

// Written from the typed row (model/record_text.hpp): the same bytes as serialising to_json().
std::string device_entry_text(const DeviceConfig& device, bool redact) {
  std::string out;
  append_device_entry_text(out, device, redact);
  return out;
}

void append_device_entry_text(std::string& out, const DeviceConfig& device, bool redact) {
  out += "{\"id\":";
  model::append_text(out, device.id);
  out += ",\"vm\":";
  model::append_text(out, device.vm);
  out += ",\"order\":";
  model::append_text(out, device.order);
  out += ",\"attributes\":{\"dtype\":";
  visit_attributes(
      [&](const auto& a) {
        model::append_text(out, a.dtype);
        if constexpr (std::is_same_v<std::decay_t<decltype(a)>, DisplayAttributes>) {
          if (redact && a.password) {
            DisplayAttributes masked = a;
            masked.password = kMask;
            return model::append_field_texts(out, masked, false);
          }
        }
        model::append_field_texts(out, a, false);
      },
      device.attributes);
  out += "}}";
}

// ---- DeviceRow, VmRow ----

std::string_view DeviceRow::text(bool redact) const {
  if (redact && has_secret(config))
    return redacted_.get([&](std::string& out) { append_device_entry_text(out, config, true); });
  return json_.get([&](std::string& out) { append_device_entry_text(out, config, false); });
}

namespace {
void prefetch_bytes(std::string_view text) {
  constexpr std::size_t kLine = 64;
  for (std::size_t at = 0; at < text.size(); at += kLine) __builtin_prefetch(text.data() + at);
}
}  // namespace

void DeviceRow::prefetch_text_holder() const { __builtin_prefetch(&json_); }

void DeviceRow::prefetch_text_bytes() const { prefetch_bytes(json_.if_built()); }

// Written from the typed row (model/record_text.hpp).
std::string_view VmRow::head() const {
  return head_.get([&](std::string& out) {
    out += "{\"id\":";
    model::append_text(out, config.id);
    model::append_field_texts(out, config, false);
  });
}

void VmRow::append_text(std::string& out, bool redact) const {
  out += head();
  out += ",\"devices\":[";
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (i) out += ',';
    out += devices[i]->text(redact);
  }
  out += display_available ? "],\"display_available\":true" : "],\"display_available\":false";
}

std::size_t VmRow::text_size() const {
  std::size_t size = head().size() + 48;
  for (const auto& d : devices) size += d->text(false).size() + 1;
  return size;
}

void VmRow::prefetch(int step) const {
  switch (step) {
    case 0:
      __builtin_prefetch(&head_);
      __builtin_prefetch(&devices);
      break;
    case 1:
      prefetch_bytes(head_.if_built());
      __builtin_prefetch(devices.data());
      break;
    case 2:
      for (const auto& d : devices) d->prefetch_text_holder();
      break;
    default:
      for (const auto& d : devices) d->prefetch_text_bytes();
  }
}

// ---- CatalogSnapshot ----

const VmRow* CatalogSnapshot::vm_row(std::int64_t id) const {
  auto* p = vms_.find(id);
  return p ? p->get() : nullptr;
}

const VmConfig* CatalogSnapshot::vm(std::int64_t id) const {
  auto* row = vm_row(id);
  return row ? &row->config : nullptr;
}

std::optional<std::int64_t> CatalogSnapshot::vm_id_by_name(std::string_view name) const { return names_.find(name); }

const DeviceRow* CatalogSnapshot::device_row(std::int64_t id) const {
  auto* p = devices_.find(id);
  return p ? p->get() : nullptr;
}

const DeviceConfig* CatalogSnapshot::device(std::int64_t id) const {
  auto* row = device_row(id);
  return row ? &row->config : nullptr;
}

std::optional<std::int64_t> CatalogSnapshot::display_port_owner(std::int64_t port) const {
  auto it = display_ports_->find(port);
  if (it == display_ports_->end()) return std::nullopt;
  return it->second;
}

std::set<std::int64_t> CatalogSnapshot::display_ports() const {
  std::set<std::int64_t> out;
  for (const auto& [port, id] : *display_ports_) out.insert(port);
  return out;
}

// ---- VmCatalog ----

VmCatalog::VmCatalog() : current_(std::make_shared<const CatalogSnapshot>()) {}

void VmCatalog::commit(const std::function<void(Batch&)>& changes) {
  Batch batch;
  changes(batch);
  std::lock_guard lock(write_mutex_);
  auto next = std::make_shared<CatalogSnapshot>(*current_.load());
  // The device lists and configurations of the VMs this batch touches, from the old rows.
  std::map<std::int64_t, std::vector<std::shared_ptr<const DeviceRow>>> lists;
  std::map<std::int64_t, VmConfig> configs;
  auto touch = [&](std::int64_t vm_id) -> std::vector<std::shared_ptr<const DeviceRow>>* {
    if (auto it = lists.find(vm_id); it != lists.end()) return &it->second;
    const VmRow* row = next->vm_row(vm_id);
    if (!row && !configs.contains(vm_id)) return nullptr;
    auto& list = lists[vm_id];
    if (row) {
      list = row->devices;
      configs.try_emplace(vm_id, row->config);
    }
    return &list;
  };
  std::shared_ptr<std::map<std::int64_t, std::int64_t>> ports;
  auto edit_ports = [&]() -> std::map<std::int64_t, std::int64_t>& {
    if (!ports) ports = std::make_shared<std::map<std::int64_t, std::int64_t>>(*next->display_ports_);
    return *ports;
  };
  auto drop_device = [&](const DeviceRow& old) {
    for (auto p : ports_of(old.config))
      if (auto it = edit_ports().find(p); it != edit_ports().end() && it->second == old.config.id)
        edit_ports().erase(it);
    if (auto* list = touch(old.config.vm))
      std::erase_if(*list, [&](const auto& d) { return d->config.id == old.config.id; });
    next->devices_.erase(old.config.id);
  };

  for (auto& [id, config] : batch.vms_) {
    const VmRow* old = next->vm_row(id);
    if (old) next->names_.set(old->config.name, 0);
    if (config) {
      if (!old)
        lists.try_emplace(id);
      else
        touch(id);
      next->names_.set(config->name, id);
      configs.insert_or_assign(id, std::move(*config));
      continue;
    }
    if (old)
      for (const auto& d : old->devices) drop_device(*d);
    next->vms_.erase(id);
    configs.erase(id);
    lists.erase(id);
  }
  for (auto& [id, device] : batch.devices_) {
    if (auto* old = next->devices_.find(id)) drop_device(**old);
    if (!device) continue;
    for (auto p : ports_of(*device)) edit_ports()[p] = id;
    auto row = std::make_shared<const DeviceRow>(std::move(*device));
    if (auto* list = touch(row->config.vm)) list->push_back(row);
    next->devices_.set(id, std::move(row));
  }
  for (auto& [vm_id, list] : lists) {
    auto config = configs.find(vm_id);
    if (config != configs.end()) next->vms_.set(vm_id, make_vm_row(std::move(config->second), std::move(list)));
  }
  if (ports) next->display_ports_ = std::move(ports);
  current_.store(std::move(next));
}

void StoredRows::add_vm(VmConfig config) {
  const auto id = config.id;
  std::string name = config.name;
  vms.push_back({id, std::move(name), std::make_shared<VmRow>(std::move(config))});
}

void StoredRows::add_device(DeviceConfig device) {
  for (auto port : ports_of(device)) display_ports.emplace_back(port, device.id);
  const auto id = device.id, vm = device.vm, order = device.order;
  const bool display = device.get<DisplayAttributes>() != nullptr;
  auto row = std::make_shared<const DeviceRow>(std::move(device));
  auto row_for_vm = row;
  devices.push_back({id, vm, order, display, std::move(row), std::move(row_for_vm)});
}

void VmCatalog::load(std::vector<VmConfig> vms, std::vector<DeviceConfig> devices) {
  std::vector<StoredRows> parts(1);
  for (auto& vm : vms) parts[0].add_vm(std::move(vm));
  for (auto& device : devices) parts[0].add_device(std::move(device));
  load(std::move(parts));
}

// The same snapshot as one commit of every row would give. The rows were built as they were read
// (StoredRows); what is left is giving each VM its devices, in parallel for a large catalog, and
// filling the indexes, from the ids kept beside the rows.
void VmCatalog::load(std::vector<StoredRows> parts) {
  // The parts' entries are reached through pointers, one part after the other: the parts are not
  // joined into one vector, nor are entries moved by sorting; the devices are grouped by VM
  // through their indexes.
  std::vector<StoredRows::Vm*> vms;
  std::vector<StoredRows::Device*> devices;
  std::size_t vm_count = 0, device_count = 0;
  for (const auto& part : parts) {
    vm_count += part.vms.size();
    device_count += part.devices.size();
  }
  vms.reserve(vm_count);
  devices.reserve(device_count);
  for (auto& part : parts) {
    for (auto& vm : part.vms) vms.push_back(&vm);
    for (auto& device : part.devices) devices.push_back(&device);
  }
  auto next = std::make_shared<CatalogSnapshot>();
  auto ports = std::make_shared<std::map<std::int64_t, std::int64_t>>();
  for (const auto& part : parts)  // in the given order, as a commit does: a later device wins a port
    for (const auto& [port, id] : part.display_ports) (*ports)[port] = id;
  const auto by_id = [](const auto* a, const auto* b) { return a->id < b->id; };
  if (!std::is_sorted(vms.begin(), vms.end(), by_id)) std::sort(vms.begin(), vms.end(), by_id);  // read in id order
  std::vector<std::pair<std::int64_t, std::size_t>> by_vm;  // (VM id, index in `devices`)
  by_vm.reserve(devices.size());
  for (std::size_t d = 0; d < devices.size(); ++d) by_vm.emplace_back(devices[d]->vm, d);
  // Devices are usually added VM after VM, so that read in id order they are grouped already.
  if (!std::is_sorted(by_vm.begin(), by_vm.end())) std::sort(by_vm.begin(), by_vm.end());
  // Where each VM's devices start in `by_vm`: VM i owns by_vm[first[i]] to by_vm[last[i] - 1].
  // Devices between them belong to no VM and are kept, as a commit keeps them.
  std::vector<std::size_t> first(vms.size()), last(vms.size());
  {
    std::size_t d = 0;
    for (std::size_t i = 0; i < vms.size(); ++i) {
      for (; d < by_vm.size() && by_vm[d].first < vms[i]->id; ++d) {
      }
      first[i] = d;
      for (; d < by_vm.size() && by_vm[d].first == vms[i]->id; ++d) {
      }
      last[i] = d;
    }
  }
  // A VM's devices by (order, id), as make_vm_row() sorts them, read from the entries.
  const auto boot_order = [&](const auto& a, const auto& b) {
    const auto& x = *devices[a.second];
    const auto& y = *devices[b.second];
    return std::pair(x.order, x.id) < std::pair(y.order, y.id);
  };
  // A large catalog's VMs are given their devices by two threads, which take the VMs in runs of
  // 256 from a shared counter until none are left (docs/BENCHMARKS.md, "Start-up with 10 000 VMs
  // on both cores").
  std::atomic<std::size_t> next_run{0};
  auto build = [&] {
    constexpr std::size_t kRun = 256;
    for (std::size_t from; (from = next_run.fetch_add(kRun)) < vms.size();)
      for (std::size_t i = from; i < std::min(from + kRun, vms.size()); ++i) {
        std::sort(by_vm.begin() + first[i], by_vm.begin() + last[i], boot_order);
        VmRow& row = *vms[i]->row;
        row.devices.reserve(last[i] - first[i]);
        for (std::size_t d = first[i]; d < last[i]; ++d) {
          auto& device = *devices[by_vm[d].second];
          row.display_available = row.display_available || device.display;
          row.devices.push_back(std::move(device.row_for_vm));
        }
      }
  };
  // The name index and the device index are filled beside the build, one by each thread before
  // it takes its runs: they read and move other members of the entries than the build does.
  using Names = detail::NameIndex;
  std::array<Names::Bucket, Names::kBuckets> names;
  auto fill_names = [&] {
    std::vector<std::size_t> bucket(vms.size());
    std::array<std::size_t, Names::kBuckets> sizes{};
    for (std::size_t i = 0; i < vms.size(); ++i) ++sizes[bucket[i] = Names::bucket_of(vms[i]->name)];
    for (std::size_t i = 0; i < names.size(); ++i) names[i].reserve(sizes[i]);
    for (std::size_t i = 0; i < vms.size(); ++i) names[bucket[i]].emplace_back(std::move(vms[i]->name), vms[i]->id);
  };
  auto fill_devices = [&] {
    for (auto* device : devices) next->devices_.set(device->id, std::move(device->row));
  };
  if (vms.size() >= kParallelLoadFrom && std::thread::hardware_concurrency() > 1) {
    // About what a VM's device list and name entry take, for every VM: the helper may take more
    // than half.
    constexpr std::size_t kHeapPerVm = 128;
    run_beside(
        [&] {
          fill_names();
          build();
        },
        [&] {
          fill_devices();
          build();
        },
        vms.size() * kHeapPerVm);
  } else {
    fill_names();
    fill_devices();
    build();
  }
  for (auto* vm : vms) next->vms_.set(vm->id, std::move(vm->row));  // once the build has done with them
  next->names_.assign(names);
  next->display_ports_ = std::move(ports);
  std::lock_guard lock(write_mutex_);
  current_.store(std::move(next));
}

void VmCatalog::put_vm(VmConfig config) {
  commit([&](Batch& b) { b.put_vm(std::move(config)); });
}
void VmCatalog::erase_vm(std::int64_t id) {
  commit([&](Batch& b) { b.erase_vm(id); });
}
void VmCatalog::put_device(DeviceConfig device) {
  commit([&](Batch& b) { b.put_device(std::move(device)); });
}
void VmCatalog::erase_device(std::int64_t id) {
  commit([&](Batch& b) { b.erase_device(id); });
}

std::optional<VmConfig> VmCatalog::vm(std::int64_t id) const {
  auto s = snapshot();
  if (auto* v = s->vm(id)) return *v;
  return std::nullopt;
}

std::optional<std::int64_t> VmCatalog::vm_id_by_name(const std::string& name) const {
  return snapshot()->vm_id_by_name(name);
}

std::vector<VmConfig> VmCatalog::all_vms() const {
  auto s = snapshot();
  std::vector<VmConfig> out;
  out.reserve(s->vm_count());
  s->for_each_vm([&](const VmRow& row) { out.push_back(row.config); });
  return out;
}

std::size_t VmCatalog::vm_count() const { return snapshot()->vm_count(); }

std::optional<DeviceConfig> VmCatalog::device(std::int64_t id) const {
  auto s = snapshot();
  if (auto* d = s->device(id)) return *d;
  return std::nullopt;
}

std::vector<DeviceConfig> VmCatalog::devices_of(std::int64_t vm_id) const {
  auto s = snapshot();
  std::vector<DeviceConfig> out;
  if (auto* row = s->vm_row(vm_id))
    for (const auto& d : row->devices) out.push_back(d->config);
  return out;
}

std::vector<DeviceConfig> VmCatalog::all_devices() const {
  auto s = snapshot();
  std::vector<DeviceConfig> out;
  out.reserve(s->device_count());
  s->for_each_device([&](const DeviceRow& row) { out.push_back(row.config); });
  return out;
}

std::optional<std::int64_t> VmCatalog::display_port_owner(std::int64_t port) const {
  return snapshot()->display_port_owner(port);
}

std::set<std::int64_t> VmCatalog::display_ports() const { return snapshot()->display_ports(); }

}  // namespace mw::vm
