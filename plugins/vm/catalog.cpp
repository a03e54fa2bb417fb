#include "catalog.hpp"

#include <mutex>

namespace mw::vm {
namespace {

std::vector<int64_t> ports_of(const DeviceRecord& d) {
  std::vector<int64_t> out;
  if (d.dtype() != "DISPLAY") return out;
  for (const char* key : {"port", "web_port"})
    if (auto it = d.attributes.find(key); it != d.attributes.end() && it->value().is_int64())
      out.push_back(it->value().as_int64());
  return out;
}

}  // namespace

std::string DeviceRecord::dtype() const {
  auto it = attributes.find("dtype");
  return it != attributes.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

json::object DeviceRecord::entry() const {
  return json::object{{"id", id}, {"vm", vm}, {"order", order}, {"attributes", attributes}};
}

void VmCatalog::load(std::vector<json::object> vms, std::vector<DeviceRecord> devices) {
  std::unique_lock lock(mutex_);
  vms_.clear(), names_.clear(), devices_.clear(), by_vm_.clear(), display_ports_.clear();
  for (auto& v : vms) {
    int64_t id = v.at("id").as_int64();
    names_[std::string(v.at("name").as_string())] = id;
    vms_[id] = std::move(v);
  }
  for (auto& d : devices) {
    index_device(d);
    int64_t id = d.id;
    devices_[id] = std::move(d);
  }
}

std::optional<json::object> VmCatalog::vm(int64_t id) const {
  std::shared_lock lock(mutex_);
  auto it = vms_.find(id);
  if (it == vms_.end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> VmCatalog::vm_id_by_name(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = names_.find(name);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

std::vector<json::object> VmCatalog::all_vms() const {
  std::shared_lock lock(mutex_);
  std::vector<json::object> out;
  out.reserve(vms_.size());
  for (const auto& [id, v] : vms_) out.push_back(v);
  return out;
}

std::size_t VmCatalog::vm_count() const {
  std::shared_lock lock(mutex_);
  return vms_.size();
}

std::optional<DeviceRecord> VmCatalog::device(int64_t id) const {
  std::shared_lock lock(mutex_);
  auto it = devices_.find(id);
  if (it == devices_.end()) return std::nullopt;
  return it->second;
}

std::vector<DeviceRecord> VmCatalog::devices_of(int64_t vm_id) const {
  std::shared_lock lock(mutex_);
  std::vector<DeviceRecord> out;
  if (auto it = by_vm_.find(vm_id); it != by_vm_.end())
    for (const auto& [order, id] : it->second) out.push_back(devices_.at(id));
  return out;
}

std::vector<DeviceRecord> VmCatalog::all_devices() const {
  std::shared_lock lock(mutex_);
  std::vector<DeviceRecord> out;
  out.reserve(devices_.size());
  for (const auto& [id, d] : devices_) out.push_back(d);
  return out;
}

std::optional<int64_t> VmCatalog::display_port_owner(int64_t port) const {
  std::shared_lock lock(mutex_);
  auto it = display_ports_.find(port);
  if (it == display_ports_.end()) return std::nullopt;
  return it->second;
}

std::set<int64_t> VmCatalog::display_ports() const {
  std::shared_lock lock(mutex_);
  std::set<int64_t> out;
  for (const auto& [port, id] : display_ports_) out.insert(port);
  return out;
}

void VmCatalog::put_vm(json::object fields) {
  std::unique_lock lock(mutex_);
  int64_t id = fields.at("id").as_int64();
  if (auto it = vms_.find(id); it != vms_.end()) names_.erase(std::string(it->second.at("name").as_string()));
  names_[std::string(fields.at("name").as_string())] = id;
  vms_[id] = std::move(fields);
}

void VmCatalog::erase_vm(int64_t id) {
  std::unique_lock lock(mutex_);
  auto it = vms_.find(id);
  if (it == vms_.end()) return;
  names_.erase(std::string(it->second.at("name").as_string()));
  vms_.erase(it);
  if (auto d = by_vm_.find(id); d != by_vm_.end()) {
    auto members = d->second;
    for (const auto& [order, device_id] : members) {
      unindex_device(devices_.at(device_id));
      devices_.erase(device_id);
    }
  }
}

void VmCatalog::put_device(DeviceRecord device) {
  std::unique_lock lock(mutex_);
  if (auto it = devices_.find(device.id); it != devices_.end()) unindex_device(it->second);
  index_device(device);
  int64_t id = device.id;
  devices_[id] = std::move(device);
}

void VmCatalog::erase_device(int64_t id) {
  std::unique_lock lock(mutex_);
  auto it = devices_.find(id);
  if (it == devices_.end()) return;
  unindex_device(it->second);
  devices_.erase(it);
}

void VmCatalog::index_device(const DeviceRecord& d) {
  by_vm_[d.vm].insert({d.order, d.id});
  for (int64_t p : ports_of(d)) display_ports_[p] = d.id;
}

void VmCatalog::unindex_device(const DeviceRecord& d) {
  if (auto it = by_vm_.find(d.vm); it != by_vm_.end()) {
    it->second.erase({d.order, d.id});
    if (it->second.empty()) by_vm_.erase(it);
  }
  for (int64_t p : ports_of(d))
    if (auto it = display_ports_.find(p); it != display_ports_.end() && it->second == d.id) display_ports_.erase(it);
}

}  // namespace mw::vm
