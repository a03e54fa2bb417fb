#include "zvol_cleanup.hpp"

#include <stdexcept>

#include "repository.hpp"

namespace mw::vm {

void destroy_owned_zvol(VmState& state, const std::string& name) {
  bool owned = false;
  state.store->read([&](SQLite::Database& db) { owned = repository::owns_zvol(db, name); });
  if (!owned)
    throw std::runtime_error(
        "it was not created by this server, which destroys only zvols it created (use zfs destroy "
        "if it is no longer needed)");
  if (!state.host->zfs_available()) throw std::runtime_error("ZFS is not available on this system");
  state.host->destroy_zvol(name);
  state.store->write([&](SQLite::Database& db) { repository::forget_zvol(db, name); });
}

}  // namespace mw::vm
