#include "jobs/job_record.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <vector>

#include <middlewared/errors.hpp>
#include <middlewared/guard.hpp>

#include "downloads/download_pipe.hpp"
#include "jobs/job_manager.hpp"
#include "rpc/response.hpp"

#include <mw/util/time.hpp>

namespace mw::jobs {
namespace {
json::object date(int64_t ms) { return {{"$date", ms}}; }
}  // namespace

const char* job_state_name(JobState s) {
  switch (s) {
    case JobState::Waiting:
      return "WAITING";
    case JobState::Running:
      return "RUNNING";
    case JobState::Success:
      return "SUCCESS";
    case JobState::Failed:
      return "FAILED";
    case JobState::Aborted:
      return "ABORTED";
  }
  return "FAILED";
}

JobRecord::JobRecord(JobManager& manager, int id, std::string method, json::array arguments,
                     std::shared_ptr<const Credentials> credentials, std::optional<std::string> lock)
    : manager_(manager),
      id_(id),
      method_(std::move(method)),
      arguments_(std::move(arguments)),
      credentials_(std::move(credentials)),
      lock_(std::move(lock)),
      time_started_ms_(util::now_ms()) {}

void JobRecord::set_progress(int percent, std::string_view description, json::value extra) {
  percent = std::clamp(percent, 0, 100);
  {
    std::lock_guard lock(mutex_);
    bool changed = percent != percent_ || (!description.empty() && description != description_) ||
                   (!extra.is_null() && extra != progress_extra_);
    if (!changed) return;
    percent_ = percent;
    if (!description.empty()) description_ = std::string(description);
    if (!extra.is_null()) progress_extra_ = std::move(extra);
  }
  manager_.publish(*this, EventKind::Changed);
}

bool JobRecord::abort_requested() const {
  std::lock_guard lock(mutex_);
  return abort_requested_;
}

bool JobRecord::wait_for_abort(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, d, [&] { return abort_requested_; });
}

JobOutput* JobRecord::output() { return output_.get(); }

JobRecord::~JobRecord() {
  if (!logs_path_) return;
  std::error_code ec;
  std::filesystem::remove(*logs_path_, ec);
}

void JobRecord::log(std::string_view text) {
  std::lock_guard file_lock(log_mutex_);
  if (log_closed_ || text.empty()) return;
  if (!log_file_) {
    std::filesystem::path dir = manager_.logs_dir();
    if (dir.empty()) return;  // the manager keeps no logs (unit tests)
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::filesystem::path path = dir / (std::to_string(id_) + ".log");
    auto file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
    if (!*file) return;
    log_file_ = std::move(file);
    std::lock_guard lock(mutex_);
    logs_path_ = path.string();
  }
  if (log_bytes_ >= kMaxJobLogBytes) return;
  if (log_bytes_ + text.size() > kMaxJobLogBytes) {
    text = text.substr(0, kMaxJobLogBytes - log_bytes_);
    log_bytes_ = kMaxJobLogBytes;
    *log_file_ << text << "\n[log truncated at " << kMaxJobLogBytes << " bytes]\n";
  } else {
    log_bytes_ += text.size();
    *log_file_ << text;
  }
  log_file_->flush();
}

void JobRecord::close_log() {
  std::optional<std::string> path;
  {
    std::lock_guard file_lock(log_mutex_);
    log_closed_ = true;
    if (!log_file_) return;
    log_file_.reset();
    std::lock_guard lock(mutex_);
    path = logs_path_;
  }
  std::ifstream in(*path, std::ios::binary);
  std::string excerpt = in ? logs_excerpt(in) : std::string("Log file was removed");
  std::lock_guard lock(mutex_);
  logs_excerpt_ = std::move(excerpt);
}

std::string logs_excerpt(std::istream& log) {
  std::vector<std::string> head;
  std::deque<std::string> tail;
  std::size_t lines = 0;
  for (std::string line; std::getline(log, line); ++lines) {
    if (!log.eof()) line += '\n';
    if (head.size() < 10) {
      head.push_back(std::move(line));
      continue;
    }
    tail.push_back(std::move(line));
    if (tail.size() > 10) tail.pop_front();
  }
  std::string out;
  for (const auto& l : head) out += l;
  if (lines > 20) out += "... " + std::to_string(lines - 20) + " more lines ...\n";
  for (const auto& l : tail) out += l;
  return out;
}

bool JobRecord::visible_to(const Credentials* caller) const {
  if (!caller) return false;
  return caller->full_admin() || (credentials_ && credentials_->username == caller->username);
}

JobState JobRecord::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

bool JobRecord::finished() const {
  auto s = state();
  return s == JobState::Success || s == JobState::Failed || s == JobState::Aborted;
}

void JobRecord::add_message_id(json::value id, EventKind kind) {
  {
    std::lock_guard lock(mutex_);
    message_ids_.push_back(std::move(id));
  }
  manager_.publish(*this, kind);
}

json::object JobRecord::to_json() const {
  std::lock_guard lock(mutex_);
  json::object o;
  o["id"] = id_;
  o["message_ids"] = message_ids_;
  o["method"] = method_;
  o["arguments"] = arguments_;
  o["transient"] = false;
  o["description"] = nullptr;
  o["abortable"] = true;
  o["logs_path"] = logs_path_ ? json::value(json::string(*logs_path_)) : json::value(nullptr);
  o["logs_excerpt"] = logs_excerpt_ ? json::value(json::string(*logs_excerpt_)) : json::value(nullptr);
  o["progress"] = {{"percent", percent_}, {"description", description_}, {"extra", progress_extra_}};
  o["result"] = result_;
  o["result_encoding_error"] = nullptr;
  if (error_ && state_ == JobState::Failed) {
    auto failure = rpc::exception_to_job_failure(error_);
    o["error"] = failure.error;
    o["exception"] = failure.error;
    o["exc_info"] = failure.exc_info;
  } else {
    o["error"] = nullptr;
    o["exception"] = nullptr;
    o["exc_info"] = nullptr;
  }
  o["state"] = job_state_name(state_);
  o["time_started"] = date(time_started_ms_);
  o["time_finished"] = time_finished_ms_ ? json::value(date(*time_finished_ms_)) : json::value(nullptr);
  if (credentials_) {
    json::object data{{"username", credentials_->username},
                      {"login_id", credentials_->login_id},
                      {"login_at", date(credentials_->login_at_ms)}};
    o["credentials"] = {{"type", credentials_->type}, {"data", std::move(data)}};
  } else {
    o["credentials"] = nullptr;
  }
  return o;
}

std::shared_ptr<JobCompletion> JobRecord::defer() {
  auto self = shared_from_this();
  std::lock_guard lock(mutex_);
  if (!completion_ && !deferred_) completion_ = manager_.completion_for(self);
  deferred_ = true;
  if (completion_) return completion_;
  // Asked again after the job ended: a completion that changes nothing.
  struct Ended final : JobCompletion {
    void succeed(json::value) override {}
    void fail(std::exception_ptr) override {}
  };
  return std::make_shared<Ended>();
}

bool JobRecord::deferred() const {
  std::lock_guard lock(mutex_);
  return deferred_;
}

std::shared_ptr<JobCompletion> JobRecord::completion() const {
  std::lock_guard lock(mutex_);
  return completion_;
}

void JobRecord::drop_completion() {
  std::lock_guard lock(mutex_);
  completion_.reset();
}

void JobRecord::mark_running() {
  {
    std::lock_guard lock(mutex_);
    state_ = JobState::Running;
  }
  manager_.publish(*this, EventKind::Changed);
}

void JobRecord::mark_success(json::value result) {
  {
    std::lock_guard lock(mutex_);
    result_ = std::move(result);
    percent_ = 100;  // TrueNAS forces 100% on success
  }
  finish(JobState::Success);
}

void JobRecord::mark_failed(std::exception_ptr error) {
  {
    std::lock_guard lock(mutex_);
    error_ = std::move(error);
  }
  finish(JobState::Failed);
}

void JobRecord::mark_aborted() { finish(JobState::Aborted); }

void JobRecord::finish(JobState state) {
  std::vector<std::function<void(const JobRecord&)>> callbacks;
  // The download body is complete, and the log summed up, before anyone hears that the job ended.
  end_output();
  close_log();
  {
    std::lock_guard lock(mutex_);
    state_ = state;
    time_finished_ms_ = util::now_ms();
  }
  manager_.publish(*this, EventKind::Changed);
  {
    std::lock_guard lock(mutex_);
    settled_ = true;
    callbacks.swap(finished_callbacks_);
  }
  cv_.notify_all();
  // A throwing callback must not keep the job's lock queue from moving on (JobManager::run).
  for (auto& cb : callbacks) run_guarded(nullptr, "a job's end callback", [&] { cb(*this); });
}

void JobRecord::end_output() {
  if (output_) output_->close();
}

void JobRecord::request_abort() {
  {
    std::lock_guard lock(mutex_);
    abort_requested_ = true;
  }
  cv_.notify_all();
}

bool JobRecord::wait_until_finished(Job* waiter) {
  int percent = 0;
  std::string description;
  {
    std::lock_guard lock(mutex_);
    percent = percent_;
    description = description_;
  }
  for (;;) {
    // The waiter is another record: its lock is taken only while this one's is not held
    // (docs/THREADS.md, "Lock order").
    if (waiter && waiter->abort_requested()) return false;
    bool moved = false;
    {
      std::unique_lock lock(mutex_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return settled_; })) return true;
      if (percent != percent_ || description != description_) {
        percent = percent_;
        description = description_;
        moved = true;
      }
    }
    if (waiter && moved) waiter->set_progress(percent, description);
  }
}

json::value JobRecord::result_or_throw() const {
  std::lock_guard lock(mutex_);
  if (state_ == JobState::Failed && error_) std::rethrow_exception(error_);
  if (state_ == JobState::Aborted) throw JobAborted();
  return result_;
}

void JobRecord::on_finished(std::function<void(const JobRecord&)> callback) {
  {
    std::lock_guard lock(mutex_);
    if (!settled_) {
      finished_callbacks_.push_back(std::move(callback));
      return;
    }
  }
  callback(*this);
}

}  // namespace mw::jobs
