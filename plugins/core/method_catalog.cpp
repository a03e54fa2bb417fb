#include "core/method_catalog.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include "core/ejson_safe.hpp"

namespace mw::plugins::core {
namespace {

// TrueNAS's CLI shows the first sentence of the first paragraph.
std::string first_sentence(const std::string& text) {
  std::string s = text.substr(0, text.find("\n\n"));
  s = s.substr(0, s.find('.'));
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

// The params schema's examples (lists of arguments), as TrueNAS lists example texts.
json::object examples_of(const json::value* params_schema) {
  json::array texts;
  if (params_schema && params_schema->is_object())
    if (const auto* ex = params_schema->as_object().if_contains("examples"); ex && ex->is_array())
      for (const auto& e : ex->get_array()) texts.push_back(json::string(json::serialize(e)));
  json::object out;
  if (!texts.empty()) out["__all__"] = std::move(texts);
  return out;
}

std::string service_of(const std::string& method) {
  auto dot = method.rfind('.');
  return dot == std::string::npos ? std::string() : method.substr(0, dot);
}

bool may_call(const MethodSpec& spec, const Credentials* caller) {
  if (spec.no_auth) return true;
  return caller && caller->has_any_role(spec.roles);
}

}  // namespace

json::object MethodCatalog::describe(const MethodInfo& m) {
  const MethodSpec& spec = *m.spec;
  json::object d;
  d["description"] = spec.description;
  d["cli_description"] = first_sentence(spec.description);
  d["examples"] = examples_of(m.params_schema);
  d["no_auth_required"] = spec.no_auth;
  // Any authenticated user may call a method that names no role.
  d["no_authz_required"] = !spec.no_auth && spec.roles.empty();
  d["cli_private"] = false;
  d["filterable"] = spec.filterable;
  d["filterable_schema"] = nullptr;
  d["pass_application"] = false;
  d["job"] = spec.job;
  d["downloadable"] = spec.job && spec.downloadable;
  d["uploadable"] = spec.job && spec.uploadable;
  // Downloadable jobs here also run without a pipe (vm.log_file_download from midclt).
  d["check_pipes"] = false;
  d["roles"] = json::value_from(spec.roles);
  json::value accepts = m.accepts ? json::value(*m.accepts) : json::value(json::array{});
  json::value returns = m.returns ? json::value(*m.returns) : json::value(json::array{});
  make_ejson_safe(accepts);
  make_ejson_safe(returns);
  d["accepts"] = std::move(accepts);
  d["returns"] = std::move(returns);
  return d;
}

json::object MethodCatalog::list(const Credentials* caller, const std::optional<std::string>& service) const {
  std::call_once(built_, [&] {
    for (const auto& m : ctx_.methods())
      if (!m.spec->private_method) methods_.emplace_back(m.spec, describe(m));
  });
  json::object out;
  for (const auto& [spec, description] : methods_) {
    if (service && service_of(spec->name) != *service) continue;
    if (!may_call(*spec, caller)) continue;
    out[spec->name] = description;
  }
  return out;
}

}  // namespace mw::plugins::core
