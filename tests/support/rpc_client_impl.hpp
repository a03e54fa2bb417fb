#pragma once
// The transport behind an RpcClient, shared by the plain (rpc_client.cpp) and the TLS
// (tls_rpc_client.cpp) translation units.
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include <boost/json/object.hpp>

#include "support/rpc_client.hpp"

namespace mw::test {

struct RpcClient::Impl {
  virtual ~Impl() = default;
  virtual void write(const std::string& frame, bool binary) = 0;
  // Returns the next message; throws ConnectionClosed or runtime_error (timeout).
  virtual std::string read(std::chrono::milliseconds timeout) = 0;

  std::deque<boost::json::object> notifications;
  std::deque<boost::json::object> answers;
  uint64_t next_id = 1;
};

}  // namespace mw::test
