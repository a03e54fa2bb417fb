#pragma once
// The path of one call (ARCHITECTURE.md "How a call flows"): parse -> method lookup -> auth check
// -> admission (per-connection caps) -> worker pool: schema validation -> handler -> answer.
// Job methods become jobs; their answer is the job id or, for legacy_jobs=false, the job's end.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "rpc/call_observer.hpp"
#include "rpc/method_table.hpp"

namespace spdlog {
class logger;
}
namespace mw::jobs {
class JobManager;
}
namespace mw::server {
class Connection;
}

namespace mw::rpc {

class Dispatcher {
 public:
  Dispatcher(const MethodTable& methods, jobs::JobManager& jobs, std::size_t worker_threads,
             std::shared_ptr<spdlog::logger> log, bool check_results);
  ~Dispatcher();

  // Handles one complete text frame from `connection`. Cheap work (parsing, lookup, auth) runs on
  // the calling (I/O) thread; everything else on the worker pool.
  void on_message(const std::shared_ptr<server::Connection>& connection, std::string_view frame);

  // Registers an observer of every finished call (metrics, audit). Call before serving.
  void add_observer(std::shared_ptr<CallObserver> observer);

  void shutdown();

 private:
  void notify(const CallRecord& record) const;
  void answer(server::Connection& c, const std::string& frame) const;
  void run_call(const std::shared_ptr<server::Connection>& c, struct PendingCall call);
  void start_job(const std::shared_ptr<server::Connection>& c, struct PendingCall call);
  void finished(const std::shared_ptr<server::Connection>& c, const struct PendingCall& call, CallOutcome outcome,
                std::string_view errname, std::string_view reason, std::optional<int> job_id = std::nullopt) const;

  const MethodTable& methods_;
  jobs::JobManager& jobs_;
  boost::asio::thread_pool workers_;
  std::shared_ptr<spdlog::logger> log_;
  bool check_results_;
  std::vector<std::shared_ptr<CallObserver>> observers_;
};

}  // namespace mw::rpc
