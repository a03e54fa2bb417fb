#include "repository.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <limits>
#include <stdexcept>
#include <thread>

#include <middlewared/result_text.hpp>

#include "load_threads.hpp"
#include "stored_attributes.hpp"

namespace mw::vm::repository {
namespace {

// The vm_vm columns are VmConfig's stored fields, in its order.
std::vector<std::string> columns() {
  std::vector<std::string> out;
  VmConfig::fields([&](const char* name, auto) { out.push_back(std::string("\"") + name + "\""); });
  return out;
}

std::string column_list() {
  std::string cols;
  for (const auto& c : columns()) cols += (cols.empty() ? "" : ", ") + c;
  return cols;
}

// The statements' text depends only on VmConfig's fields: built once, not per call.
const std::string& insert_vm_sql() {
  static const std::string sql = [] {
    std::string placeholders;
    for (std::size_t i = 0; i < columns().size(); ++i) placeholders += i ? ", ?" : "?";
    return "INSERT INTO vm_vm (" + column_list() + ") VALUES (" + placeholders + ")";
  }();
  return sql;
}

void bind_value(SQLite::Statement& st, int index, const std::string& v) { st.bind(index, v); }
void bind_value(SQLite::Statement& st, int index, std::int64_t v) { st.bind(index, static_cast<int64_t>(v)); }
void bind_value(SQLite::Statement& st, int index, bool v) { st.bind(index, v ? 1 : 0); }
template <class T>
void bind_value(SQLite::Statement& st, int index, const std::optional<T>& v) {
  if (v)
    bind_value(st, index, *v);
  else
    st.bind(index);
}

// Ids in [from, to): the rows of a table, or the half one thread reads.
struct IdRange {
  std::int64_t from = std::numeric_limits<std::int64_t>::min();
  std::int64_t to = std::numeric_limits<std::int64_t>::max();
};

// Start-up reads every row, so columns are read straight off the prepared statement by index
// (SQLiteCpp's Column wrapper copies a shared handle per column, and its Statement does not lend
// out the raw one).
struct RowReader {
  RowReader(SQLite::Database& db, const std::string& sql) : db(db.getHandle()) {
    if (int rc = sqlite3_prepare_v2(this->db, sql.c_str(), -1, &statement, nullptr); rc != SQLITE_OK)
      throw SQLite::Exception(this->db, rc);
  }
  // `select`'s rows with ids in `ids`, in id order.
  RowReader(SQLite::Database& db, const std::string& select, IdRange ids)
      : RowReader(db, select + " WHERE id >= ?1 AND id < ?2 ORDER BY id") {
    bind(1, ids.from);
    bind(2, ids.to);
  }
  ~RowReader() { sqlite3_finalize(statement); }
  RowReader(const RowReader&) = delete;
  RowReader& operator=(const RowReader&) = delete;
  void bind(int index, std::int64_t value) {
    if (int rc = sqlite3_bind_int64(statement, index, value); rc != SQLITE_OK) throw SQLite::Exception(db, rc);
  }
  bool step() {
    const int rc = sqlite3_step(statement);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw SQLite::Exception(db, rc);
    return rc == SQLITE_ROW;
  }
  sqlite3* db;
  sqlite3_stmt* statement = nullptr;
};

// A NULL where the model has no null keeps the default.
void read_value(sqlite3_stmt* st, int i, std::string& out) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL) return;
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
  out.assign(text, static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
}
void read_value(sqlite3_stmt* st, int i, std::int64_t& out) {
  if (sqlite3_column_type(st, i) != SQLITE_NULL) out = sqlite3_column_int64(st, i);
}
void read_value(sqlite3_stmt* st, int i, bool& out) {
  if (sqlite3_column_type(st, i) != SQLITE_NULL) out = sqlite3_column_int64(st, i) != 0;
}
template <class T>
void read_value(sqlite3_stmt* st, int i, std::optional<T>& out) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL) return out.reset();
  T v{};
  read_value(st, i, v);
  out = std::move(v);
}

void bind_all(SQLite::Statement& st, const VmConfig& vm) {
  int i = 1;
  VmConfig::fields([&](const char*, auto member) { bind_value(st, i++, vm.*member); });
}

void bind_device(SQLite::Statement& st, const DeviceConfig& device) {
  st.bind(1, static_cast<int64_t>(device.vm));
  st.bind(2, json::serialize(to_json(device.attributes)));
  st.bind(3, static_cast<int64_t>(device.order));
}

// About how many rows the table holds, from its lowest and highest id (at most that many; more
// than a million only after ids were skipped, so capped there: it sizes reservations, vectors
// grow past it), and the middle of its ids, where its rows are split in two. Each subquery reads
// one path down the table's b-tree; count(*) reads every page of it (3 ms at 10 000 VMs and
// 30 000 devices).
struct TableSize {
  std::size_t rows = 0;
  std::int64_t middle = 0;
};

TableSize table_size(SQLite::Database& db, const std::string& table) {
  RowReader n(db, "SELECT (SELECT min(id) FROM " + table + "), (SELECT max(id) FROM " + table + ")");
  if (!n.step() || sqlite3_column_type(n.statement, 0) == SQLITE_NULL) return {};
  const std::int64_t low = sqlite3_column_int64(n.statement, 0);
  const std::int64_t high = sqlite3_column_int64(n.statement, 1);
  constexpr std::uint64_t kMostRows = 1 << 20;
  const auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low) + 1;
  return {static_cast<std::size_t>(std::min(span, kMostRows)), low + static_cast<std::int64_t>(span / 2)};
}

// A part's lists are reserved at least as large as malloc's mmap threshold (tune_allocator,
// middlewared/src/app/main.cpp), so each vector is an mmap of its own, given back whole once the
// catalog is built. Taken from a heap instead, it would lie below the rows built after it, and the
// hole it leaves would stay resident.
template <class T>
void reserve_apart(std::vector<T>& rows, std::size_t count) {
  rows.reserve(std::max(count, ResultText::kLargeAnswer / sizeof(T) + 1));
}

void load_vms(SQLite::Database& db, IdRange ids, StoredRows& part) {
  RowReader q(db, "SELECT id, " + column_list() + " FROM vm_vm", ids);
  sqlite3_stmt* vm_row = q.statement;
  while (q.step()) {
    VmConfig vm;  // a new one per row: a NULL column keeps the default
    vm.id = sqlite3_column_int64(vm_row, 0);
    int i = 1;
    VmConfig::fields([&](const char*, auto member) { read_value(vm_row, i++, vm.*member); });
    part.add_vm(std::move(vm));
  }
}

void load_devices(SQLite::Database& db, IdRange ids, StoredRows& part) {
  RowReader d(db, "SELECT id, vm_id, attributes, \"order\" FROM vm_device", ids);
  sqlite3_stmt* device_row = d.statement;
  StoredAttributesReader attributes;
  while (d.step()) {
    DeviceConfig r;
    r.id = sqlite3_column_int64(device_row, 0);
    r.vm = sqlite3_column_int64(device_row, 1);
    r.attributes =
        attributes.read(r.id, std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(device_row, 2)),
                                               static_cast<std::size_t>(sqlite3_column_bytes(device_row, 2))));
    r.order = sqlite3_column_type(device_row, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(device_row, 3);
    part.add_device(std::move(r));
  }
}

}  // namespace

std::vector<StoredRows> load(Datastore& store) {
  TableSize vm_size, device_size;
  store.read([&](SQLite::Database& db) {
    vm_size = table_size(db, "vm_vm");
    device_size = table_size(db, "vm_device");
    // The spread of ids only bounds the count: a few VMs with far-apart ids must not start a
    // second thread. Counting the VMs (a small table, counted on its name index) settles it; the
    // devices' count stays an estimate, for reservations only.
    if (vm_size.rows >= kParallelLoadFrom) {
      RowReader n(db, "SELECT count(*) FROM vm_vm");
      vm_size.rows = n.step() ? static_cast<std::size_t>(sqlite3_column_int64(n.statement, 0)) : 0;
    }
  });
  std::vector<StoredRows> parts(1);
  if (vm_size.rows < kParallelLoadFrom || std::thread::hardware_concurrency() < 2) {
    parts[0].vms.reserve(vm_size.rows);
    parts[0].devices.reserve(device_size.rows);
    store.read([&](SQLite::Database& db) {
      load_vms(db, {}, parts[0]);
      load_devices(db, {}, parts[0]);
    });
    return parts;
  }
  // Two threads each read the lower or the upper half of both tables' ids into a part of their
  // own, building the rows as they go, the helper on a connection of its own: reading the devices
  // takes about twice as long as reading the VMs, so splitting by table would leave one thread
  // idle. Only at start-up, before anything can write, so the two transactions see the same rows.
  parts.resize(2);
  auto read = [&](SQLite::Database& db, IdRange vm_ids, IdRange device_ids, StoredRows& part) {
    reserve_apart(part.vms, vm_size.rows / 2 + 1);
    load_vms(db, vm_ids, part);
    reserve_apart(part.devices, device_size.rows / 2 + 1);
    load_devices(db, device_ids, part);
  };
  // At least what each thread's heap grows by per row read: the row and its strings (about
  // 1.8 KiB for a VM with three NICs), and what reading it takes on the way (SQLite's pages). More
  // costs only a page of each block reserved (load_threads.cpp).
  constexpr std::size_t kHeapPerVm = 2048, kHeapPerDevice = 1024;
  run_beside(
      [&] {
        store.read(
            [&](SQLite::Database& db) { read(db, {.to = vm_size.middle}, {.to = device_size.middle}, parts[0]); });
      },
      [&] { read(*store.open_reader(), {.from = vm_size.middle}, {.from = device_size.middle}, parts[1]); },
      (vm_size.rows * kHeapPerVm + device_size.rows * kHeapPerDevice) / 2);
  return parts;
}

int64_t insert_vm(SQLite::Database& db, const VmConfig& vm) {
  SQLite::Statement& st = cached_statement(db, insert_vm_sql());
  bind_all(st, vm);
  st.exec();
  return db.getLastInsertRowid();
}

void update_vm(SQLite::Database& db, const VmConfig& vm) {
  std::string sets;
  for (const auto& c : columns()) sets += (sets.empty() ? "" : ", ") + c + " = ?";
  SQLite::Statement st(db, "UPDATE vm_vm SET " + sets + " WHERE id = ?");
  bind_all(st, vm);
  st.bind(static_cast<int>(columns().size()) + 1, static_cast<int64_t>(vm.id));
  if (st.exec() != 1) throw std::runtime_error("vm_vm " + std::to_string(vm.id) + " vanished");
}

void delete_vm(SQLite::Database& db, int64_t id) {
  SQLite::Statement st(db, "DELETE FROM vm_vm WHERE id = ?");
  st.bind(1, static_cast<int64_t>(id));
  st.exec();
}

int64_t insert_device(SQLite::Database& db, const DeviceConfig& device) {
  static const std::string sql = "INSERT INTO vm_device (vm_id, attributes, \"order\") VALUES (?, ?, ?)";
  SQLite::Statement& st = cached_statement(db, sql);
  bind_device(st, device);
  st.exec();
  return db.getLastInsertRowid();
}

void update_device(SQLite::Database& db, const DeviceConfig& device) {
  SQLite::Statement st(db, "UPDATE vm_device SET vm_id = ?, attributes = ?, \"order\" = ? WHERE id = ?");
  bind_device(st, device);
  st.bind(4, static_cast<int64_t>(device.id));
  if (st.exec() != 1) throw std::runtime_error("vm_device " + std::to_string(device.id) + " vanished");
}

void delete_device(SQLite::Database& db, int64_t id) {
  SQLite::Statement st(db, "DELETE FROM vm_device WHERE id = ?");
  st.bind(1, static_cast<int64_t>(id));
  st.exec();
}

bool owns_zvol(SQLite::Database& db, const std::string& name) {
  SQLite::Statement st(db, "SELECT 1 FROM vm_owned_zvol WHERE name = ?");
  st.bind(1, name);
  return st.executeStep();
}

void forget_zvol(SQLite::Database& db, const std::string& name) {
  SQLite::Statement st(db, "DELETE FROM vm_owned_zvol WHERE name = ?");
  st.bind(1, name);
  st.exec();
}

}  // namespace mw::vm::repository
