#pragma once
// One VM's create as a write that may share its transaction with other creates
// (Datastore::write_shared): validated and inserted inside the transaction, after the writes
// before it (whose names it sees), then put into the catalog, with every create of the
// transaction at once, and published once it committed.
#include <cstdint>
#include <exception>
#include <memory>
#include <vector>

#include <middlewared/datastore.hpp>
#include <middlewared/json.hpp>

#include "catalog.hpp"
#include "vm_state.hpp"

namespace mw::vm {

class NewVm final : public SharedWrite {
 public:
  // `data`: the create's fields, defaults filled in. `devices`: stored with it (a clone's).
  NewVm(VmState& state, json::object data, std::vector<DeviceConfig> devices, bool may_set_qemu_args)
      : state_(state), data_(std::move(data)), devices_(std::move(devices)), may_set_qemu_args_(may_set_qemu_args) {}

  // Validates (ValidationErrors) and inserts the VM and its devices.
  void apply(SQLite::Database& db) override;
  // Committed: queued for the catalog (VmState::finished_creates).
  void finish(bool committed) noexcept override;
  // The transaction's committed creates into the catalog at once, then their events.
  void transaction_finished() noexcept override;

  // In a transaction of its own, under the plugin's write lock, which the caller holds.
  void run_alone();
  // After the write returned: throws what finish() could not do (the VM is stored, but not in
  // the catalog or not published), as a create made outside a shared transaction would.
  void check_finished() const;

  std::int64_t id() const { return vm_.id; }
  // The snapshot the new VM first appeared in: the answer is written from it.
  const CatalogSnapshot& snapshot() const { return *snapshot_; }

 private:
  VmState& state_;
  json::object data_;
  std::vector<DeviceConfig> devices_;
  bool may_set_qemu_args_;
  VmConfig vm_;
  bool name_taken_ = false;  // its name is in state_.uncommitted_names
  std::shared_ptr<const CatalogSnapshot> snapshot_;
  std::exception_ptr finish_error_;
};

}  // namespace mw::vm
