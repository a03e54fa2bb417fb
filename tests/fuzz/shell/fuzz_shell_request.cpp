// The first message of a /websocket/shell (or /_shell) connection, which anyone may send before a
// token is checked: parse_shell_request either parses or throws std::invalid_argument (the only
// exception ShellSession expects), and the answers and close reason built from it are sound.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "console/console_protocol.hpp"
#include "fuzz_json.hpp"
#include "server/close_reason.hpp"

namespace console = mw::vm::console;
using mw::fuzz::must_be_json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string message(reinterpret_cast<const char*>(data), size);
  std::string reason;
  try {
    auto request = console::parse_shell_request(message);
    if (request.token.empty()) __builtin_trap();
    reason = request.vm_id ? "VM " + std::to_string(*request.vm_id) + " does not exist" : "Invalid token";
    must_be_json(console::shell_connected(request.token));
  } catch (const std::invalid_argument& e) {
    reason = e.what();
  }
  must_be_json(console::shell_failed(EINVAL, reason));
  auto close = mw::server::close_reason(1000, reason);
  if (close.reason.size() > mw::server::kMaxCloseReason) __builtin_trap();
  return 0;
}
