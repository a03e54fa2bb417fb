#include "audit/audit_methods.hpp"

#include "audit/audit_log.hpp"

namespace mw::audit {

MethodSpec audit_query_method(AuditLog& log) {
  MethodSpec spec;
  spec.name = "audit.query";
  spec.description =
      "Query the audit log: one entry per authenticated call that may change state, with who, when, from where, "
      "the params (secrets shown as \"********\") and the outcome.";
  spec.roles = {kFullAdmin};
  spec.filterable = true;
  spec.handler = [&log](CallContext&, json::array& params) -> json::value {
    return log.query(params.at(0).as_array(), params.at(1).as_object());
  };
  return spec;
}

}  // namespace mw::audit
