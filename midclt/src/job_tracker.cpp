#include "midclt/job_tracker.hpp"

#include <boost/json.hpp>

namespace midclt {
namespace json = boost::json;

std::optional<long long> json_integer(const json::value* value) {
  if (!value) return std::nullopt;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<long long>(value->get_uint64());
  return std::nullopt;
}

std::optional<long long> JobTracker::observe(const json::object& params) {
  const json::value* collection = params.if_contains("collection");
  if (!collection || !collection->is_string() || collection->get_string() != "core.get_jobs") return std::nullopt;
  const json::value* msg = params.if_contains("msg");
  if (!msg || !msg->is_string()) return std::nullopt;
  std::string_view kind = msg->get_string();
  const json::value* fields = params.if_contains("fields");
  if (!fields || !fields->is_object() || (kind != "added" && kind != "changed")) return std::nullopt;

  auto id = json_integer(fields->get_object().if_contains("id"));
  if (!id) id = json_integer(params.if_contains("id"));
  if (!id) return std::nullopt;

  Entry& entry = jobs_[*id];
  for (const auto& kv : fields->get_object()) entry.fields[kv.key()] = kv.value();

  if (const auto* ids = fields->get_object().if_contains("message_ids"); ids && ids->is_array()) {
    for (const auto& request : ids->get_array())
      if (request.is_string()) request_jobs_.emplace(std::string(request.get_string()), *id);
  }
  if (kind == "changed") {
    const json::value* state = entry.fields.if_contains("state");
    if (state && state->is_string()) {
      std::string_view s = state->get_string();
      if (s == "SUCCESS" || s == "FAILED" || s == "ABORTED") entry.finished = true;
    }
  }
  return id;
}

std::optional<long long> JobTracker::job_for_request(const std::string& request_id) const {
  auto it = request_jobs_.find(request_id);
  if (it == request_jobs_.end()) return std::nullopt;
  return it->second;
}

const json::object* JobTracker::job(long long job_id) const {
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? nullptr : &it->second.fields;
}

bool JobTracker::finished(long long job_id) const {
  auto it = jobs_.find(job_id);
  return it != jobs_.end() && it->second.finished;
}

}  // namespace midclt
