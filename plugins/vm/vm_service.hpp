#pragma once
// vm.* configuration operations: query, get_instance, create, update, delete,
// clone, get_console. Results are unredacted; the method table redacts per caller.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <middlewared/json.hpp>
#include <middlewared/method.hpp>
#include <middlewared/result_text.hpp>

#include "vm_state.hpp"

namespace mw::vm {

class NewVm;

class VmService {
 public:
  explicit VmService(VmState& state) : state_(state) {}

  json::value query(const json::array& filters, const json::object& options, bool redact) const;
  json::value get_instance(int64_t id, const json::object& options, bool redact) const;
  // The same answers as JSON text, appended to `out`: the kept rows' ready bytes with the live
  // status spliced in (or their `select` projections). The query engine reads only the fields
  // filters and options name.
  void query_text(ResultText& out, const json::array& filters, const json::object& options, bool redact) const;
  void get_instance_text(ResultText& out, int64_t id, const json::object& options, bool redact) const;
  // `may_set_qemu_args`: the caller is a full administrator (vm_validation.hpp). Returns once the
  // VM is on disk (in-process calls and jobs); the answer is the new row's ready bytes (redacted
  // when `redact`), parsed, as create_later() sends them.
  json::value create(json::object input, bool may_set_qemu_args, bool redact);
  // The same create, answered through `answer_later` (CallContext::answer_later) once the VM is
  // on disk, by whoever ran its fsync: the calling thread waits for no other create's transaction.
  // Invalid input that needs no transaction to judge throws before the answer is taken.
  void create_later(AnswerLater& answer_later, json::object input, bool may_set_qemu_args, bool redact);
  json::object update(int64_t id, const json::object& input, bool may_set_qemu_args = true);
  void remove(int64_t id, const json::object& options);
  bool clone(int64_t id, const std::optional<std::string>& name);
  std::string get_console(int64_t id) const;

 private:
  VmConfig require_vm(int64_t id) const;  // ValidationErrors ENOENT "VM <id> does not exist"
  // A create's fields: its uuid checked (what needs no transaction to judge), defaults filled in.
  json::object create_data(json::object input) const;
  // The answer to a create that ran: the new row's ready bytes, or what finishing it threw.
  void append_created(ResultText& out, const NewVm& create, bool redact) const;
  // Validates, stores (one transaction, with `devices` for clone) and publishes; returns the id.
  int64_t create_locked(json::object data, std::vector<DeviceConfig> devices, bool may_set_qemu_args = true);
  // Deletes the VM's rows, its named state files, and publishes the removals.
  void erase_locked(int64_t id, const std::string& name);

  VmState& state_;
};

}  // namespace mw::vm
