// POST /_upload's start (TrueNAS's FileApplication.upload): the "data" part names a job method
// marked uploadable and its params; the caller is whoever the request's token says. The statuses
// and texts are TrueNAS's: 400 bad JSON, 422 no method (or an unknown one), 401 no or bad
// credentials, 403 not allowed, 412 any other refusal of the call.
#include <boost/json/parse.hpp>

#include <middlewared/errors.hpp>

#include "app/plugin_host.hpp"
#include "jobs/job_record.hpp"
#include "rpc/dispatcher.hpp"
#include "rpc/method_table.hpp"

namespace mw::app {

server::UploadStart PluginHost::start_upload(const HttpRequest& head, const std::string& data_part,
                                             std::shared_ptr<server::UploadPipe> pipe) {
  boost::system::error_code ec;
  json::value data = json::parse(data_part, ec);
  if (ec) return {400, ec.message()};
  const json::object* request = data.if_object();
  const json::value* method = request ? request->if_contains("method") : nullptr;
  if (!method || !method->is_string()) return {422, "The \"data\" part must name a \"method\""};
  json::array params;
  if (const json::value* p = request->if_contains("params"); p && !p->is_null()) {
    if (!p->is_array()) return {400, "\"params\" must be a list"};
    params = p->get_array();
  }

  std::shared_ptr<const Credentials> caller = authenticator_ ? authenticator_(head) : nullptr;
  if (!caller) return {401, "401: Unauthorized"};
  const std::string name(method->get_string());
  const rpc::MethodEntry* entry = methods_.find(name);
  if (!entry) return {422, "[ENOMETHOD] Method '" + name + "' not found"};
  if (!caller->has_any_role(entry->spec.roles)) return {403, "403: Forbidden"};
  if (!entry->spec.job || !entry->spec.uploadable)
    return {412, "[EINVAL] " + name + " does not accept an uploaded file"};
  try {
    entry->validate_params(params);
    // Whatever the job does, the uploader stops waiting for it when it ends.
    rpc::JobCall how{.credentials = std::move(caller), .upload = pipe, .on_end = [pipe] { pipe->leave(); }};
    return {200, "", dispatcher().submit(*entry, std::move(params), std::move(how))->id()};
  } catch (const ValidationErrors& e) {
    return {412, e.what()};
  } catch (const CallError& e) {
    return {412, "[" + errno_name(e.errnum()) + "] " + e.message()};
  }
}

}  // namespace mw::app
