#pragma once
// JSON-RPC 2.0 as TrueNAS speaks it on /api/current.
#include "rpc/wire_protocol.hpp"

namespace mw::rpc::json_rpc {

const WireProtocol& protocol();

}  // namespace mw::rpc::json_rpc
