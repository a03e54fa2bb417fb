#pragma once
// SQL for the vm_vm and vm_device tables. The write functions run inside a Datastore::write
// transaction the caller opened, so one API call is one transaction whatever it touches (the
// inserts, run on every create, use the connection's cached statements: cached_statement).
#include <cstdint>
#include <string>
#include <vector>

#include <middlewared/datastore.hpp>
#include <middlewared/json.hpp>

#include "catalog.hpp"

namespace SQLite {
class Database;
}

namespace mw::vm::repository {

// Every VM and device row for the start-up load, in id order part after part: called before
// anything can write (with 2 048 VMs or more, two threads read each half of both tables' ids, in
// two transactions, into two parts).
std::vector<StoredRows> load(Datastore& store);

int64_t insert_vm(SQLite::Database& db, const VmConfig& vm);
void update_vm(SQLite::Database& db, const VmConfig& vm);
void delete_vm(SQLite::Database& db, int64_t id);  // devices go with it (ON DELETE CASCADE)

int64_t insert_device(SQLite::Database& db, const DeviceConfig& device);
void update_device(SQLite::Database& db, const DeviceConfig& device);
void delete_device(SQLite::Database& db, int64_t id);

// zvols this server created (create_zvol): the only ones it may destroy.
bool owns_zvol(SQLite::Database& db, const std::string& name);
void forget_zvol(SQLite::Database& db, const std::string& name);

}  // namespace mw::vm::repository
