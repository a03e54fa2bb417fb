#include "vm_service.hpp"
#include "vm_state_files.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <filesystem>

#include <middlewared/errors.hpp>

#include "device/device_kind.hpp"
#include "disk_copy.hpp"
#include "new_vm.hpp"
#include "ports.hpp"
#include "random_ids.hpp"
#include "repository.hpp"
#include "vm_query.hpp"
#include "vm_validation.hpp"
#include "zvol_cleanup.hpp"

namespace mw::vm {

namespace {

// `input` with every absent stored field set to its create default (VmConfig's initialisers).
json::object with_create_defaults(json::object input) {
  static const json::object defaults = to_json(VmConfig{});  // constant: built once, not per create
  json::object out = std::move(input);
  for (const auto& kv : defaults)
    if (kv.key() != "id" && !out.contains(kv.key())) out[kv.key()] = kv.value();
  return out;
}

}  // namespace

void VmService::query_text(ResultText& answer, const json::array& filters, const json::object& options,
                           bool redact) const {
  answer_query(answer, state_, filters, options, redact);
}

void VmService::get_instance_text(ResultText& out, int64_t id, const json::object& options, bool redact) const {
  json::object opts = options;
  opts["get"] = true;
  try {
    query_text(out, json::array{json::array{"id", "=", id}}, opts, redact);
  } catch (const MatchNotFound&) {
    throw ValidationErrors::single(std::nullopt, "VM " + std::to_string(id) + " does not exist", ENOENT);
  }
}

json::value VmService::query(const json::array& filters, const json::object& options, bool redact) const {
  ResultText text;
  query_text(text, filters, options, redact);
  return json::parse(text.text());
}

json::value VmService::get_instance(int64_t id, const json::object& options, bool redact) const {
  ResultText text;
  get_instance_text(text, id, options, redact);
  return json::parse(text.text());
}

VmConfig VmService::require_vm(int64_t id) const {
  auto vm = state_.catalog.vm(id);
  if (!vm) throw ValidationErrors::single(std::nullopt, "VM " + std::to_string(id) + " does not exist", ENOENT);
  return *vm;
}

json::value VmService::create(json::object input, bool may_set_qemu_args, bool redact) {
  // Creates arriving together share one transaction and its fsync; each is validated and
  // inserted in it under the plugin's write lock, which the one running the transaction holds.
  NewVm create(state_, create_data(std::move(input)), {}, may_set_qemu_args);
  state_.store->write_shared(create, &state_.write_mutex);
  ResultText text;
  append_created(text, create, redact);
  return json::parse(text.text());
}

void VmService::create_later(AnswerLater& answer_later, json::object input, bool may_set_qemu_args, bool redact) {
  auto create =
      std::make_shared<NewVm>(state_, create_data(std::move(input)), std::vector<DeviceConfig>{}, may_set_qemu_args);
  auto answer = answer_later();
  state_.store->write_shared_later(create, &state_.write_mutex,
                                   [this, create, answer, redact](std::exception_ptr error) {
                                     if (!error) {
                                       try {
                                         append_created(answer->result_text(), *create, redact);
                                         return answer->succeed();
                                       } catch (...) {
                                         error = std::current_exception();
                                       }
                                     }
                                     answer->fail(error);
                                   });
}

json::object VmService::create_data(json::object input) const {
  check_uuid(input, "vm_create");
  return with_create_defaults(std::move(input));
}

void VmService::append_created(ResultText& out, const NewVm& create, bool redact) const {
  create.check_finished();
  append_entry(out.out(), *create.snapshot().vm_row(create.id()), redact, nullptr, *state_.runtime);
}

int64_t VmService::create_locked(json::object data, std::vector<DeviceConfig> devices, bool may_set_qemu_args) {
  NewVm create(state_, std::move(data), std::move(devices), may_set_qemu_args);
  create.run_alone();
  return create.id();
}

json::object VmService::update(int64_t id, const json::object& input, bool may_set_qemu_args) {
  check_uuid(input, "vm_update");
  std::lock_guard lock(state_.write_mutex);
  const VmConfig old = require_vm(id);
  const json::object old_fields = to_json(old);
  json::object data = old_fields;
  for (const auto& kv : input) data[kv.key()] = kv.value();
  // 2: the name is part of on-disk state (NVRAM, TPM) a running guest holds open.
  if (data.at("name") != old_fields.at("name") && state_.runtime->active(id))
    throw CallError("VM name can only be changed when VM is inactive", EFAULT);
  ValidationErrors errors;
  validate_vm({data, "vm_update", &old_fields, state_.catalog, *state_.host, may_set_qemu_args}, errors);
  errors.throw_if_any();
  VmConfig vm = vm_from_json(data);
  vm.id = id;
  if (!vm.uuid) vm.uuid = old.uuid;
  // The UEFI variables are named after the VM: they move with a rename, back if the write fails.
  std::vector<std::pair<std::string, std::string>> moved;
  if (vm.name != old.name) {
    moved = state_file_moves(state_, id, old.name, id, vm.name, "rename");
    rename_state_files(moved);
  }
  try {
    state_.store->write([&](SQLite::Database& db) { repository::update_vm(db, vm); });
  } catch (...) {
    undo_renames(moved);
    throw;
  }
  state_.catalog.put_vm(vm);
  state_.publish_vm(EventKind::Changed, id);
  return state_.vm_entry(id);
}

void VmService::remove(int64_t id, const json::object& options) {
  std::lock_guard lock(state_.write_mutex);
  const VmConfig vm = require_vm(id);
  const std::string& name = vm.name;
  bool force = options.contains("force") && options.at("force").as_bool();
  bool zvols = options.contains("zvols") && options.at("zvols").as_bool();
  if (state_.runtime->active(id) && !force) {
    std::string word = state_.runtime->status(id)["state"] == "SUSPENDED" ? "suspended" : "running";
    throw CallError("'" + name + "' is " + word + "; stop the VM first or pass force to delete it.", EBUSY);
  }
  if (zvols) {
    for (const auto& d : state_.catalog.devices_of(id)) {
      const std::string* path = d.path();
      if (!d.get<DiskAttributes>() || !path || path->rfind("/dev/zvol/", 0) != 0) continue;
      std::string zvol = path->substr(10);
      try {
        destroy_owned_zvol(state_, zvol);
      } catch (const std::exception& e) {
        std::string msg = "Failed to destroy zvol '" + zvol + "': " + e.what();
        if (!force) throw CallError(msg, EFAULT);
        if (state_.log) state_.log->warn("vm.delete {}: {}", id, msg);
      }
    }
  }
  erase_locked(id, name);
}

void VmService::erase_locked(int64_t id, const std::string& name) {
  auto devices = state_.catalog.devices_of(id);
  state_.store->write([&](SQLite::Database& db) { repository::delete_vm(db, id); });
  state_.catalog.erase_vm(id);
  remove_state_files(state_, id, name);
  for (const auto& d : devices) state_.publish_device(EventKind::Removed, d);
  state_.publish_vm(EventKind::Removed, id);
}

bool VmService::clone(int64_t id, const std::optional<std::string>& name) {
  std::lock_guard lock(state_.write_mutex);
  const VmConfig vm = require_vm(id);
  auto devices = state_.catalog.devices_of(id);
  ValidationErrors errors;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (auto* display = devices[i].get<DisplayAttributes>();
        display && (!display->password || display->password->empty()))
      errors.add("vm.devices." + std::to_string(i) + ".attributes.password",
                 "Password must be configured for display device in order to clone the VM.");
    // A RAW image is read and its copy written next to it: both where the path leads now.
    if (auto* raw = devices[i].get<RawAttributes>(); raw && !state_.roots.contains(raw->path))
      errors.add("vm.devices." + std::to_string(i) + ".attributes.path", state_.roots.outside_message());
  }
  errors.throw_if_any();

  const std::string base = vm.name;
  std::string new_name;
  if (name) {
    new_name = *name;
  } else {
    for (int n = 0;; ++n) {
      new_name = base + "_clone" + std::to_string(n);
      if (!state_.catalog.vm_id_by_name(new_name)) break;
    }
  }
  json::object data = to_json(vm);
  data.erase("id");
  data["name"] = new_name;
  data["uuid"] = nullptr;

  // Devices are copied as configuration. NICs get a new MAC, displays new ports, RAW images are
  // copied next to the original (reflink or sparse); DISK block devices are shared as they are.
  // The name and the rest are checked before any image is copied (create_locked checks again).
  {
    ValidationErrors early;
    validate_vm({data, "vm_create", nullptr, state_.catalog, *state_.host}, early);
    early.throw_if_any();
  }
  std::vector<DeviceConfig> copies;
  std::vector<std::string> new_files;
  std::vector<std::pair<std::string, std::string>> new_zvols;  // {clone, snapshot}
  auto roll_back = [&] {
    std::error_code ec;
    for (const auto& f : new_files) std::filesystem::remove(f, ec);
    // A clone pins its snapshot: the clone goes first.
    for (const auto& [clone, snapshot] : new_zvols) {
      for (const auto& z : {clone, snapshot}) {
        try {
          state_.host->destroy_zvol(z);
        } catch (const std::exception& e) {
          if (state_.log) state_.log->error("vm.clone rollback: {} not destroyed: {}", z, e.what());
        }
      }
    }
  };
  std::set<int64_t> claimed;
  try {
    for (std::size_t i = 0; i < devices.size(); ++i) {
      DeviceConfig copy = devices[i];
      if (auto* nic = copy.get<NicAttributes>()) nic->mac = random_mac();
      if (auto* display = copy.get<DisplayAttributes>()) {
        auto [port, web] = port_wizard(state_.catalog, *state_.host, claimed);
        display->port = port, display->web_port = web;
        claimed.insert(port), claimed.insert(web);
      }
      if (auto* raw = copy.get<RawAttributes>(); raw && std::filesystem::exists(raw->path)) {
        const std::string* path = &raw->path;
        // "<stem>_<clone name><ext>", or with _clone<N> when an earlier file is in the way (as
        // TrueNAS names cloned zvols); a file is never overwritten.
        auto target = clone_image_path(*path, new_name);
        for (int n = 0; std::filesystem::exists(target); ++n)
          target = clone_image_path(*path, new_name + "_clone" + std::to_string(n));
        if (!state_.roots.contains(target))
          throw ValidationErrors("vm.devices." + std::to_string(i) + ".attributes.path",
                                 state_.roots.outside_message());
        try {
          auto how = copy_disk_image(StorageRoots::resolve(*path).string(), target);
          if (state_.log)
            state_.log->info("vm.clone: copied {} to {} ({})", *path, target,
                             how == CopyMethod::Reflink ? "reflink" : "sparse copy");
        } catch (const std::system_error& e) {
          throw CallError("Failed to copy RAW image " + *path + ": " + e.what(), EFAULT);
        }
        new_files.push_back(target);
        raw->path = target;
      }
      // A zvol-backed DISK gets its own ZFS clone where ZFS exists, as in TrueNAS.
      if (auto* disk = copy.get<DiskAttributes>();
          disk && disk->path && disk->path->rfind("/dev/zvol/", 0) == 0 && state_.host->zfs_available()) {
        const std::string* path = &*disk->path;
        try {
          auto made = state_.host->clone_zvol(path->substr(10), new_name);
          new_zvols.push_back(made);
          disk->path = "/dev/zvol/" + made.first;
        } catch (const std::exception& e) {
          throw CallError("Failed to clone zvol " + path->substr(10) + ": " + e.what(), EFAULT);
        }
      }
      copy.id = 0;
      copies.push_back(std::move(copy));
    }
    const int64_t new_id = create_locked(std::move(data), std::move(copies));
    // The UEFI variables come along (the clone boots as the original does).
    try {
      copy_state_files(state_file_moves(state_, id, base, new_id, new_name, "clone"));
    } catch (...) {
      erase_locked(new_id, new_name);
      throw;
    }
  } catch (...) {
    roll_back();
    throw;
  }
  return true;
}

std::string VmService::get_console(int64_t id) const {
  auto vm = state_.catalog.vm(id);
  if (!vm) throw MatchNotFound();
  return vm->label();
}

}  // namespace mw::vm
