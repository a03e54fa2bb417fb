#include "audit/audit_methods.hpp"

#include "audit/audit_log.hpp"

#include <middlewared/query.hpp>

namespace mw::audit {

MethodSpec audit_query_method(AuditLog& log) {
  MethodSpec spec;
  spec.name = "audit.query";
  spec.description =
      "Query the audit log: one entry per authenticated call that may change state, with who, when, from where, "
      "the params (secrets shown as \"********\") and the outcome.";
  spec.roles = {kFullAdmin};
  spec.filterable = true;
  // One object, as TrueNAS takes it: {services, query-filters, query-options} (defaults filled in).
  spec.handler = [&log](CallContext&, json::array& params) -> json::value {
    const json::object& data = params.at(0).as_object();
    bool middleware = false;
    for (const auto& s : data.at("services").as_array()) middleware |= s == "MIDDLEWARE";
    // Only API calls are recorded here: other services have no entries.
    if (!middleware)
      return query::filter_list(json::array{}, data.at("query-filters").as_array(),
                                data.at("query-options").as_object());
    return log.query(data.at("query-filters").as_array(), data.at("query-options").as_object());
  };
  return spec;
}

}  // namespace mw::audit
