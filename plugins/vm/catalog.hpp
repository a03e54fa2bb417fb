#pragma once
// The in-memory view of every VM and device: immutable snapshots of typed rows. Readers take the
// current snapshot (a shared_ptr copy, no lock held while they read) and never wait for a write
// or for SQLite. A write builds the next snapshot from the committed transaction and swaps it in;
// a reader holding the old one keeps seeing it. Building shares every untouched row and index
// page with the previous snapshot, so a write costs about the same with 10 or 10 000 VMs.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <middlewared/json.hpp>
#include <mw/util/ready_text.hpp>

#include "catalog_indexes.hpp"
#include "model/device_config.hpp"
#include "model/vm_config.hpp"

namespace mw::vm {

// A device as stored; its ready bytes are its wire entry {id, vm, order, attributes}, serialised,
// built the first time an answer needs them (util::ReadyText) and kept for as long as the row.
// Only a DISPLAY device with a password has a second, masked text.
struct DeviceRow {
  // Moved in, not assigned: a default configuration would be built only to be replaced.
  explicit DeviceRow(DeviceConfig c) : config(std::move(c)) {}
  DeviceConfig config;
  std::string_view text(bool redact) const;
  // Ask the CPU early for where the text is kept, and for its bytes once built: two steps of
  // VmRow::prefetch, run a few rows apart.
  void prefetch_text_holder() const;
  void prefetch_text_bytes() const;

 private:
  util::ReadyText json_;      // the entry as stored
  util::ReadyText redacted_;  // the same with the password masked, when it has one
};

// A VM as stored, with its devices by (order, id). Its head is the start of its entry's text,
// {"id":..,<stored fields> without the closing brace, built on first need as a device's text is;
// append_text() adds the devices' own ready bytes and display_available, so an answer appends
// ,"status":{..}} to it. The devices' texts are not copied into the VM's (each is kept once, in
// its DeviceRow).
struct VmRow {
  explicit VmRow(VmConfig c) : config(std::move(c)) {}
  VmConfig config;
  std::vector<std::shared_ptr<const DeviceRow>> devices;
  bool display_available = false;
  std::string_view head() const;
  // {"id":..,<stored fields>,"devices":[..],"display_available":..  (no comma after it).
  void append_text(std::string& out, bool redact) const;
  // How many bytes append_text() adds, to size an answer before writing it.
  std::size_t text_size() const;
  // Asks the CPU early for what append_text() will read, in steps that each read what the step
  // before fetched: the row's own members, then its head's bytes and device list, then its device
  // rows, then their bytes. A caller runs the steps a few rows apart, ahead of the row it writes:
  // over a catalog larger than the caches, writing an answer is otherwise one cache miss after
  // another (docs/BENCHMARKS.md, "Reading ahead of the rows"). Texts not built yet are skipped.
  static constexpr int kPrefetchSteps = 4;
  void prefetch(int step) const;

 private:
  util::ReadyText head_;
};

class CatalogSnapshot {
 public:
  const VmRow* vm_row(std::int64_t id) const;
  const VmConfig* vm(std::int64_t id) const;
  std::optional<std::int64_t> vm_id_by_name(std::string_view name) const;
  std::size_t vm_count() const { return vms_.size(); }
  // Every VM in id order.
  template <class F>
  void for_each_vm(F&& f) const {
    vms_.for_each([&](const VmRow& row) { f(row); });
  }

  const DeviceRow* device_row(std::int64_t id) const;
  const DeviceConfig* device(std::int64_t id) const;
  std::size_t device_count() const { return devices_.size(); }
  // Every device in id order.
  template <class F>
  void for_each_device(F&& f) const {
    devices_.for_each([&](const DeviceRow& row) { f(row); });
  }
  // The DISPLAY device using `port` as port or web_port.
  std::optional<std::int64_t> display_port_owner(std::int64_t port) const;
  std::set<std::int64_t> display_ports() const;

 private:
  friend class VmCatalog;

  detail::IdMap<VmRow> vms_;
  detail::IdMap<DeviceRow> devices_;
  detail::NameIndex names_;
  std::shared_ptr<const std::map<std::int64_t, std::int64_t>> display_ports_ =
      std::make_shared<const std::map<std::int64_t, std::int64_t>>();
};

// Rows as start-up reads them, in any order: each reading thread fills one part, and builds each
// row as it reads it, so that the stored fields are written once, straight into the catalog's
// memory (copying them from a part into the rows made every byte fresh memory twice). Their ready
// bytes are not built here: start-up does not wait for them (VmRow).
// load() then only gives each VM its devices and fills the indexes. What that takes of each row is
// kept beside it, copied while the row was in the caches: grouping and indexing read these lists,
// not the rows (30 MB at 10 000 VMs, far beyond the caches by then).
struct StoredRows {
  struct Vm {
    std::int64_t id;
    std::string name;
    std::shared_ptr<VmRow> row;  // its devices not yet given
  };
  struct Device {
    std::int64_t id, vm, order;
    bool display;
    // Two references, one for the id index and one for its VM's list, both taken while the row
    // is new: given out later they are moved, and the row's count is not touched again.
    std::shared_ptr<const DeviceRow> row, row_for_vm;
  };
  std::vector<Vm> vms;
  std::vector<Device> devices;
  std::vector<std::pair<std::int64_t, std::int64_t>> display_ports;  // (port, device id), as added

  void add_vm(VmConfig config);
  void add_device(DeviceConfig device);
};

class VmCatalog {
 public:
  VmCatalog();

  // The current snapshot; keep it for as long as a consistent view is needed.
  std::shared_ptr<const CatalogSnapshot> snapshot() const { return current_.load(); }

  // The changes of one committed transaction, applied together as one new snapshot.
  class Batch {
   public:
    void put_vm(VmConfig config) { vms_.emplace_back(config.id, std::move(config)); }
    void erase_vm(std::int64_t id) { vms_.emplace_back(id, std::nullopt); }  // and its devices
    void put_device(DeviceConfig device) { devices_.emplace_back(device.id, std::move(device)); }
    void erase_device(std::int64_t id) { devices_.emplace_back(id, std::nullopt); }

   private:
    friend class VmCatalog;
    std::vector<std::pair<std::int64_t, std::optional<VmConfig>>> vms_;
    std::vector<std::pair<std::int64_t, std::optional<DeviceConfig>>> devices_;
  };
  void commit(const std::function<void(Batch&)>& changes);

  // The snapshot one commit of every row would build, built in one pass (start-up). The parts'
  // devices count in order, part after part, as in a commit: a later device wins a display port.
  // Each row is in one part only.
  void load(std::vector<StoredRows> parts);
  void load(std::vector<VmConfig> vms, std::vector<DeviceConfig> devices);

  // One-change conveniences (each its own snapshot).
  void put_vm(VmConfig config);
  void erase_vm(std::int64_t id);
  void put_device(DeviceConfig device);
  void erase_device(std::int64_t id);

  // Copies out of the current snapshot, for code that holds them across other calls.
  std::optional<VmConfig> vm(std::int64_t id) const;
  std::optional<std::int64_t> vm_id_by_name(const std::string& name) const;
  std::vector<VmConfig> all_vms() const;  // by id
  std::size_t vm_count() const;
  std::optional<DeviceConfig> device(std::int64_t id) const;
  std::vector<DeviceConfig> devices_of(std::int64_t vm_id) const;  // by (order, id)
  std::vector<DeviceConfig> all_devices() const;                   // by id
  std::optional<std::int64_t> display_port_owner(std::int64_t port) const;
  std::set<std::int64_t> display_ports() const;

 private:
  std::mutex write_mutex_;  // one writer builds the next snapshot at a time
  std::atomic<std::shared_ptr<const CatalogSnapshot>> current_;
};

// The ready bytes of a row (exposed for tests: they must equal the typed row's serialisation).
std::string device_entry_text(const DeviceConfig& device, bool redact);
void append_device_entry_text(std::string& out, const DeviceConfig& device, bool redact);

}  // namespace mw::vm
