#include "rpc/wire_protocol.hpp"

#include <boost/json/parse.hpp>

#include "rpc/json_rpc_protocol.hpp"
#include "rpc/legacy_protocol.hpp"

namespace mw::rpc {

// A format that cannot splice text re-parses it (the legacy protocol: rare, small answers).
void WireProtocol::begin_result_text(const json::value&, ResultText&) const {}

std::string WireProtocol::end_result_text(const json::value& id, ResultText& text) const {
  return result(id, json::parse(text.text()));
}

std::shared_ptr<session::StreamedAnswer> WireProtocol::streamed_result(const json::value&, ResultText&) const {
  return nullptr;
}

const WireProtocol& wire_protocol(WireFormat format) {
  return format == WireFormat::Legacy ? legacy::protocol() : json_rpc::protocol();
}

const char* event_msg(EventKind kind) {
  switch (kind) {
    case EventKind::Added:
      return "added";
    case EventKind::Changed:
      return "changed";
    case EventKind::Removed:
      return "removed";
  }
  return "changed";
}

}  // namespace mw::rpc
