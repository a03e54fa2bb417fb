// api_key.*: the method table.
#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>

#include "auth/method_tables.hpp"
#include "auth/origin.hpp"

namespace mw::plugins::auth {

void register_api_key_methods(PluginContext& ctx, ApiKeyService& keys) {
  ctx.add_method({.name = "api_key.create",
                  .description = "Creates an API key; the result carries the key itself, shown only here.",
                  .handler = [&keys](CallContext& c, json::array& p) -> json::value {
                    return keys.create(*c.credentials, p.at(0).as_object());
                  }});

  ctx.add_method({.name = "api_key.update",
                  .description = "Renames a key or changes its expiry; `reset` issues a new key (returned once).",
                  .handler = [&keys](CallContext& c, json::array& p) -> json::value {
                    return keys.update(*c.credentials, p.at(0).as_int64(), p.at(1).as_object());
                  }});

  ctx.add_method({.name = "api_key.delete",
                  .description = "Deletes an API key.",
                  .handler = [&keys](CallContext& c, json::array& p) -> json::value {
                    return keys.remove(*c.credentials, p.at(0).as_int64());
                  }});

  // Private, as in TrueNAS: the daemon revokes keys (a key sent in clear); clients delete or reset them.
  ctx.add_method({.name = "api_key.revoke",
                  .description = "Revokes an API key: logins with it answer EXPIRED until it is reset.",
                  .private_method = true,
                  .handler = [&keys](CallContext& c, json::array& p) -> json::value {
                    require_private_caller(c);
                    return keys.revoke(*c.credentials, p.at(0).as_int64(), std::string(p.at(1).as_string()));
                  }});

  ctx.add_method({.name = "api_key.query",
                  .description = "API keys (all with API_KEY_READ, else the caller's own); never the keys themselves.",
                  .filterable = true,
                  .handler = [&keys](CallContext& c, json::array& p) -> json::value {
                    return query::filter_list(keys.visible_entries(*c.credentials), p.at(0).as_array(),
                                              p.at(1).as_object());
                  }});

  ctx.add_method({.name = "api_key.get_instance",
                  .description = "The API key with the given id.",
                  .handler = [&keys](CallContext& c, json::array& p) -> json::value {
                    int64_t id = p.at(0).as_int64();
                    json::object options = p.size() > 1 && p[1].is_object() ? p[1].as_object() : json::object{};
                    options["get"] = true;
                    try {
                      return query::filter_list(keys.visible_entries(*c.credentials),
                                                json::array{json::array{"id", "=", id}}, options);
                    } catch (const MatchNotFound&) {
                      throw ValidationErrors(std::nullopt, "ApiKey " + std::to_string(id) + " does not exist", ENOENT);
                    }
                  }});

  ctx.add_method({.name = "api_key.convert_raw_key",
                  .description = "Converts a raw API key (<id>-<key>) into the SCRAM material a client may keep "
                                 "instead (api_key_id, iterations, salt, client_key, stored_key, server_key; "
                                 "base64). Changes nothing on the server.",
                  .roles = {kApiKeyRead},
                  .handler = [&keys](CallContext&, json::array& p) -> json::value {
                    return keys.convert_raw_key(std::string(p.at(0).as_string()));
                  }});

  ctx.add_method(
      {.name = "api_key.my_keys",
       .description = "The caller's own API keys.",
       .handler = [&keys](CallContext& c, json::array&) -> json::value { return keys.own_entries(*c.credentials); }});
}

}  // namespace mw::plugins::auth
