#include "ports.hpp"

#include <stdexcept>

#include "catalog.hpp"
#include "host_info.hpp"

namespace mw::vm {

std::pair<int64_t, int64_t> port_wizard(const VmCatalog& catalog, HostInfo& host, const std::set<int64_t>& exclude) {
  std::set<int64_t> taken = catalog.display_ports();
  taken.insert(exclude.begin(), exclude.end());
  int64_t found[2];
  int n = 0;
  for (int64_t p = kFirstDisplayPort; p < kLastDisplayPort && n < 2; ++p) {
    if (taken.contains(p) || host.port_user(static_cast<int>(p))) continue;
    found[n++] = p;
  }
  if (n < 2) throw std::runtime_error("no free display ports left");
  return {found[0], found[1]};
}

}  // namespace mw::vm
