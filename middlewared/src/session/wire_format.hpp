#pragma once
// Which of the two wire formats a connection speaks, fixed by the endpoint it connected to:
// JSON-RPC 2.0 (/api/current) or the legacy DDP-like protocol (/websocket). How each looks on
// the wire is rpc/wire_protocol.hpp's business.
namespace mw::session {

enum class WireFormat { JsonRpc, Legacy };
inline constexpr int kWireFormatCount = 2;

}  // namespace mw::session
