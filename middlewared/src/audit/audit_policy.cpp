#include "audit/audit_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <mw/util/text.hpp>

namespace mw::audit {
namespace {

std::string_view short_name(std::string_view method) {
  auto dot = method.rfind('.');
  return dot == std::string_view::npos ? method : method.substr(dot + 1);
}

bool reads_by_name(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kPlumbing{"core.ping",        "core.set_options", "core.subscribe",
                                                             "core.unsubscribe", "core.job_wait",    "auth.me",
                                                             "api_key.my_keys"};
  if (std::find(kPlumbing.begin(), kPlumbing.end(), method) != kPlumbing.end()) return true;
  std::string_view s = short_name(method);
  return s == "query" || s == "get_instance" || s == "config" || s.starts_with("get_") || s.ends_with("_choices");
}

bool readonly_role(const std::string& role, const std::map<std::string, RoleSpec>& roles) {
  if (role == kReadonlyAdmin) return true;
  auto it = roles.find(role);
  return it != roles.end() && it->second.readonly;
}

}  // namespace

bool changes_state(const MethodSpec& spec, const std::map<std::string, RoleSpec>& roles) {
  if (spec.no_auth) return false;
  if (!spec.roles.empty() &&
      std::all_of(spec.roles.begin(), spec.roles.end(), [&](const auto& r) { return readonly_role(r, roles); }))
    return false;
  return !reads_by_name(spec.name);
}

std::vector<bool> secret_positions(const json::value* params_schema) {
  std::vector<bool> out;
  if (!params_schema || !params_schema->is_object()) return out;
  const auto* items = params_schema->as_object().if_contains("items");
  if (!items || !items->is_array()) return out;
  for (const auto& item : items->as_array()) {
    const json::value* title = item.is_object() ? item.as_object().if_contains("title") : nullptr;
    out.push_back(title && title->is_string() && is_secret_key(title->get_string()));
  }
  return out;
}

AuditedMethods audited_methods(const std::vector<MethodInfo>& methods, const std::map<std::string, RoleSpec>& roles) {
  AuditedMethods out;
  for (const auto& m : methods)
    if (changes_state(*m.spec, roles)) out.emplace(m.spec->name, secret_positions(m.params_schema));
  return out;
}

bool is_secret_key(std::string_view key) {
  static constexpr std::array<std::string_view, 9> kExact{"password",   "passwd",  "key",     "secret",   "token",
                                                          "passphrase", "api_key", "raw_key", "otp_token"};
  static constexpr std::array<std::string_view, 4> kSuffixes{"_password", "_key", "_secret", "_token"};
  std::string k = util::ascii_lower(key);
  if (std::find(kExact.begin(), kExact.end(), k) != kExact.end()) return true;
  return std::any_of(kSuffixes.begin(), kSuffixes.end(), [&](std::string_view s) { return k.ends_with(s); });
}

json::value redact_secrets(const json::value& value) {
  if (const auto* o = value.if_object()) {
    json::object out;
    out.reserve(o->size());
    for (const auto& [k, v] : *o) {
      bool hide = is_secret_key(k) && !v.is_null() && !(v.is_string() && v.get_string().empty());
      out[k] = hide ? json::value(kRedacted) : redact_secrets(v);
    }
    return out;
  }
  if (const auto* a = value.if_array()) {
    json::array out;
    out.reserve(a->size());
    for (const auto& v : *a) out.push_back(redact_secrets(v));
    return out;
  }
  return value;
}

}  // namespace mw::audit

namespace mw::audit {

json::array redact_params(const json::array& params, const std::vector<bool>& secret_positions) {
  json::array out;
  out.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    bool hide = i < secret_positions.size() && secret_positions[i] && !params[i].is_null();
    out.push_back(hide ? json::value(kRedacted) : redact_secrets(params[i]));
  }
  return out;
}

}  // namespace mw::audit
