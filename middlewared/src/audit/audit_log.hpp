#pragma once
// The audit log: one SQLite row per authenticated call that changes state (see
// audit_policy.hpp for which), with who, when, from where, the method, its params with secrets
// redacted, and the outcome. It observes the dispatcher; the call path only copies the record
// into a bounded queue, and one background thread writes queued rows in batches, one transaction
// each. The same thread proves the database writable for GET /health: when idle it rewrites a
// one-row probe table at most once per probe interval.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <middlewared/audit.hpp>
#include <middlewared/datastore.hpp>
#include <middlewared/json.hpp>

#include "audit/audit_policy.hpp"
#include "rpc/call_observer.hpp"

namespace spdlog {
class logger;
}

namespace mw::audit {

struct AuditSettings {
  std::size_t max_rows = 100000;    // oldest rows beyond this are deleted
  std::size_t batch_size = 256;     // write as soon as this many are queued
  std::size_t max_pending = 20000;  // beyond this, entries are dropped (and counted)
  std::chrono::milliseconds flush_interval{200};
  std::chrono::milliseconds probe_interval{1000};
};

struct WriteStatus {
  bool ok = true;
  std::string error;  // the last failed write's message when !ok
};

class AuditLog : public rpc::CallObserver {
 public:
  // Migrations of the audit database (<state>/db/audit.sqlite).
  static std::vector<Migration> migrations();

  AuditLog(std::shared_ptr<Datastore> store, AuditSettings settings, std::shared_ptr<spdlog::logger> log);
  ~AuditLog() override;  // writes what is still queued, then stops the writer

  // Which methods are recorded; call once every method is registered, before serving.
  void set_audited(AuditedMethods methods);

  void on_call(const rpc::CallRecord& record) noexcept override;
  // An event a plugin reports (login attempts): queued like a call; the user name is escaped.
  void record(const AuditEvent& event) noexcept;

  // Blocks until every entry queued before this call has been written (or found unwritable).
  void flush();
  // Entries as audit.query returns them, filtered by the query engine. Flushes first, so a
  // caller sees its own earlier calls.
  json::value query(const json::array& filters, const json::object& options);

  WriteStatus write_status() const;
  std::uint64_t dropped() const;

 private:
  struct Pending;
  void enqueue(Pending p);
  void run();
  void write_batch(std::vector<Pending>& batch);
  void probe();
  void set_status(bool ok, std::string error);

  std::shared_ptr<Datastore> store_;
  AuditSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  AuditedMethods audited_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_cv_;
  std::vector<Pending> pending_;
  std::uint64_t enqueued_ = 0;
  std::uint64_t written_ = 0;
  std::uint64_t dropped_ = 0;
  bool flush_requested_ = false;
  bool stop_ = false;
  WriteStatus status_;
  std::chrono::steady_clock::time_point last_write_{};
  std::thread writer_;
};

}  // namespace mw::audit
