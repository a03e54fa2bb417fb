#pragma once
// What a job method's handler sees of its job.
#include <chrono>
#include <exception>
#include <memory>
#include <string_view>

#include <middlewared/json.hpp>

namespace mw {

// The write end of a job's download pipe (core.download): what the job writes is the body that
// the GET of its download URL receives.
class JobOutput {
 public:
  virtual ~JobOutput() = default;
  // Blocks while the reader lags behind. Throws CallError(EPIPE) once the download is abandoned:
  // nobody fetched it in time, or the client went away.
  virtual void write(std::string_view bytes) = 0;
};

// How a job that was deferred (Job::defer) ends: exactly one of these, from any thread; later
// calls are ignored. The job's lock is released then, and its waiters answered.
class JobCompletion {
 public:
  virtual ~JobCompletion() = default;
  virtual void succeed(json::value result) = 0;
  // `error` as a handler would have thrown it (CallError, JobAborted, ...).
  virtual void fail(std::exception_ptr error) = 0;
};

class Job {
 public:
  virtual ~Job() = default;
  virtual int id() const = 0;
  // percent is clamped to 0..100; an empty description keeps the previous one (as TrueNAS does).
  virtual void set_progress(int percent, std::string_view description = {}, json::value extra = nullptr) = 0;
  virtual bool abort_requested() const = 0;
  // Throws JobAborted when an abort was requested.
  void check_abort() const;
  // Sleeps up to `d`, waking early on abort; returns true when an abort was requested.
  virtual bool wait_for_abort(std::chrono::milliseconds d) = 0;
  // The download pipe when the job was started through core.download, else null. The pipe ends
  // (EOF) when the job does.
  virtual JobOutput* output() { return nullptr; }
  // Appends `text` to the job's log (TrueNAS's `logs_path`): a file kept while the job is retained,
  // summed up in `logs_excerpt` when the job ends and served by core.job_download_logs. Jobs that
  // never log have no log file.
  virtual void log(std::string_view text) {}
  // For a job that mostly waits (a guest's shutdown, with a timeout): the handler arranges to be
  // woken (a timer, an event) and returns at once, giving its job-pool thread back; what it
  // returns is ignored, and the job ends when the returned completion is told (docs/THREADS.md).
  // This Job stays valid until then.
  virtual std::shared_ptr<JobCompletion> defer() = 0;
};

}  // namespace mw
