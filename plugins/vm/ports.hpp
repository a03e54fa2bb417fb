#pragma once
// Display ports: the port wizard (two lowest free ports from 5900) and who uses a port.
#include <cstdint>
#include <set>
#include <utility>

namespace mw::vm {

class HostInfo;
class VmCatalog;

inline constexpr int64_t kFirstDisplayPort = 5900;
inline constexpr int64_t kLastDisplayPort = 65535;

// The two lowest ports >= 5900 (and < 65535) that no display device uses, no host socket
// listens on, and that are not in `exclude`.
std::pair<int64_t, int64_t> port_wizard(const VmCatalog& catalog, HostInfo& host,
                                        const std::set<int64_t>& exclude = {});

}  // namespace mw::vm
