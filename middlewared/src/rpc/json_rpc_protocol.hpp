#pragma once
// JSON-RPC 2.0 as TrueNAS speaks it on /api/current (API-SPEC 1.3-1.5, 4.1).
#include "rpc/wire_protocol.hpp"

namespace mw::rpc::json_rpc {

const WireProtocol& protocol();

}  // namespace mw::rpc::json_rpc
