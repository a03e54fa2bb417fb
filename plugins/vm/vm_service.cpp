#include "vm_service.hpp"
#include "vm_state_files.hpp"

#include <SQLiteCpp/Database.h>
#include <spdlog/spdlog.h>
#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <forward_list>
#include <functional>
#include <limits>
#include <unordered_map>

#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>

#include "device/device_kind.hpp"
#include "disk_copy.hpp"
#include "model/record_json.hpp"
#include "new_vm.hpp"
#include "ports.hpp"
#include "random_ids.hpp"
#include "repository.hpp"
#include "vm_validation.hpp"
#include "zvol_cleanup.hpp"

namespace mw::vm {

namespace {

// The options that ask for something: the params schema fills every one in, mostly with a value
// that asks nothing (false, 0, [], {}).
json::object effective_options(const json::object& options) {
  json::object out;
  for (const auto& kv : options) {
    const json::value& v = kv.value();
    const bool nothing = v.is_null() || (v.is_bool() && !v.get_bool()) || (v.is_int64() && v.get_int64() == 0) ||
                         (v.is_array() && v.get_array().empty()) || (v.is_object() && v.get_object().empty());
    if (!nothing) out[kv.key()] = v;
  }
  return out;
}

// `[["id", "=", N]]` or `[["name", "=", "x"]]`: the one row an index finds (nullptr when none),
// or nullopt for any other filter.
std::optional<const VmRow*> indexed_lookup(const CatalogSnapshot& snapshot, const json::array& filters) {
  if (filters.size() != 1 || !filters[0].is_array()) return std::nullopt;
  const auto& f = filters[0].get_array();
  if (f.size() != 3 || !f[0].is_string() || f[1] != "=") return std::nullopt;
  if (f[0] == "id" && f[2].is_int64()) return snapshot.vm_row(f[2].get_int64());
  if (f[0] == "name" && f[2].is_string()) {
    auto id = snapshot.vm_id_by_name(f[2].get_string());
    return id ? snapshot.vm_row(*id) : nullptr;
  }
  return std::nullopt;
}

// `input` with every absent stored field set to its create default (VmConfig's initialisers).
json::object with_create_defaults(json::object input) {
  static const json::object defaults = to_json(VmConfig{});  // constant: built once, not per create
  json::object out = std::move(input);
  for (const auto& kv : defaults)
    if (kv.key() != "id" && !out.contains(kv.key())) out[kv.key()] = kv.value();
  return out;
}

// The value of one stored field of a VM's entry, from its typed row.
using StoredGetter = std::function<json::value(const VmConfig&)>;

// A VM's entry as the query engine sees it, with each top-level value made from the typed row
// when the engine first asks for it: a filter, order_by or select on stored fields reads those
// fields only, and one on `status` reads the live status only. `devices` is the one value that is
// built whole (each device parsed from its ready bytes), for the rows a filter on it tests and the
// rows a select of it keeps.
class EntryFields final : public query::RowFields {
 public:
  // `storage`: the query's arena, for the status made per VM.
  EntryFields(const VmRow& row, const VmRuntimeStatus& runtime, bool redact, json::storage_ptr storage)
      : row_(&row), runtime_(&runtime), redact_(redact), storage_(std::move(storage)) {}

  const VmRow& row() const { return *row_; }
  // The status the engine read (a filter or an order on it), or nullptr when it never looked: the
  // answer then gives the one read, so that filter and answer agree, or else reads it live.
  const json::value* status_read() const {
    for (std::size_t i = 0; i < kept_; ++i)
      if (first_[i]->first == "status") return &first_[i]->second;
    for (const auto& [k, v] : made_)
      if (k == "status") return &v;
    return nullptr;
  }

  const json::value* field(std::string_view key) const override {
    for (std::size_t i = 0; i < kept_; ++i)
      if (first_[i]->first == key) return &first_[i]->second;
    for (const auto& [k, v] : made_)
      if (k == key) return &v;
    if (auto* getter = stored_getter(key)) return keep(getter->first, getter->second(row_->config));
    if (key == "status") return keep("status", runtime_->status_value(row_->config.id, storage_));
    if (key == "display_available") return keep("display_available", row_->display_available);
    if (key == "devices") {
      json::array devices;
      devices.reserve(row_->devices.size());
      for (const auto& d : row_->devices) devices.push_back(json::parse(d->text(redact_)));
      return keep("devices", std::move(devices));
    }
    return nullptr;
  }

 private:
  // "id" and the stored fields, by name; the key views point at VmConfig::fields' literals.
  static const std::pair<const std::string_view, StoredGetter>* stored_getter(std::string_view key) {
    static const auto table = [] {
      std::unordered_map<std::string_view, StoredGetter> t;
      t.emplace("id", [](const VmConfig& vm) { return json::value(vm.id); });
      VmConfig::fields([&](const char* name, auto member) {
        t.emplace(name, [member](const VmConfig& vm) { return model::to_value(vm.*member); });
      });
      return t;
    }();
    auto it = table.find(key);
    return it == table.end() ? nullptr : &*it;
  }

  // Keeps a value made for the engine, which holds pointers to it: they never move. A query names a
  // field or two (a filter, an order): those stay in the entry itself, with no allocation per VM;
  // more go to a list.
  const json::value* keep(std::string_view key, json::value value) const {
    if (kept_ < first_.size()) {
      // Constructed, not assigned: a moved json::value keeps its storage (the arena) only so.
      return &first_[kept_++].emplace(key, std::move(value)).second;
    }
    return &made_.emplace_front(key, std::move(value)).second;
  }

  const VmRow* row_;
  const VmRuntimeStatus* runtime_;
  bool redact_;
  json::storage_ptr storage_;
  mutable std::array<std::optional<std::pair<std::string_view, json::value>>, 2> first_;
  mutable std::size_t kept_ = 0;
  mutable std::forward_list<std::pair<std::string_view, json::value>> made_;
};

// A VM's entry: its ready bytes with the status spliced in (`status` when the query already made
// it, else read live from the runtime).
void append_entry(std::string& out, const VmRow& row, bool redact, const json::value* status,
                  const VmRuntimeStatus& runtime) {
  row.append_text(out, redact);
  out += ",\"status\":";
  if (status)
    out += json::serialize(*status);
  else
    runtime.append_status(out, row.config.id);
  out += '}';
}

// The list a vm.query answers, written whole or part by part as it is sent (ResultParts). It owns
// everything it reads: the snapshot it was selected from and the statuses its filter read.
class QueryAnswer final : public ListParts {
 public:
  QueryAnswer(std::shared_ptr<const CatalogSnapshot> snapshot, std::shared_ptr<const VmRuntimeStatus> runtime,
              bool redact)
      : snapshot_(std::move(snapshot)), runtime_(std::move(runtime)), redact_(redact) {}
  QueryAnswer(const QueryAnswer&) = delete;
  QueryAnswer& operator=(const QueryAnswer&) = delete;

  const CatalogSnapshot& snapshot() const { return *snapshot_; }
  const VmRuntimeStatus& runtime() const { return *runtime_; }
  json::storage_ptr arena() { return &arena_; }
  // Answers these rows, in this order, each with its live status.
  std::vector<const VmRow*>& rows() { return rows_; }
  // Or: answers the rows the engine selected of `entries`. The entries are filled once, before
  // the engine runs, since it points into the values each one keeps.
  std::vector<EntryFields>& entries() { return entries_; }
  query::Selection& selection() { return selection_; }

  std::size_t count() const override { return entries_.empty() ? rows_.size() : selection_.rows.size(); }
  // About the size of the whole text when nothing is projected (`select`), counted until it
  // reaches `enough`: a list that large is streamed, and need not be sized. Stopping there spares a
  // pass over every row of a large catalog, most of which is not in the caches.
  std::size_t estimated_text_size(std::size_t enough) const {
    std::size_t total = 2;
    for (std::size_t i = 0; i < count() && total < enough; ++i) total += row(i).text_size() + 96;  // 96: the status
    return total;
  }
  bool projected() const { return !selection_.projected.empty(); }

  void append(std::string& out, std::size_t i) const override {
    if (projected()) return void(out += json::serialize(selection_.projected[i]));
    read_ahead(i);
    append_entry(out, row(i), redact_, entries_.empty() ? nullptr : entries_[selection_.rows[i]].status_read(),
                 *runtime_);
  }

 private:
  const VmRow& row(std::size_t i) const { return entries_.empty() ? *rows_[i] : entries_[selection_.rows[i]].row(); }

  // Fetches the rows ahead of `i`: the row two ahead gets its last prefetch step, the one eight
  // ahead its first (two rows a step measured best at 10 000 VMs, docs/BENCHMARKS.md).
  void read_ahead(std::size_t i) const {
    constexpr std::size_t kRowsPerStep = 2;
    for (int step = 0; step < VmRow::kPrefetchSteps; ++step)
      if (const std::size_t ahead = i + (VmRow::kPrefetchSteps - step) * kRowsPerStep; ahead < count())
        row(ahead).prefetch(step);
  }

  std::shared_ptr<const CatalogSnapshot> snapshot_;
  std::shared_ptr<const VmRuntimeStatus> runtime_;
  bool redact_;
  // The statuses made for the engine (one per VM for a filter on it); declared before the entries
  // and the selection that point into it, so it outlives them.
  json::monotonic_resource arena_;
  std::vector<const VmRow*> rows_;
  std::vector<EntryFields> entries_;
  query::Selection selection_;
};

}  // namespace

void VmService::query_text(ResultText& answer, const json::array& filters, const json::object& options,
                           bool redact) const {
  const json::object asked = effective_options(options);
  auto list = std::make_unique<QueryAnswer>(state_.catalog.snapshot(), state_.runtime, redact);
  const CatalogSnapshot& snapshot = list->snapshot();
  // Counting every VM needs no row at all.
  if (filters.empty() && asked.size() == 1 && asked.contains("count"))
    return void(answer.out() += std::to_string(snapshot.vm_count()));
  const bool only_get = asked.size() == 1 && asked.contains("get");
  bool get = false;
  if (auto found = asked.empty() || only_get ? indexed_lookup(snapshot, filters) : std::nullopt) {
    if (only_get && !*found) throw MatchNotFound();
    if (*found) list->rows().push_back(*found);
    get = only_get;
  } else if (filters.empty() && asked.empty()) {
    list->rows().reserve(snapshot.vm_count());
    snapshot.for_each_vm([&](const VmRow& row) { list->rows().push_back(&row); });
  } else {
    auto& entries = list->entries();
    entries.reserve(snapshot.vm_count());
    snapshot.for_each_vm([&](const VmRow& row) { entries.emplace_back(row, list->runtime(), redact, list->arena()); });
    std::vector<const query::RowFields*> view;
    view.reserve(entries.size());
    for (const auto& e : entries) view.push_back(&e);
    list->selection() = query::select_rows(view, filters, options);
    if (list->selection().count) return void(answer.out() += std::to_string(*list->selection().count));
    get = list->selection().get;
  }
  if (get) return list->append(answer.out(), 0);
  if (!list->projected()) {
    const std::size_t enough = answer.can_stream() ? ResultText::kStreamFrom : std::numeric_limits<std::size_t>::max();
    const std::size_t size = list->estimated_text_size(enough);
    // A large list is written while it is sent: it never exists whole.
    if (size >= enough) return answer.stream(std::move(list));
    answer.reserve(size);
  }
  list->next(answer.out(), std::numeric_limits<std::size_t>::max());
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
  ResultText text;
  create_text(text, std::move(input), may_set_qemu_args, redact);
  return json::parse(text.text());
}

void VmService::create_text(ResultText& out, json::object input, bool may_set_qemu_args, bool redact) {
  check_uuid(input, "vm_create");
  // Creates arriving together share one transaction and its fsync; each is validated and
  // inserted in it under the plugin's write lock, which the one running the transaction holds.
  NewVm create(state_, with_create_defaults(std::move(input)), {}, may_set_qemu_args);
  state_.store->write_shared(create, &state_.write_mutex);
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
