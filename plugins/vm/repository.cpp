#include "repository.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "vm_fields.hpp"

namespace mw::vm::repository {
namespace {

std::string column_list() {
  std::string cols;
  for (const auto& f : vm_fields()) cols += (cols.empty() ? "" : ", ") + ("\"" + f.name + "\"");
  return cols;
}

void bind_field(SQLite::Statement& st, int index, const VmField& f, const json::value& v) {
  if (v.is_null()) return st.bind(index);
  switch (f.kind) {
    case VmField::Kind::Text:
    case VmField::Kind::NullableText:
      return st.bind(index, std::string(v.as_string()));
    case VmField::Kind::Int:
    case VmField::Kind::NullableInt:
      return st.bind(index, static_cast<int64_t>(v.as_int64()));
    case VmField::Kind::Bool:
      return st.bind(index, v.as_bool() ? 1 : 0);
  }
}

json::value read_field(const SQLite::Column& c, const VmField& f) {
  if (c.isNull()) return nullptr;
  switch (f.kind) {
    case VmField::Kind::Text:
    case VmField::Kind::NullableText:
      return json::string(c.getString());
    case VmField::Kind::Int:
    case VmField::Kind::NullableInt:
      return c.getInt64();
    case VmField::Kind::Bool:
      return c.getInt() != 0;
  }
  return nullptr;
}

void bind_all(SQLite::Statement& st, const json::object& fields) {
  int i = 1;
  for (const auto& f : vm_fields()) {
    auto it = fields.find(f.name);
    bind_field(st, i++, f, it == fields.end() ? json::value(nullptr) : it->value());
  }
}

}  // namespace

void load(SQLite::Database& db, std::vector<json::object>& vms, std::vector<DeviceRecord>& devices) {
  SQLite::Statement q(db, "SELECT id, " + column_list() + " FROM vm_vm ORDER BY id");
  while (q.executeStep()) {
    json::object vm;
    vm["id"] = q.getColumn(0).getInt64();
    int i = 1;
    for (const auto& f : vm_fields()) vm[f.name] = read_field(q.getColumn(i++), f);
    vms.push_back(std::move(vm));
  }
  SQLite::Statement d(db, "SELECT id, vm_id, attributes, \"order\" FROM vm_device ORDER BY id");
  while (d.executeStep()) {
    DeviceRecord r;
    r.id = d.getColumn(0).getInt64();
    r.vm = d.getColumn(1).getInt64();
    auto attrs = boost::json::parse(d.getColumn(2).getString());
    if (!attrs.is_object()) throw std::runtime_error("vm_device " + std::to_string(r.id) + ": attributes are not an object");
    r.attributes = std::move(attrs.as_object());
    r.order = d.getColumn(3).isNull() ? 0 : d.getColumn(3).getInt64();
    devices.push_back(std::move(r));
  }
}

int64_t insert_vm(SQLite::Database& db, const json::object& fields) {
  std::string placeholders;
  for (std::size_t i = 0; i < vm_fields().size(); ++i) placeholders += i ? ", ?" : "?";
  SQLite::Statement st(db, "INSERT INTO vm_vm (" + column_list() + ") VALUES (" + placeholders + ")");
  bind_all(st, fields);
  st.exec();
  return db.getLastInsertRowid();
}

void update_vm(SQLite::Database& db, int64_t id, const json::object& fields) {
  std::string sets;
  for (const auto& f : vm_fields()) sets += (sets.empty() ? "\"" : ", \"") + f.name + "\" = ?";
  SQLite::Statement st(db, "UPDATE vm_vm SET " + sets + " WHERE id = ?");
  bind_all(st, fields);
  st.bind(static_cast<int>(vm_fields().size()) + 1, static_cast<int64_t>(id));
  if (st.exec() != 1) throw std::runtime_error("vm_vm " + std::to_string(id) + " vanished");
}

void delete_vm(SQLite::Database& db, int64_t id) {
  SQLite::Statement st(db, "DELETE FROM vm_vm WHERE id = ?");
  st.bind(1, static_cast<int64_t>(id));
  st.exec();
}

int64_t insert_device(SQLite::Database& db, int64_t vm, int64_t order, const json::object& attributes) {
  SQLite::Statement st(db, "INSERT INTO vm_device (vm_id, attributes, \"order\") VALUES (?, ?, ?)");
  st.bind(1, static_cast<int64_t>(vm));
  st.bind(2, json::serialize(attributes));
  st.bind(3, static_cast<int64_t>(order));
  st.exec();
  return db.getLastInsertRowid();
}

void update_device(SQLite::Database& db, const DeviceRecord& device) {
  SQLite::Statement st(db, "UPDATE vm_device SET vm_id = ?, attributes = ?, \"order\" = ? WHERE id = ?");
  st.bind(1, static_cast<int64_t>(device.vm));
  st.bind(2, json::serialize(device.attributes));
  st.bind(3, static_cast<int64_t>(device.order));
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
