#include "runtime_status.hpp"

#include <boost/json/serialize.hpp>

namespace mw::vm {

void VmRuntimeStatus::append_status(std::string& out, int64_t vm_id) const { out += json::serialize(status(vm_id)); }

json::value VmRuntimeStatus::status_value(int64_t vm_id, json::storage_ptr storage) const {
  return json::value(status(vm_id), std::move(storage));
}

json::object NeverStartedRuntime::status(int64_t) const {
  return json::object{{"state", "STOPPED"}, {"pid", nullptr}, {"domain_state", nullptr}};
}

}  // namespace mw::vm
