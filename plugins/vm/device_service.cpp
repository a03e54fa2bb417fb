#include "device_service.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>

#include "device/device_kind.hpp"
#include "repository.hpp"
#include "zvol_cleanup.hpp"

namespace mw::vm {
namespace {

bool option(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().as_bool();
}

}  // namespace

std::vector<std::pair<int64_t, int64_t>> renumber_upward(std::vector<std::pair<int64_t, int64_t>> others,
                                                         int64_t order) {
  std::sort(others.begin(), others.end());
  std::vector<std::pair<int64_t, int64_t>> moved;  // (id, new order)
  int64_t taken = order;
  for (const auto& [o, id] : others) {
    if (o < order) continue;
    if (o > taken) break;  // the chain of collisions ends at the first gap
    taken = taken + 1;
    moved.emplace_back(id, taken);
  }
  return moved;
}

json::value DeviceService::query(const json::array& filters, const json::object& options, bool redact) const {
  json::array rows;
  for (const auto& d : state_.catalog.all_devices())
    rows.push_back(redact ? redact_device_entry(to_json(d)) : json::value(to_json(d)));
  return query::filter_list(rows, filters, options);
}

json::value DeviceService::get_instance(int64_t id, const json::object& options, bool redact) const {
  json::object opts = options;
  opts["get"] = true;
  try {
    return query(json::array{json::array{"id", "=", id}}, opts, redact);
  } catch (const MatchNotFound&) {
    throw ValidationErrors::single(std::nullopt, "VMDevice " + std::to_string(id) + " does not exist", ENOENT);
  }
}

DeviceAttributes DeviceService::check_model(json::object& attrs, const std::string& prefix) const {
  // The tag, types, literals, ranges and defaults are the schema's tagged union
  // (schemas/vm/common.json), run through the core's validator: vm.device.create's params schema
  // states the same union, but vm.device.update checks the merged attributes, which no params
  // schema sees. What a schema cannot say (fields that depend on each other) is the kind's.
  ValidationErrors errors;
  json::value value(std::move(attrs));
  state_.schema("vm/common.json#/definitions/device_attributes").validate(value, prefix, errors);
  attrs = std::move(value.as_object());
  errors.throw_if_any();
  const DeviceKind* kind = device_kind(attrs.at("dtype").as_string());
  for (const auto& rule : kind->model_rules(attrs)) errors.add(prefix + "." + kind->dtype(), "Value error, " + rule);
  errors.throw_if_any();
  return *attributes_from_json(attrs);
}

std::vector<DeviceConfig> DeviceService::place(DeviceConfig& device, const json::value& requested) const {
  bool explicit_order = requested.is_int64() && requested.as_int64() != 0;
  device.order = explicit_order ? requested.as_int64() : default_order(device.attributes);
  if (!explicit_order) return {};
  std::vector<std::pair<int64_t, int64_t>> others;
  std::map<int64_t, DeviceConfig> by_id;
  for (auto& d : state_.catalog.devices_of(device.vm)) {
    if (d.id == device.id) continue;
    others.emplace_back(d.order, d.id);
    by_id.emplace(d.id, std::move(d));
  }
  std::vector<DeviceConfig> moved;
  for (const auto& [id, order] : renumber_upward(std::move(others), device.order)) {
    DeviceConfig r = by_id.at(id);
    r.order = order;
    moved.push_back(std::move(r));
  }
  return moved;
}

json::object DeviceService::store(DeviceConfig device, const DeviceConfig* old, const json::value& requested_order) {
  const DeviceKind* kind = device_kind(device.dtype());
  auto moved = place(device, requested_order);
  auto undo = kind->apply(device, old);
  kind->before_store(device);
  try {
    state_.store->write([&](SQLite::Database& db) {
      if (old)
        repository::update_device(db, device);
      else
        device.id = repository::insert_device(db, device);
      for (const auto& m : moved) repository::update_device(db, m);
    });
  } catch (...) {
    if (undo) undo();
    throw;
  }
  state_.catalog.commit([&](VmCatalog::Batch& b) {
    b.put_device(device);
    for (const auto& m : moved) b.put_device(m);
  });
  state_.publish_device(old ? EventKind::Changed : EventKind::Added, device);
  for (const auto& m : moved) state_.publish_device(EventKind::Changed, m);
  return to_json(device);
}

json::object DeviceService::create(const json::object& data) {
  json::object attrs = data.contains("attributes") && data.at("attributes").is_object()
                           ? data.at("attributes").as_object()
                           : json::object{};
  // dtype at the top level means attributes.dtype. The params schema has already filled it in and
  // checked the attributes; what it cannot say in TrueNAS's words is that two tags disagree.
  if (auto top = data.find("dtype"); top != data.end() && !top->value().is_null()) {
    if (!attrs.contains("dtype"))
      attrs["dtype"] = top->value();
    else if (attrs.at("dtype") != top->value())
      throw ValidationErrors("vm_device_create.dtype", "Value error, dtype does not match attributes.dtype");
  }
  auto attributes = check_model(attrs, "vm_device_create.attributes");
  int64_t vm_id = data.at("vm").as_int64();
  std::lock_guard lock(state_.write_mutex);
  auto vm = state_.catalog.vm(vm_id);
  if (!vm) throw ValidationErrors("vm_device_create.vm", "VM " + std::to_string(vm_id) + " does not exist", ENOENT);
  DeviceConfig device{0, vm_id, 0, std::move(attributes)};
  ValidationErrors errors;
  DeviceContext ctx{state_.catalog, *state_.host, state_.roots, *state_.runtime, *vm, nullptr, 0};
  device_kind(device.dtype())->validate(device, ctx, errors);
  errors.throw_if_any();
  auto order = data.contains("order") ? data.at("order") : json::value(nullptr);
  return store(std::move(device), nullptr, order);
}

json::object DeviceService::update(int64_t id, const json::object& data) {
  std::lock_guard lock(state_.write_mutex);
  auto old = state_.catalog.device(id);
  if (!old) throw ValidationErrors::single(std::nullopt, "VMDevice " + std::to_string(id) + " does not exist", ENOENT);
  DeviceConfig device = *old;
  json::object attrs = to_json(old->attributes);
  if (auto a = data.find("attributes"); a != data.end() && a->value().is_object()) {
    const auto& changes = a->value().as_object();
    if (changes.contains("dtype") && changes.at("dtype") != attrs.at("dtype"))
      throw ValidationErrors("attributes.dtype", "Device type cannot be changed");
    for (const auto& kv : changes) attrs[kv.key()] = kv.value();
  }
  device.attributes = check_model(attrs, "vm_device_update.attributes");
  if (auto v = data.find("vm"); v != data.end() && v->value().is_int64()) device.vm = v->value().as_int64();
  auto vm = state_.catalog.vm(device.vm);
  if (!vm) throw ValidationErrors("vm_device_update.vm", "VM " + std::to_string(device.vm) + " does not exist", ENOENT);
  ValidationErrors errors;
  DeviceContext ctx{state_.catalog, *state_.host, state_.roots, *state_.runtime, *vm, &*old, id};
  device_kind(device.dtype())->validate(device, ctx, errors);
  errors.throw_if_any();
  // No order given keeps the stored one; an explicit null/0 asks for the dtype's default.
  json::value order = data.contains("order") ? data.at("order") : json::value(old->order);
  return store(std::move(device), &*old, order);
}

void DeviceService::remove(int64_t id, const json::object& options) {
  std::lock_guard lock(state_.write_mutex);
  auto device = state_.catalog.device(id);
  if (!device)
    throw ValidationErrors::single(std::nullopt, "VMDevice " + std::to_string(id) + " does not exist", ENOENT);
  if (state_.runtime->active(device->vm))
    throw CallError("Please stop/resume associated VM before deleting VM device.", EFAULT);
  bool force = option(options, "force");
  const std::string* path = device->path();
  auto resource_error = [&](const std::string& message) {
    if (!force) throw CallError(message, EFAULT);
    if (state_.log) state_.log->warn("vm.device.delete {}: {} (ignored: force)", id, message);
  };
  if (option(options, "zvol")) {
    if (!device->get<DiskAttributes>()) {
      resource_error("The device is not a disk and has no zvol to destroy.");
    } else if (!path || path->rfind("/dev/zvol/", 0) != 0) {
      resource_error("Unable to destroy zvol as disk device has misconfigured path");
    } else {
      try {
        destroy_owned_zvol(state_, path->substr(10));
      } catch (const std::exception& e) {
        resource_error("Failed to destroy zvol '" + path->substr(10) + "': " + e.what());
      }
    }
  }
  if (option(options, "raw_file")) {
    if (!device->get<RawAttributes>()) {
      resource_error("Device is not of RAW type.");
    } else if (path && !state_.roots.contains(*path)) {
      // A directory on the way may have become a link out of the roots since the device was made.
      resource_error("Refusing to remove '" + *path + "': " + state_.roots.outside_message());
    } else {
      std::error_code ec;
      if (path && !std::filesystem::remove(*path, ec) && ec) resource_error("Failed to destroy '" + *path + "'");
    }
  }
  state_.store->write([&](SQLite::Database& db) { repository::delete_device(db, id); });
  state_.catalog.erase_device(id);
  state_.publish_device(EventKind::Removed, *device);
}

}  // namespace mw::vm
