#pragma once
// The two wire formats a client connection may speak: JSON-RPC 2.0 (/api/current)
// and the legacy DDP-like protocol (/websocket). The dispatcher and the event hub
// decide *what* to answer; a WireProtocol decides how it looks on the wire.
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <middlewared/events.hpp>
#include <middlewared/json.hpp>
#include <middlewared/result_text.hpp>

#include "session/streamed_answer.hpp"
#include "session/wire_format.hpp"

namespace mw::rpc {

struct WireError;

using session::kWireFormatCount;
using session::WireFormat;

class WireProtocol {
 public:
  virtual ~WireProtocol() = default;
  virtual std::string result(const json::value& id, const json::value& result) const = 0;
  // The same for a result the handler writes as JSON text (CallContext::result_text):
  // begin_result_text() puts the frame's start in place before the handler runs, and
  // end_result_text() finishes the frame around what the handler wrote.
  virtual void begin_result_text(const json::value& id, ResultText& text) const;
  virtual std::string end_result_text(const json::value& id, ResultText& text) const;
  // Whether a handler may stream its result (ResultText::stream), and that result's message, sent
  // in parts. A format that cannot wrap a result it has not seen (legacy) allows no stream.
  virtual bool streams_results() const { return false; }
  virtual std::shared_ptr<session::StreamedAnswer> streamed_result(const json::value& id, ResultText& text) const;
  // A failure of the handler (or of the job submission); `wire` is exception_to_wire(error),
  // already computed by the caller for its observers.
  virtual std::string error(const json::value& id, std::exception_ptr error, const WireError& wire) const = 0;
  // A call refused before it ran (not authenticated, not authorized, rate limited): reason is
  // shown as "[ERRNAME] reason", like a CallError.
  virtual std::string refused(const json::value& id, int errnum, std::string_view reason) const = 0;
  virtual std::string too_many_calls(const json::value& id) const = 0;
  virtual std::string unknown_method(const json::value& id, std::string_view method) const = 0;
  // A collection event.
  virtual std::string event(std::string_view collection, EventKind kind, const json::value& id,
                            const std::optional<json::value>& fields) const = 0;
};

const WireProtocol& wire_protocol(WireFormat format);

// "added", "changed", "removed": the `msg` of an event in both formats.
const char* event_msg(EventKind kind);

}  // namespace mw::rpc
