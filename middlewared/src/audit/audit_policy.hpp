#pragma once
// Which calls the audit log records, and how their params are cleaned before they are stored.
//
// A call is recorded when the caller is authenticated and the method may change state. No method
// flag says so, so the policy reads what each method already declares:
//  1. Roles: a method whose every required role is a read-only role (a RoleSpec marked `readonly`,
//     which READONLY_ADMIN includes, or READONLY_ADMIN itself) is one a read-only admin may call,
//     so by the role model's own definition it does not change state (vm.query: VM_READ).
//  2. Names: methods open to any authenticated caller declare no roles; those whose name says they
//     read (`query`, `get_instance`, `config`, `get_*`, `*_choices`) and the per-connection
//     plumbing that changes nothing persistent (core.ping, core.set_options, core.subscribe,
//     core.unsubscribe, core.job_wait, auth.me, api_key.my_keys) are not recorded.
//  3. Methods callable without a login (no_auth) are not recorded as calls: they change nothing
//     but the login of their own connection, and the login methods record each attempt, failed
//     ones included, through PluginContext::audit (recording the call too would count it twice).
// Everything else is recorded: vm.create, vm.start, api_key.create, auth.generate_token, ...
#include <map>
#include <set>
#include <string>
#include <vector>

#include <middlewared/json.hpp>
#include <middlewared/method.hpp>
#include <middlewared/plugin.hpp>

namespace mw::audit {

inline constexpr const char* kRedacted = "********";

// True when `spec` may change state (see above). `roles` are the registered role specs by name.
bool changes_state(const MethodSpec& spec, const std::map<std::string, RoleSpec>& roles);

// Positional params are secret when their schema item's title is a secret name
// (auth.login's "password"); one flag per position of the params schema's `items`.
std::vector<bool> secret_positions(const json::value* params_schema);

// Every registered method that changes_state(), with its secret_positions().
using AuditedMethods = std::map<std::string, std::vector<bool>, std::less<>>;
AuditedMethods audited_methods(const std::vector<MethodInfo>& methods, const std::map<std::string, RoleSpec>& roles);

// Whether an object key names a secret: password, key, secret, token, passphrase, ... and names
// ending in _password, _key, _secret, _token (case-insensitive).
bool is_secret_key(std::string_view key);

// A copy of `value` where every member whose key is_secret_key() holds "********" (non-null
// values only: a null or empty secret reveals nothing and helps reading the log).
json::value redact_secrets(const json::value& value);

// redact_secrets() over each param, and "********" for every secret position.
json::array redact_params(const json::array& params, const std::vector<bool>& secret_positions);

}  // namespace mw::audit
