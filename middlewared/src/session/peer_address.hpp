#pragma once
// Facts about a peer's address that the server (connection caps) and the dispatcher (rate limits)
// both judge by.
#include <string>

namespace mw::session {

// 127.0.0.0/8, ::1 and IPv4-mapped 127.x: local processes, which [limits] exempt_loopback spares.
bool is_loopback_address(const std::string& address);

}  // namespace mw::session
