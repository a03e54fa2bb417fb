#pragma once
// The API client behind every subcommand: JSON-RPC 2.0 on /api/current
//  or the legacy protocol on /websocket (1.8), over one Transport, single-threaded.
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "midclt/client_error.hpp"
#include "midclt/job_tracker.hpp"
#include "midclt/transport.hpp"

namespace midclt {

using Seconds = std::chrono::seconds;

// What a call came back with: its result, or (new-style jobs) the id of the job it started,
// taken from the core.get_jobs event that names the request (the result itself comes later).
struct CallOutcome {
  enum class Kind { Result, JobStarted };
  Kind kind = Kind::Result;
  boost::json::value value;
};

// The subscription was ended by the server; `error` is its reason when it carried one.
struct SubscriptionEnded {
  std::optional<std::string> error;
};

class Client {
 public:
  Client(std::unique_ptr<Transport> transport, bool legacy);
  ~Client();

  // JSON-RPC: core.set_options {"legacy_jobs": false, ...}, and with `watch_jobs` the
  // core.subscribe "core.get_jobs" in the same round trip (its failure is ignored: before a login
  // it is refused). Legacy: the connect message. Throws ClientError.
  void handshake(Clock::time_point deadline, bool watch_jobs);
  // Subscribes to core.get_jobs when not yet done (after a login); failures are ignored.
  void watch_jobs();
  bool legacy() const { return legacy_; }

  // Throws ClientError: the call's error, "Call timeout", or a closed connection.
  CallOutcome call(std::string_view method, boost::json::array params, std::optional<Seconds> timeout);
  // The result (for a job started under new-style jobs: the job id).
  boost::json::value call_value(std::string_view method, boost::json::array params, std::optional<Seconds> timeout);

  // Waits, without a time limit, for the job to end; `on_update` sees the merged job fields of
  // each further event. Returns the result or throws ClientError.
  boost::json::value wait_job(long long job_id, const std::function<void(const boost::json::object&)>& on_update);

  // Subscribes to `name`; events then come from next_event(). Throws ClientError.
  void subscribe(std::string_view name, Seconds timeout);
  // The next event's params (JSON-RPC) or message (legacy); nullopt at the deadline.
  // Throws SubscriptionEnded or ClientError.
  std::optional<boost::json::object> next_event(std::optional<Clock::time_point> deadline);

  // core.ping (legacy: the ping message); nullopt when no answer came in time.
  std::optional<boost::json::value> ping(Seconds timeout);

  void close();

 private:
  // Reads and dispatches one message; false at the deadline. Returns through `job_event` the
  // job an event concerned.
  bool pump(std::optional<Clock::time_point> deadline, std::optional<long long>* job_event = nullptr);
  void dispatch_jsonrpc(boost::json::object& message, std::optional<long long>* job_event);
  void dispatch_legacy(boost::json::object& message, std::optional<long long>* job_event);
  std::string send_request(std::string_view method, const boost::json::array& params);
  boost::json::value take_response(const std::string& id);
  [[noreturn]] void throw_closed(const ConnectionClosed& closed);
  bool legacy_subscribe(std::string_view name, Seconds timeout, std::string* error);

  std::unique_ptr<Transport> transport_;
  bool legacy_;
  bool new_style_jobs_ = false;
  bool watching_jobs_ = false;
  JobTracker jobs_;
  std::map<std::string, boost::json::object> responses_;
  // Legacy protocol bookkeeping.
  bool connected_ = false;
  std::optional<std::string> connect_failure_;
  std::set<std::string> pending_subs_;
  std::map<std::string, std::optional<std::string>> sub_replies_;  // id -> error (nullopt: ready)
  std::map<std::string, bool> pongs_;
  // The user's subscription (subscribe command).
  bool subscription_active_ = false;
  std::deque<boost::json::object> events_;
  std::optional<SubscriptionEnded> ended_;
};

}  // namespace midclt
