#include "core/bulk.hpp"

#include <charconv>

#include <boost/json/serialize.hpp>

#include <middlewared/errors.hpp>

namespace mw::plugins::core {
namespace {

// The text TrueNAS puts in `error`: what str() of the exception gives there.
std::string error_text(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const CallError& c) {
    return "[" + errno_name(c.errnum()) + "] " + c.message();
  } catch (const std::exception& x) {
    return x.what();
  }
}

const MethodSpec* find_spec(const PluginContext& ctx, const std::string& name) {
  for (const auto& m : ctx.methods())
    if (m.spec->name == name) return m.spec;
  return nullptr;
}

std::string text_of(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : json::serialize(v); }

}  // namespace

std::string format_description(const std::string& description, const json::array& args) {
  std::string out;
  for (std::size_t i = 0; i < description.size(); ++i) {
    auto close = description.find('}', i);
    if (description[i] != '{' || close == std::string::npos) {
      out += description[i];
      continue;
    }
    std::string_view field(description.data() + i + 1, close - i - 1);
    std::size_t index = 0;
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), index);
    const json::value* v = ec == std::errc() && index < args.size() ? &args[index] : nullptr;
    std::string_view rest(end, static_cast<std::size_t>(field.data() + field.size() - end));
    while (v && !rest.empty()) {  // [key] steps into objects
      auto shut = rest.find(']');
      if (rest.front() != '[' || shut == std::string_view::npos || !v->is_object()) {
        v = nullptr;
        break;
      }
      v = v->as_object().if_contains(rest.substr(1, shut - 1));
      rest.remove_prefix(shut + 1);
    }
    if (!v) {
      out += description[i];
      continue;
    }
    out += text_of(*v);
    i = close;
  }
  return out;
}

json::value run_bulk(PluginContext& ctx, CallContext& call, const json::array& params) {
  const std::string method(params.at(0).as_string());
  const json::array& calls = params.at(1).as_array();
  const json::value& description = params.at(2);
  const MethodSpec* spec = find_spec(ctx, method);
  if (!spec) throw CallError("Method '" + method + "' not found", ENOMETHOD);
  if (call.credentials && !spec->no_auth && !call.credentials->has_any_role(spec->roles))
    throw CallError("Not authorized", EPERM);

  json::array statuses;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const json::array& args = calls[i].as_array();
    std::string progress = std::to_string(i) + " / " + std::to_string(calls.size());
    if (description.is_string()) progress += ": " + format_description(std::string(description.get_string()), args);
    if (call.job) {
      call.job->check_abort();
      call.job->set_progress(static_cast<int>(100 * i / calls.size()), progress);
    }
    json::object status{{"job_id", nullptr}, {"result", nullptr}, {"error", nullptr}};
    try {
      status["result"] = ctx.call_noting_job(method, args, call.credentials, [&](int id) { status["job_id"] = id; });
    } catch (...) {
      status["error"] = error_text(std::current_exception());
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

}  // namespace mw::plugins::core
