// The test side's one Boost.Beast client translation unit.
#include "support/rpc_client.hpp"
#include "support/ws_transport.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace mw::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;

RpcError::RpcError(int c, std::string m, json::value d)
    : std::runtime_error("RPC error " + std::to_string(c) + ": " + m + " " + json::serialize(d)),
      code(c),
      message(std::move(m)),
      data(std::move(d)) {}

std::string RpcError::reason() const {
  if (data.is_object())
    if (auto* r = data.as_object().if_contains("reason"); r && r->is_string()) return std::string(r->as_string());
  return message;
}

ConnectionClosed::ConnectionClosed(int c, std::string r)
    : std::runtime_error("connection closed: " + std::to_string(c) + " " + r), code(c), reason(std::move(r)) {}

RpcClient::RpcClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RpcClient::RpcClient(RpcClient&&) noexcept = default;
RpcClient& RpcClient::operator=(RpcClient&&) noexcept = default;
RpcClient::~RpcClient() = default;

RpcClient RpcClient::unix_socket(const std::filesystem::path& sock, std::string path) {
  auto impl = std::make_unique<WsTransport<beast::basic_stream<net::local::stream_protocol>>>();
  beast::get_lowest_layer(impl->ws).socket().connect(net::local::stream_protocol::endpoint(sock.string()));
  impl->handshake(path);
  return RpcClient(std::move(impl));
}

RpcClient RpcClient::tcp(uint16_t port, std::string path) { return tcp_to("127.0.0.1", port, std::move(path)); }

RpcClient RpcClient::tcp_to(const std::string& address, uint16_t port, std::string path) {
  auto impl = std::make_unique<WsTransport<beast::basic_stream<net::ip::tcp>>>();
  beast::get_lowest_layer(impl->ws).socket().connect(net::ip::tcp::endpoint(net::ip::make_address(address), port));
  impl->handshake(path);
  return RpcClient(std::move(impl));
}

void RpcClient::send_text(const std::string& frame) { impl_->write(frame, false); }
void RpcClient::send_binary(const std::string& frame) { impl_->write(frame, true); }

std::string RpcClient::receive_text(std::chrono::milliseconds timeout) { return impl_->read(timeout); }

json::object RpcClient::answer_for(const json::value& id, std::chrono::milliseconds timeout) {
  for (auto it = impl_->answers.begin(); it != impl_->answers.end(); ++it) {
    if (it->at("id") == id) {
      json::object found = std::move(*it);
      impl_->answers.erase(it);
      return found;
    }
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("timed out waiting for the answer to " + json::serialize(id));
    json::value msg = json::parse(impl_->read(left));
    json::object& obj = msg.as_object();
    auto* msg_id = obj.if_contains("id");
    if (!msg_id || obj.contains("method")) {
      impl_->notifications.push_back(std::move(obj));
    } else if (*msg_id == id) {
      return std::move(obj);
    } else {
      impl_->answers.push_back(std::move(obj));
    }
  }
}

json::object RpcClient::request(json::object message) {
  if (!message.contains("id")) message["id"] = "t" + std::to_string(impl_->next_id++);
  json::value id = message.at("id");
  send_text(json::serialize(message));
  return answer_for(id);
}

json::value RpcClient::call(const std::string& method, json::array params) {
  json::object answer = request({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
  if (auto* err = answer.if_contains("error")) {
    auto& e = err->as_object();
    json::value data = e.contains("data") ? e.at("data") : json::value(nullptr);
    throw RpcError(static_cast<int>(e.at("code").as_int64()), std::string(e.at("message").as_string()),
                   std::move(data));
  }
  return answer.at("result");
}

std::optional<json::object> RpcClient::next_notification(std::chrono::milliseconds timeout) {
  if (!impl_->notifications.empty()) {
    json::object n = std::move(impl_->notifications.front());
    impl_->notifications.pop_front();
    return n;
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    std::string text;
    try {
      text = impl_->read(left);
    } catch (const ConnectionClosed&) {
      throw;
    } catch (const std::runtime_error&) {
      return std::nullopt;
    }
    json::value msg = json::parse(text);
    json::object& obj = msg.as_object();
    if (!obj.contains("id") || obj.contains("method")) return std::move(obj);
    impl_->answers.push_back(std::move(obj));
  }
}

}  // namespace mw::test
