#pragma once
// audit.* as data: the core's own method over the audit log. Schemas: schemas/audit/.
#include <middlewared/method.hpp>

namespace mw::audit {

class AuditLog;

// audit.query({services, query-filters, query-options}): FULL_ADMIN only.
MethodSpec audit_query_method(AuditLog& log);

}  // namespace mw::audit
