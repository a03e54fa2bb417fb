#pragma once
// Faults of the WAL's fsync, for the store_fault_tests executable: it defines fdatasync() itself
// (wal_sync_faults.cpp), so the store, linked in statically, calls that one. For a file whose
// name ends in "-wal" it fails with EIO while `fail_wal_syncs` is set, and takes `slow_wal_syncs`
// longer than the system call; every other fsync is the system call alone.
#include <atomic>
#include <chrono>

namespace mw::test {

extern std::atomic<bool> fail_wal_syncs;
extern std::atomic<std::chrono::milliseconds> slow_wal_syncs;

}  // namespace mw::test
