#pragma once
// One job: its state as describes it, and the Job interface its handler sees.
#include <condition_variable>
#include <exception>
#include <fstream>
#include <functional>
#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <middlewared/credentials.hpp>
#include <middlewared/events.hpp>
#include <middlewared/job.hpp>

namespace mw::downloads {
class DownloadPipe;
}

namespace mw::jobs {

enum class JobState { Waiting, Running, Success, Failed, Aborted };
const char* job_state_name(JobState s);

class JobManager;

class JobRecord : public Job, public std::enable_shared_from_this<JobRecord> {
 public:
  JobRecord(JobManager& manager, int id, std::string method, json::array arguments,
            std::shared_ptr<const Credentials> credentials, std::optional<std::string> lock);
  ~JobRecord() override;  // removes the job's log file

  // --- Job (handler side) ---
  int id() const override { return id_; }
  void set_progress(int percent, std::string_view description, json::value extra) override;
  bool abort_requested() const override;
  bool wait_for_abort(std::chrono::milliseconds d) override;
  JobOutput* output() override;
  void log(std::string_view text) override;
  std::shared_ptr<JobCompletion> defer() override;

  // --- manager side ---
  // Set before the job runs (core.download); ended (EOF) when the job ends.
  void set_output(std::shared_ptr<downloads::DownloadPipe> pipe) { output_ = std::move(pipe); }
  const std::string& method() const { return method_; }
  const std::optional<std::string>& lock() const { return lock_; }
  std::string owner() const { return credentials_ ? credentials_->username : std::string(); }
  bool visible_to(const Credentials* caller) const;
  JobState state() const;
  bool finished() const;
  // Adds a request id to message_ids and publishes `kind` (Added for a new job).
  void add_message_id(json::value id, EventKind kind = EventKind::Changed);
  // object. Results stay raw here; redaction is the caller's business.
  json::object to_json() const;

  void mark_running();
  void mark_success(json::value result);
  void mark_failed(std::exception_ptr error);
  void mark_aborted();
  void request_abort();

  // Blocks until the job ends or `waiter` is aborted; returns true when the job ended.
  bool wait_until_finished(Job* waiter);
  // The job's result, or rethrows its error (JobAborted for an aborted job).
  json::value result_or_throw() const;

  // Set by defer(): the completion that ends the job after its handler returned. Reset when the
  // job ends (it refers back to the job).
  std::shared_ptr<JobCompletion> completion() const;
  bool deferred() const;
  void drop_completion();

  // Called once when the job reaches a final state (used for legacy_jobs=false answers).
  void on_finished(std::function<void(const JobRecord&)> callback);

 private:
  void finish(JobState state);
  void end_output();
  void close_log();

  JobManager& manager_;
  const int id_;
  const std::string method_;
  const json::array arguments_;
  const std::shared_ptr<const Credentials> credentials_;
  const std::optional<std::string> lock_;
  const int64_t time_started_ms_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  JobState state_ = JobState::Waiting;
  bool abort_requested_ = false;
  // Set once the final state's event is published: waiters wake only then, so whoever waited for
  // the job (core.job_wait, a call's final answer) never answers before the SUCCESS/FAILED event.
  bool settled_ = false;
  json::array message_ids_;
  int percent_ = 0;
  std::string description_;
  json::value progress_extra_;
  json::value result_;
  std::exception_ptr error_;
  std::optional<int64_t> time_finished_ms_;
  std::vector<std::function<void(const JobRecord&)>> finished_callbacks_;
  std::shared_ptr<downloads::DownloadPipe> output_;
  std::optional<std::string> logs_path_;     // set by the first log() (mutex_)
  std::optional<std::string> logs_excerpt_;  // set when the job ends (mutex_)
  std::mutex log_mutex_;                     // the file: log() and close_log()
  std::unique_ptr<std::ofstream> log_file_;
  std::size_t log_bytes_ = 0;
  bool log_closed_ = false;
  std::shared_ptr<JobCompletion> completion_;
  bool deferred_ = false;
};

// TrueNAS's logs_excerpt: the log's first and last 10 lines, with "... N more lines ..." between
// them when there are more than 20.
std::string logs_excerpt(std::istream& log);
// A job's log stops growing at this size (a note says so).
inline constexpr std::size_t kMaxJobLogBytes = 8 * 1024 * 1024;

}  // namespace mw::jobs
