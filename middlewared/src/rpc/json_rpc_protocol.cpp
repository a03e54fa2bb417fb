#include "rpc/json_rpc_protocol.hpp"

#include <middlewared/errors.hpp>

#include "rpc/response.hpp"

namespace mw::rpc::json_rpc {
namespace {

class JsonRpcProtocol final : public WireProtocol {
 public:
  std::string result(const json::value& id, const json::value& result) const override {
    return encode_result(id, result);
  }

  void begin_result_text(const json::value& id, ResultText& text) const override {
    text.begin_frame(kResultHead, result_tail_size(id));
  }

  std::string end_result_text(const json::value& id, ResultText& text) const override {
    std::string frame = text.take_frame();
    append_result_tail(frame, id);
    return frame;
  }

  bool streams_results() const override { return true; }

  std::shared_ptr<session::StreamedAnswer> streamed_result(const json::value& id, ResultText& text) const override {
    std::string tail;
    append_result_tail(tail, id);
    return std::make_shared<session::StreamedAnswer>(std::string(kResultHead), text.take_parts(), std::move(tail));
  }

  std::string error(const json::value& id, std::exception_ptr, const WireError& wire) const override {
    return encode_error(id, wire);
  }

  std::string refused(const json::value& id, int errnum, std::string_view reason) const override {
    std::string text = "[" + errno_name(errnum) + "] " + std::string(reason);
    return encode_error(
        id, WireError{kCallError, "Method call error", error_object(errnum, std::move(text), "CallError", nullptr)});
  }

  std::string too_many_calls(const json::value& id) const override {
    return encode_error(id, kTooManyCalls, "Maximum number of concurrent calls (20) has exceeded");
  }

  std::string unknown_method(const json::value& id, std::string_view) const override {
    return encode_error(id, kMethodNotFound, "Method does not exist");
  }

  std::string event(std::string_view collection, EventKind kind, const json::value& id,
                    const std::optional<json::value>& fields) const override {
    json::object params;
    params["msg"] = event_msg(kind);
    params["collection"] = collection;
    if (!id.is_null()) params["id"] = id;
    // As TrueNAS: `fields` belongs to added and changed; a removal's fields travel under `extra`.
    if (fields && kind != EventKind::Removed) params["fields"] = *fields;
    if (fields && kind == EventKind::Removed) params["extra"] = json::object{{"fields", *fields}};
    return encode_notification("collection_update", std::move(params));
  }
};

}  // namespace

const WireProtocol& protocol() {
  static const JsonRpcProtocol instance;
  return instance;
}

}  // namespace mw::rpc::json_rpc
