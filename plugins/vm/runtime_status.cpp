#include "runtime_status.hpp"

namespace mw::vm {

json::object NeverStartedRuntime::status(int64_t) const {
  return json::object{{"state", "STOPPED"}, {"pid", nullptr}, {"domain_state", nullptr}};
}

}  // namespace mw::vm
