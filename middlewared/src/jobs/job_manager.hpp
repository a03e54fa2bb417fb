#pragma once
// Creates, queues, runs and retains jobs, and publishes their
// `core.get_jobs` events. The `added` event is published synchronously inside submit(), so it is
// queued on the caller's connection before any answer to the call.
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include <middlewared/plugin.hpp>
#include <middlewared/worker_pool.hpp>

#include "jobs/job_record.hpp"

namespace mw::events {
class EventHub;
}
namespace mw::downloads {
class DownloadPipe;
}

namespace mw::jobs {

struct Submission {
  std::string method;
  json::array arguments;
  json::value message_id;  // the JSON-RPC request id (null for none)
  std::shared_ptr<const Credentials> credentials;
  std::optional<std::string> lock;
  int lock_queue_size = 5;
  std::function<json::value(Job&)> body;            // validates its params and runs the handler
  std::shared_ptr<downloads::DownloadPipe> output;  // core.download's pipe, ended with the job
};

class JobManager : public JobService {
 public:
  JobManager(events::EventHub& hub, std::size_t threads, std::size_t retention = 1000);
  ~JobManager() override;

  // Returns the job that will carry this call: a new one, or (lock queue full) the last waiting
  // job of the same lock, which then also lists this call's message id.
  // Throws CallError(EBUSY) when the lock admits no queue (lock_queue_size 0) and is taken.
  std::shared_ptr<JobRecord> submit(Submission submission);

  json::array list(const Credentials* caller, bool raw_result) const override;
  json::value wait(int id, const Credentials* caller, Job* waiter) override;
  void abort(int id, const Credentials* caller) override;

  std::shared_ptr<JobRecord> find(int id) const;
  // Where jobs write their logs (Job::log): one file per job, removed with the job. Set once
  // before jobs run; the directory is emptied (logs of an earlier run belong to no job). Without
  // it jobs keep no logs.
  void keep_logs_in(std::filesystem::path dir);
  const std::filesystem::path& logs_dir() const { return logs_dir_; }
  std::map<std::string, int> count_by_state() const;
  void shutdown();

  // Called by JobRecord on every visible change.
  void publish(const JobRecord& job, EventKind kind);
  // Job::defer: the completion that ends `job` once its handler has returned.
  std::shared_ptr<JobCompletion> completion_for(const std::shared_ptr<JobRecord>& job);

 private:
  struct LockQueue {
    bool running = false;
    int holder = 0;  // the job that runs with the lock
    std::deque<std::pair<std::shared_ptr<JobRecord>, std::function<json::value(Job&)>>> waiting;
  };
  // Registers "`waiter` waits for `target`"; throws CallError(EDEADLK) when that closes a cycle.
  void begin_wait(int waiter, int target);
  void end_wait(int waiter);
  // The job `id` waits for (core.job_wait, or the holder of the lock it is queued for), or 0.
  int blocker_of(int id) const;  // mutex_ held

  void start(std::shared_ptr<JobRecord> job, std::function<json::value(Job&)> body);
  void run(const std::shared_ptr<JobRecord>& job, const std::function<json::value(Job&)>& body);
  // Ends a job that ran: with `error` when set, else with `result` (aborted when an abort was
  // asked), then hands its lock on.
  void conclude(const std::shared_ptr<JobRecord>& job, json::value result, std::exception_ptr error);
  class Completion;
  void release_lock(const std::string& lock);
  void retain(const std::shared_ptr<JobRecord>& job);

  events::EventHub& hub_;
  const std::size_t retention_;
  std::filesystem::path logs_dir_;
  WorkerPool pool_;

  mutable std::mutex mutex_;
  int next_id_ = 1;
  std::map<int, std::shared_ptr<JobRecord>> jobs_;
  std::map<std::string, LockQueue> locks_;
  std::map<int, int> waiting_for_;  // job id -> the job id it waits for in wait()
};

}  // namespace mw::jobs
