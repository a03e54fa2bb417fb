#include "hypervisor.hpp"

namespace mw::vm::hypervisor {

const char* to_string(DomainState state) {
  switch (state) {
    case DomainState::NOSTATE:
      return "NOSTATE";
    case DomainState::RUNNING:
      return "RUNNING";
    case DomainState::BLOCKED:
      return "BLOCKED";
    case DomainState::PAUSED:
      return "PAUSED";
    case DomainState::SHUTDOWN:
      return "SHUTDOWN";
    case DomainState::SHUTOFF:
      return "SHUTOFF";
    case DomainState::CRASHED:
      return "CRASHED";
    case DomainState::PMSUSPENDED:
      return "PMSUSPENDED";
  }
  return "NOSTATE";
}

}  // namespace mw::vm::hypervisor
