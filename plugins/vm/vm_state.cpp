#include "vm_state.hpp"

#include "repository.hpp"

namespace mw::vm {

VmState::VmState(std::shared_ptr<Datastore> store_, std::shared_ptr<HostInfo> host_,
                 std::shared_ptr<VmRuntimeStatus> runtime_, EventBus* events_, StorageRoots roots_,
                 std::shared_ptr<spdlog::logger> log_)
    : store(std::move(store_)),
      host(std::move(host_)),
      runtime(std::move(runtime_)),
      events(events_),
      roots(std::move(roots_)),
      log(std::move(log_)) {
  // A transaction holds at most this many: recording a committed create then allocates nothing.
  finished_creates.reserve(Datastore::kMaxSharedWrites);
}

const SchemaCheck& VmState::schema(const std::string& ref) const {
  std::lock_guard lock(schemas_mutex_);
  auto& slot = schemas_[ref];
  if (!slot) slot = compile_schema(ref);
  return *slot;
}

void VmState::load() { catalog.load(repository::load(*store)); }

json::object VmState::vm_entry(int64_t id) const {
  auto snapshot = catalog.snapshot();
  const VmRow* row = snapshot->vm_row(id);
  if (!row) return {};
  json::object entry = to_json(row->config);
  json::array devices;
  bool display = false;
  for (const auto& d : row->devices) {
    display = display || d->config.get<DisplayAttributes>();
    devices.push_back(to_json(d->config));
  }
  entry["devices"] = std::move(devices);
  entry["display_available"] = display;
  entry["status"] = runtime->status(id);
  return entry;
}

void VmState::publish_vm(EventKind kind, int64_t id) {
  if (!events) return;
  if (kind == EventKind::Removed) return events->publish(kVmEvent, kind, id);
  // The entry and its redacted copy are built only for someone to send them to.
  if (!events->has_subscribers(kVmEvent)) return;
  json::object entry = vm_entry(id);
  if (entry.empty()) return;
  json::object redacted = redact_vm_entry(entry);
  events->publish(kVmEvent, kind, id, json::value(std::move(entry)), json::value(std::move(redacted)));
}

void VmState::publish_device(EventKind kind, const DeviceConfig& device) {
  if (!events) return;
  if (kind == EventKind::Removed) return events->publish(kDeviceEvent, kind, device.id);
  if (!events->has_subscribers(kDeviceEvent)) return;
  json::object entry = to_json(device);
  json::object redacted = redact_device_entry(entry);
  events->publish(kDeviceEvent, kind, device.id, json::value(std::move(entry)), json::value(std::move(redacted)));
}

json::object redact_device_entry(json::object entry) {
  auto it = entry.find("attributes");
  if (it == entry.end() || !it->value().is_object()) return entry;
  auto& attrs = it->value().as_object();
  if (attrs.contains("dtype") && attrs.at("dtype") == "DISPLAY" && attrs.contains("password") &&
      !attrs.at("password").is_null())
    attrs["password"] = kSecretMask;
  return entry;
}

json::object redact_vm_entry(json::object entry) {
  if (auto it = entry.find("devices"); it != entry.end() && it->value().is_array())
    for (auto& d : it->value().as_array())
      if (d.is_object()) d = redact_device_entry(std::move(d.as_object()));
  return entry;
}

}  // namespace mw::vm
