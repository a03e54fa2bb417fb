#include "jobs/job_manager.hpp"

#include <atomic>

#include <boost/asio/post.hpp>

#include <middlewared/errors.hpp>
#include <middlewared/guard.hpp>

#include "events/event_hub.hpp"
#include "rpc/response.hpp"

namespace mw::jobs {

JobManager::JobManager(events::EventHub& hub, std::size_t threads, std::size_t retention)
    : hub_(hub), retention_(retention), pool_(threads, "job pool") {}

JobManager::~JobManager() { shutdown(); }

void JobManager::shutdown() {
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, job] : jobs_)
      if (!job->finished()) job->request_abort();
  }
  pool_.join();
}

void JobManager::publish(const JobRecord& job, EventKind kind) {
  hub_.publish_job(kind, job.id(), job.to_json(), job.owner());
}

std::shared_ptr<JobRecord> JobManager::submit(Submission s) {
  std::shared_ptr<JobRecord> job;
  bool start_now = true;
  bool joined = false;
  {
    std::lock_guard lock(mutex_);
    if (s.lock) {
      LockQueue& q = locks_[*s.lock];
      if (q.running && s.lock_queue_size == 0) throw CallError("This job is already being performed", EBUSY);
      if (q.running && static_cast<int>(q.waiting.size()) >= s.lock_queue_size && !q.waiting.empty()) {
        // Queue full: this call joins the last waiting job instead of creating one.
        job = q.waiting.back().first;
        joined = true;
      }
    }
    if (!job) {
      job = std::make_shared<JobRecord>(*this, next_id_++, s.method, s.arguments, s.credentials, s.lock);
      job->set_output(std::move(s.output));
      jobs_.emplace(job->id(), job);
      if (s.lock) {
        LockQueue& q = locks_[*s.lock];
        if (q.running) {
          q.waiting.emplace_back(job, s.body);
          start_now = false;
        } else {
          q.running = true;
          q.holder = job->id();
        }
      }
    }
  }
  if (joined) {
    job->add_message_id(std::move(s.message_id), EventKind::Changed);
    return job;
  }
  // `added` goes out before submit() returns, hence before any answer to the call.
  job->add_message_id(std::move(s.message_id), EventKind::Added);
  if (start_now) start(job, std::move(s.body));
  retain(job);
  return job;
}

void JobManager::start(std::shared_ptr<JobRecord> job, std::function<json::value(Job&)> body) {
  boost::asio::post(pool_.get_executor(), [this, job = std::move(job), body = std::move(body)] { run(job, body); });
}

// What Job::defer hands out: the first of succeed/fail ends the job; anything later is ignored.
class JobManager::Completion : public JobCompletion {
 public:
  Completion(JobManager& manager, std::shared_ptr<JobRecord> job) : manager_(manager), job_(std::move(job)) {}
  void succeed(json::value result) override {
    if (!done_.exchange(true)) manager_.conclude(job_, std::move(result), nullptr);
  }
  void fail(std::exception_ptr error) override {
    if (!done_.exchange(true)) manager_.conclude(job_, nullptr, std::move(error));
  }
  // The handler threw after deferring: it ends the job now, and the completion may no longer.
  bool disarm() { return !done_.exchange(true); }

 private:
  JobManager& manager_;
  std::shared_ptr<JobRecord> job_;
  std::atomic<bool> done_{false};
};

std::shared_ptr<JobCompletion> JobManager::completion_for(const std::shared_ptr<JobRecord>& job) {
  return std::make_shared<Completion>(*this, job);
}

void JobManager::run(const std::shared_ptr<JobRecord>& job, const std::function<json::value(Job&)>& body) {
  if (job->abort_requested()) {
    job->mark_aborted();
    if (job->lock()) release_lock(*job->lock());
    return;
  }
  job->mark_running();
  json::value result;
  std::exception_ptr error;
  try {
    result = body(*job);
  } catch (...) {
    error = std::current_exception();
  }
  if (job->deferred()) {
    // A deferred job ends when its completion is told (it may have been already); its pool
    // thread is free from now on. A handler that threw after deferring ends it now, unless the
    // completion was told first.
    if (!error) return;
    auto completion = std::static_pointer_cast<Completion>(job->completion());
    if (!completion || !completion->disarm()) return;
  }
  conclude(job, std::move(result), std::move(error));
}

void JobManager::conclude(const std::shared_ptr<JobRecord>& job, json::value result, std::exception_ptr error) {
  job->drop_completion();
  if (!error) {
    if (job->abort_requested()) {
      job->mark_aborted();
    } else {
      job->mark_success(std::move(result));
    }
  } else {
    try {
      std::rethrow_exception(error);
    } catch (const JobAborted&) {
      job->mark_aborted();
    } catch (...) {
      if (rpc::is_unexpected(error))
        log_unexpected(nullptr, job->method() + " (job " + std::to_string(job->id()) + ")", error);
      job->mark_failed(std::move(error));
    }
  }
  if (job->lock()) release_lock(*job->lock());
}

void JobManager::release_lock(const std::string& lock_name) {
  std::shared_ptr<JobRecord> next;
  std::function<json::value(Job&)> body;
  {
    std::lock_guard lock(mutex_);
    auto it = locks_.find(lock_name);
    if (it == locks_.end()) return;
    auto& q = it->second;
    if (q.waiting.empty()) {
      locks_.erase(it);
      return;
    }
    next = std::move(q.waiting.front().first);
    body = std::move(q.waiting.front().second);
    q.waiting.pop_front();
    q.holder = next->id();
  }
  start(std::move(next), std::move(body));
}

void JobManager::retain(const std::shared_ptr<JobRecord>&) {
  std::lock_guard lock(mutex_);
  // Evict finished jobs, oldest first, beyond the retention count.
  for (auto it = jobs_.begin(); jobs_.size() > retention_ && it != jobs_.end();) {
    if (it->second->finished()) {
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

void JobManager::keep_logs_in(std::filesystem::path dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);  // logs may name what jobs touched
  logs_dir_ = std::move(dir);
}

std::shared_ptr<JobRecord> JobManager::find(int id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : it->second;
}

json::array JobManager::list(const Credentials* caller, bool raw_result) const {
  std::vector<std::shared_ptr<JobRecord>> snapshot;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, job] : jobs_) snapshot.push_back(job);
  }
  json::array out;
  for (const auto& job : snapshot) {
    if (!job->visible_to(caller)) continue;
    out.push_back(job->to_json());
  }
  (void)raw_result;  // result redaction arrives with secret-typed job results (auth issue)
  return out;
}

json::value JobManager::wait(int id, const Credentials* caller, Job* waiter) {
  auto job = find(id);
  if (!job || !job->visible_to(caller)) throw CallError(std::to_string(id) + ": job does not exist.", ENOENT);
  const int waiter_id = waiter ? waiter->id() : 0;  // job ids start at 1
  if (waiter_id) begin_wait(waiter_id, id);
  struct EndWait {
    JobManager& manager;
    int waiter;
    ~EndWait() {
      if (waiter) manager.end_wait(waiter);
    }
  } end{*this, waiter_id};
  if (!job->wait_until_finished(waiter)) throw JobAborted();
  return job->result_or_throw();
}

int JobManager::blocker_of(int id) const {
  if (auto w = waiting_for_.find(id); w != waiting_for_.end()) return w->second;
  auto it = jobs_.find(id);
  if (it == jobs_.end() || !it->second->lock()) return 0;
  auto q = locks_.find(*it->second->lock());
  if (q == locks_.end() || q->second.holder == id) return 0;
  for (const auto& [queued, body] : q->second.waiting)
    if (queued->id() == id) return q->second.holder;
  return 0;
}

void JobManager::begin_wait(int waiter, int target) {
  std::lock_guard lock(mutex_);
  // Follow what the target waits for; reaching the waiter means nobody in the chain would ever
  // end (each job blocks one of the job pool's threads meanwhile).
  std::string chain = std::to_string(waiter);
  for (int at = target, steps = 0; at != 0 && steps <= static_cast<int>(jobs_.size()); at = blocker_of(at), ++steps) {
    chain += " -> " + std::to_string(at);
    if (at != waiter) continue;
    if (at == target) throw CallError("Job " + std::to_string(waiter) + " cannot wait for itself", EDEADLK);
    throw CallError(
        "Waiting for job " + std::to_string(target) + " would never end: it waits for this job (" + chain + ")",
        EDEADLK);
  }
  waiting_for_[waiter] = target;
}

void JobManager::end_wait(int waiter) {
  std::lock_guard lock(mutex_);
  waiting_for_.erase(waiter);
}

void JobManager::abort(int id, const Credentials* caller) {
  auto job = find(id);
  if (!job || !job->visible_to(caller)) throw CallError(std::to_string(id) + ": job does not exist.", ENOENT);
  job->request_abort();
  // A job still waiting for its lock ends ABORTED right away.
  std::shared_ptr<JobRecord> removed;
  {
    std::lock_guard lock(mutex_);
    if (job->lock()) {
      auto it = locks_.find(*job->lock());
      if (it != locks_.end()) {
        auto& w = it->second.waiting;
        for (auto qi = w.begin(); qi != w.end(); ++qi) {
          if (qi->first == job) {
            removed = job;
            w.erase(qi);
            break;
          }
        }
      }
    }
  }
  if (removed) removed->mark_aborted();
}

std::map<std::string, int> JobManager::count_by_state() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, int> out;
  for (const auto& [id, job] : jobs_) out[job_state_name(job->state())]++;
  return out;
}

}  // namespace mw::jobs
