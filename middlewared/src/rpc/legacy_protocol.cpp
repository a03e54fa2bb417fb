#include "rpc/legacy_protocol.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

#include <middlewared/client_text.hpp>
#include <middlewared/errors.hpp>

#include "rpc/request.hpp"
#include "rpc/response.hpp"

namespace mw::rpc::legacy {
namespace {

std::string string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

json::value member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? *v : json::value(nullptr);
}

// TrueNAS's legacy error object, keys in its order: error, errname, type, reason, trace, extra.
json::object error_object(int errnum, json::value type, std::string_view reason, json::value trace, json::value extra) {
  json::object o;
  o["error"] = errnum;
  o["errname"] = errno_name(errnum);
  o["type"] = std::move(type);
  o["reason"] = reason;
  o["trace"] = std::move(trace);
  o["extra"] = std::move(extra);
  return o;
}

std::string encode_error_object(const json::value& id, json::object error) {
  json::object o;
  o["msg"] = "result";
  o["id"] = id;
  o["error"] = std::move(error);
  return json::serialize(o);
}

class LegacyProtocol final : public WireProtocol {
 public:
  std::string result(const json::value& id, const json::value& result) const override {
    json::object o;
    o["msg"] = "result";
    o["id"] = id;
    o["result"] = result;
    return json::serialize(o);
  }

  std::string error(const json::value& id, std::exception_ptr error, const WireError& wire) const override {
    const json::object* data = wire.data.if_object();
    json::value trace = data && data->contains("trace") ? data->at("trace") : json::value(nullptr);
    json::value extra = data && data->contains("extra") ? data->at("extra") : json::value(nullptr);
    try {
      std::rethrow_exception(error);
    } catch (const ValidationErrors& v) {
      // One ValidationError keeps its own errno; a collection reports EAGAIN.
      int errnum = v.is_single() ? v.errors().front().errnum : EAGAIN;
      return encode_error_object(id, error_object(errnum, "VALIDATION", v.what(), std::move(trace), std::move(extra)));
    } catch (...) {
    }
    int errnum = EINVAL;
    std::string reason = wire.message;
    if (data) {
      if (auto* e = data->if_contains("error"); e && e->is_int64()) errnum = static_cast<int>(e->get_int64());
      if (auto* r = data->if_contains("reason"); r && r->is_string()) reason = std::string(r->get_string());
    }
    return encode_error_object(id, error_object(errnum, nullptr, reason, std::move(trace), std::move(extra)));
  }

  std::string refused(const json::value& id, int errnum, std::string_view reason) const override {
    std::string text = "[" + errno_name(errnum) + "] " + std::string(reason);
    return encode_error_object(id, error_object(errnum, nullptr, text, nullptr, nullptr));
  }

  std::string too_many_calls(const json::value& id) const override {
    return encode_plain_error(id, ETOOMANYREFS, "Maximum number of concurrent calls (20) has exceeded.");
  }

  std::string unknown_method(const json::value& id, std::string_view method) const override {
    return encode_plain_error(id, ENOMETHOD, unknown_method_reason(method));
  }

  std::string event(std::string_view collection, EventKind kind, const json::value& id,
                    const std::optional<json::value>& fields) const override {
    json::object o;
    o["msg"] = event_msg(kind);
    o["collection"] = collection;
    if (!id.is_null()) o["id"] = id;
    // As TrueNAS: `fields` belongs to added and changed; a removal's fields travel under `extra`.
    if (fields && kind != EventKind::Removed) o["fields"] = *fields;
    if (fields && kind == EventKind::Removed) o["extra"] = json::object{{"fields", *fields}};
    return json::serialize(o);
  }
};

}  // namespace

namespace {
bool holds_non_finite(const json::value& v) {
  if (v.is_double()) return !std::isfinite(v.get_double());
  if (v.is_array())
    return std::any_of(v.get_array().begin(), v.get_array().end(),
                       [](const json::value& e) { return holds_non_finite(e); });
  if (v.is_object())
    return std::any_of(v.get_object().begin(), v.get_object().end(),
                       [](const auto& kv) { return holds_non_finite(kv.value()); });
  return false;
}
}  // namespace

Message parse(std::string_view frame) {
  boost::system::error_code ec;
  json::value doc = boost::json::parse(frame, ec);
  if (ec) return Malformed{describe_json_error(frame)};
  if (!doc.is_object()) return Malformed{"Invalid Message Format"};
  const json::object& o = doc.get_object();
  const json::value* msg = o.if_contains("msg");
  if (!msg || !msg->is_string()) return Malformed{"Missing 'msg' member"};
  if (const json::value* id = o.if_contains("id"); id && id_too_long(*id))
    return Malformed{"'id' must be at most 128 characters long"};
  // A number too large for a double parses as infinity, which no JSON answer can echo; the legacy
  // id may be any JSON value, so the whole of it is looked at.
  if (const json::value* id = o.if_contains("id"); id && holds_non_finite(*id))
    return Malformed{"'id' must hold only finite numbers"};
  std::string_view kind = msg->get_string();
  if (kind == "connect") {
    Connect c{string_member(o, "version"), false};
    if (auto* f = o.if_contains("features"); f && f->is_array())
      for (const auto& item : f->get_array())
        if (item.is_string() && item.get_string() == "PY_EXCEPTIONS") c.py_exceptions = true;
    return c;
  }
  if (kind == "method") return Call{member(o, "id"), string_member(o, "method"), member(o, "params")};
  if (kind == "sub") return Subscribe{member(o, "id"), string_member(o, "name")};
  if (kind == "unsub") return Unsubscribe{member(o, "id")};
  if (kind == "ping") return Ping{member(o, "id")};
  return Other{std::string(kind)};
}

std::string id_text(const json::value& id) {
  if (id.is_string()) return std::string(id.get_string());
  return json::serialize(id);
}

std::string encode_connected(std::string_view session_id) {
  json::object o;
  o["msg"] = "connected";
  o["session"] = session_id;
  return json::serialize(o);
}

std::string encode_failed() { return R"({"msg":"failed","version":"1"})"; }

std::string encode_ready(const json::value& subscription_id) {
  json::object o;
  o["msg"] = "ready";
  o["subs"] = json::array{subscription_id};
  return json::serialize(o);
}

std::string encode_pong(const json::value& id) {
  json::object o;
  o["msg"] = "pong";
  o["id"] = id;
  return json::serialize(o);
}

std::string encode_plain_error(const json::value& id, int errnum, std::string_view reason) {
  return encode_error_object(id, error_object(errnum, nullptr, reason, nullptr, nullptr));
}

std::string unknown_method_reason(std::string_view sent) {
  const std::string shown = echo_prefix(sent);
  std::string_view method = shown;
  auto dot = method.rfind('.');
  std::string_view service = dot == std::string_view::npos ? std::string_view() : method.substr(0, dot);
  std::string_view name = dot == std::string_view::npos ? method : method.substr(dot + 1);
  return "[ENOMETHOD] Method '" + std::string(name) + "' not found in '" + std::string(service) + "'";
}

const WireProtocol& protocol() {
  static const LegacyProtocol instance;
  return instance;
}

}  // namespace mw::rpc::legacy
