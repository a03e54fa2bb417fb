#pragma once
// What the client knows about jobs from `core.get_jobs` events: the merged job
// fields per job id, which pending request ids started which job, and whether a job has ended.
#include <map>
#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace midclt {

class JobTracker {
 public:
  // One event's params ({msg, collection, id, fields}). Returns the job id it concerns, if any.
  std::optional<long long> observe(const boost::json::object& params);

  // The job a request id started or joined, learned from an added/changed event naming it.
  std::optional<long long> job_for_request(const std::string& request_id) const;

  const boost::json::object* job(long long job_id) const;

  // A `changed` event put the job in SUCCESS, FAILED or ABORTED.
  bool finished(long long job_id) const;

 private:
  struct Entry {
    boost::json::object fields;
    bool finished = false;
  };
  std::map<long long, Entry> jobs_;
  std::map<std::string, long long> request_jobs_;
};

// The job id of an event, from fields.id (as the Python client reads it) or the event id.
std::optional<long long> json_integer(const boost::json::value* value);

}  // namespace midclt
