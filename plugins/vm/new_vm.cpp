#include "new_vm.hpp"

#include "repository.hpp"
#include "vm_validation.hpp"

namespace mw::vm {

void NewVm::apply(SQLite::Database& db) {
  ValidationErrors errors;
  validate_vm(
      {data_, "vm_create", nullptr, state_.catalog, *state_.host, may_set_qemu_args_, &state_.uncommitted_names},
      errors);
  errors.throw_if_any();
  vm_ = vm_from_json(data_);
  if (!vm_.uuid) vm_.uuid = new_uuid4();
  vm_.id = repository::insert_vm(db, vm_);
  for (auto& d : devices_) {
    d.vm = vm_.id;
    d.id = repository::insert_device(db, d);
  }
  // Later creates of the same transaction see the name, as they would once it is in the catalog.
  state_.uncommitted_names.insert(vm_.name);
  name_taken_ = true;
}

void NewVm::finish(bool committed) noexcept {
  try {
    if (name_taken_) state_.uncommitted_names.erase(vm_.name);
    name_taken_ = false;
    if (committed) state_.finished_creates.push_back(this);
  } catch (...) {
    finish_error_ = std::current_exception();
  }
}

void NewVm::transaction_finished() noexcept {
  auto& creates = state_.finished_creates;
  if (creates.empty()) return;
  // One new snapshot for every create of the transaction: building one per create copied the
  // catalog's index blocks once each.
  try {
    state_.catalog.commit([&](VmCatalog::Batch& b) {
      for (const NewVm* c : creates) {
        b.put_vm(c->vm_);
        for (const auto& d : c->devices_) b.put_device(d);
      }
    });
    const auto snapshot = state_.catalog.snapshot();
    for (NewVm* c : creates) c->snapshot_ = snapshot;
  } catch (...) {
    for (NewVm* c : creates) c->finish_error_ = std::current_exception();
    creates.clear();
    return;
  }
  for (NewVm* c : creates) {
    try {
      state_.publish_vm(EventKind::Added, c->vm_.id);
      for (const auto& d : c->devices_) state_.publish_device(EventKind::Added, d);
    } catch (...) {
      c->finish_error_ = std::current_exception();
    }
  }
  creates.clear();
}

void NewVm::run_alone() {
  try {
    state_.store->write([&](SQLite::Database& db) { apply(db); });
  } catch (...) {
    finish(false);
    throw;
  }
  finish(true);
  transaction_finished();
  check_finished();
}

void NewVm::check_finished() const {
  if (finish_error_) std::rethrow_exception(finish_error_);
}

}  // namespace mw::vm
