// The legacy /websocket messages (DDP-style connect, method, sub, unsub, ping) as a client may
// send them before it logs in: legacy::parse on any frame, then every answer the dispatcher builds
// from what it returns. Nothing may throw or crash, and every answer is JSON; a malformed frame's
// reason must fit a close frame.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include <middlewared/errors.hpp>

#include "fuzz_json.hpp"
#include "rpc/legacy_protocol.hpp"
#include "server/close_reason.hpp"

namespace legacy = mw::rpc::legacy;

namespace {

using mw::fuzz::must_be_json;

struct Answer {
  void operator()(const legacy::Connect&) const { must_be_json(legacy::encode_connected("session")); }
  void operator()(const legacy::Call& call) const {
    must_be_json(legacy::encode_plain_error(call.id, EINVAL, "`params` must be a list."));
    must_be_json(legacy::protocol().unknown_method(call.id, call.method));
    must_be_json(legacy::protocol().result(call.id, call.params));
    must_be_json(legacy::protocol().refused(call.id, mw::ENOTAUTHENTICATED, "Not authenticated"));
  }
  void operator()(const legacy::Subscribe& sub) const {
    legacy::id_text(sub.id);
    must_be_json(legacy::encode_ready(sub.id));
    must_be_json(legacy::encode_plain_error(sub.id, EACCES, "Not authorized"));
  }
  void operator()(const legacy::Unsubscribe& unsub) const { legacy::id_text(unsub.id); }
  void operator()(const legacy::Ping& ping) const { must_be_json(legacy::encode_pong(ping.id)); }
  void operator()(const legacy::Other&) const {}
  void operator()(const legacy::Malformed& bad) const {
    auto reason = mw::server::close_reason(1007, bad.reason);
    if (reason.reason.size() > mw::server::kMaxCloseReason) __builtin_trap();
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view frame(reinterpret_cast<const char*>(data), size);
  std::visit(Answer{}, legacy::parse(frame));
  return 0;
}
