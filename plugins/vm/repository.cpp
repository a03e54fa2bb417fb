#include "repository.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

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

// A NULL where the model has no null keeps the default.
void read_value(const SQLite::Column& c, std::string& out) {
  if (!c.isNull()) out = c.getString();
}
void read_value(const SQLite::Column& c, std::int64_t& out) {
  if (!c.isNull()) out = c.getInt64();
}
void read_value(const SQLite::Column& c, bool& out) {
  if (!c.isNull()) out = c.getInt() != 0;
}
template <class T>
void read_value(const SQLite::Column& c, std::optional<T>& out) {
  if (c.isNull()) return out.reset();
  T v{};
  read_value(c, v);
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

}  // namespace

void load(SQLite::Database& db, std::vector<VmConfig>& vms, std::vector<DeviceConfig>& devices) {
  SQLite::Statement q(db, "SELECT id, " + column_list() + " FROM vm_vm ORDER BY id");
  while (q.executeStep()) {
    VmConfig vm;
    vm.id = q.getColumn(0).getInt64();
    int i = 1;
    VmConfig::fields([&](const char*, auto member) { read_value(q.getColumn(i++), vm.*member); });
    vms.push_back(std::move(vm));
  }
  SQLite::Statement d(db, "SELECT id, vm_id, attributes, \"order\" FROM vm_device ORDER BY id");
  while (d.executeStep()) {
    DeviceConfig r;
    r.id = d.getColumn(0).getInt64();
    r.vm = d.getColumn(1).getInt64();
    auto attrs = boost::json::parse(d.getColumn(2).getString());
    auto parsed = attrs.is_object() ? attributes_from_json(attrs.as_object()) : std::nullopt;
    if (!parsed) throw std::runtime_error("vm_device " + std::to_string(r.id) + ": attributes name no known dtype");
    r.attributes = std::move(*parsed);
    r.order = d.getColumn(3).isNull() ? 0 : d.getColumn(3).getInt64();
    devices.push_back(std::move(r));
  }
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
