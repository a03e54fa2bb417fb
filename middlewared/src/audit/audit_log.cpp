#include "audit/audit_log.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <middlewared/client_text.hpp>
#include <middlewared/guard.hpp>
#include <middlewared/query.hpp>
#include <mw/util/time.hpp>

namespace mw::audit {

struct AuditLog::Pending {
  int64_t timestamp_ms = 0;
  std::string username;
  std::string credentials;
  std::string address;
  std::string method;
  std::optional<json::array> params;                    // as received; redacted on the writer thread
  const std::vector<bool>* secret_positions = nullptr;  // points into audited_, which never changes
  rpc::CallOutcome outcome = rpc::CallOutcome::Success;
  std::string error;
  std::optional<int> job_id;
  double duration_ms = 0;
};

namespace {

const char* outcome_text(rpc::CallOutcome o) {
  switch (o) {
    case rpc::CallOutcome::Success:
      return "success";
    case rpc::CallOutcome::Refused:
      return "refused";
    default:
      return "error";
  }
}

json::object audit_version() { return {{"major", 0}, {"minor", 1}}; }

json::value row_to_entry(SQLite::Statement& st) {
  json::object e;
  const int64_t timestamp_ms = st.getColumn(1).getInt64();
  std::string outcome = st.getColumn(7).getString();
  json::value params = st.getColumn(6).isNull() ? json::value(nullptr) : json::parse(st.getColumn(6).getString());
  e["id"] = st.getColumn(0).getInt64();
  // TrueNAS's fields first (its own tests and tools read these), then this daemon's flat ones.
  e["audit_id"] = nullptr;
  e["message_timestamp"] = timestamp_ms / 1000;
  e["timestamp"] = json::object{{"$date", timestamp_ms}};
  e["session"] = nullptr;
  e["service"] = "MIDDLEWARE";
  e["service_data"] = json::object{
      {"vers", audit_version()},
      {"origin", st.getColumn(4).getString()},
      {"protocol", "WEBSOCKET"},
      {"credentials", json::object{{"credentials", st.getColumn(3).getString()},
                                   {"credentials_data", json::object{{"username", st.getColumn(2).getString()}}}}}};
  e["event"] = "METHOD_CALL";
  e["event_data"] = json::object{{"method", st.getColumn(5).getString()},
                                 {"params", params.is_array() ? params : json::array{}},
                                 {"description", nullptr},
                                 {"authenticated", true},
                                 {"authorized", outcome != "refused"},
                                 {"vers", audit_version()}};
  e["username"] = st.getColumn(2).getString();
  e["credentials"] = st.getColumn(3).getString();
  e["address"] = st.getColumn(4).getString();
  e["method"] = st.getColumn(5).getString();
  e["params"] = std::move(params);
  e["success"] = outcome == "success";
  e["outcome"] = outcome;
  e["error"] = st.getColumn(8).isNull() ? json::value(nullptr) : json::value(st.getColumn(8).getString());
  e["job_id"] = st.getColumn(9).isNull() ? json::value(nullptr) : json::value(st.getColumn(9).getInt64());
  e["duration_ms"] = st.getColumn(10).getDouble();
  return e;
}

}  // namespace

// Each migration's SQL is written out whole and never edited once shipped: a database made fresh
// and one upgraded step by step must end up the same.
std::vector<Migration> AuditLog::migrations() {
  return {{1, "audit_log",
           "CREATE TABLE audit_log ("
           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
           " timestamp_ms INTEGER NOT NULL,"
           " username TEXT NOT NULL,"
           " credentials TEXT NOT NULL,"
           " address TEXT NOT NULL,"
           " method TEXT NOT NULL,"
           " params TEXT,"  // JSON, secrets redacted; NULL for refused calls
           " outcome TEXT NOT NULL CHECK (outcome IN ('success', 'error', 'refused')),"
           " error TEXT,"
           " job_id INTEGER,"
           " duration_ms REAL NOT NULL);"
           "CREATE INDEX audit_log_method ON audit_log(method);"
           // The health probe's one row: rewriting it proves the database takes writes.
           "CREATE TABLE health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at_ms INTEGER NOT NULL);"},
          // The same rule written as comparisons: SQLite checks an IN list of three or more
          // values by building a temporary b-tree on every INSERT, which was half of each row's
          // cost. Rows, ids and the AUTOINCREMENT counter are kept (SQLite's way of changing a
          // constraint: a new table, the rows copied into it, the old one dropped, the new renamed).
          {2, "audit_log_outcome_check",
           "CREATE TABLE audit_log_new ("
           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
           " timestamp_ms INTEGER NOT NULL,"
           " username TEXT NOT NULL,"
           " credentials TEXT NOT NULL,"
           " address TEXT NOT NULL,"
           " method TEXT NOT NULL,"
           " params TEXT,"
           " outcome TEXT NOT NULL CHECK (outcome = 'success' OR outcome = 'error' OR outcome = 'refused'),"
           " error TEXT,"
           " job_id INTEGER,"
           " duration_ms REAL NOT NULL);"
           "INSERT INTO audit_log_new SELECT id, timestamp_ms, username, credentials, address, method, params,"
           " outcome, error, job_id, duration_ms FROM audit_log;"
           "DELETE FROM sqlite_sequence WHERE name = 'audit_log_new';"
           "INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_log_new', seq FROM sqlite_sequence"
           " WHERE name = 'audit_log';"
           "DROP TABLE audit_log;"
           "ALTER TABLE audit_log_new RENAME TO audit_log;"
           "CREATE INDEX audit_log_method ON audit_log(method);"}};
}

AuditLog::AuditLog(std::shared_ptr<Datastore> store, AuditSettings settings, std::shared_ptr<spdlog::logger> log)
    : store_(std::move(store)), settings_(settings), log_(std::move(log)) {
  probe();
  writer_ = std::thread([this] { run_guarded_loop(log_, "the audit log writer", [this] { run(); }); });
}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void AuditLog::set_audited(AuditedMethods methods) { audited_ = std::move(methods); }

void AuditLog::on_call(const rpc::CallRecord& record) noexcept {
  if (!record.credentials || record.outcome == rpc::CallOutcome::UnknownMethod) return;
  auto it = audited_.find(record.method);
  if (it == audited_.end()) return;
  try {
    Pending p;
    p.timestamp_ms = util::now_ms();
    p.username = record.credentials->username;
    p.credentials = record.credentials->type;
    p.address = record.peer ? record.peer->origin() : std::string("internal");
    p.method = it->first;
    if (record.params) p.params = *record.params;
    p.secret_positions = &it->second;
    p.outcome = record.outcome;
    if (record.outcome != rpc::CallOutcome::Success) p.error = record.error_reason;
    p.job_id = record.job_id;
    p.duration_ms = std::chrono::duration<double, std::milli>(record.duration).count();
    enqueue(std::move(p));
  } catch (...) {
    std::lock_guard lock(mutex_);
    ++dropped_;
  }
}

void AuditLog::record(const AuditEvent& event) noexcept {
  static const std::vector<bool> kNoSecretPositions;
  try {
    Pending p;
    p.timestamp_ms = util::now_ms();
    p.username = log_text(event.username);
    p.credentials = log_text(event.credentials);
    p.address = event.peer ? event.peer->origin() : std::string("internal");
    p.method = event.method;
    p.params = json::array{event.params};
    p.secret_positions = &kNoSecretPositions;
    p.outcome = event.success ? rpc::CallOutcome::Success : rpc::CallOutcome::Error;
    if (!event.success) p.error = log_text(event.error);
    enqueue(std::move(p));
  } catch (...) {
    std::lock_guard lock(mutex_);
    ++dropped_;
  }
}

void AuditLog::enqueue(Pending p) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= settings_.max_pending) {
      ++dropped_;
      return;
    }
    pending_.push_back(std::move(p));
    ++enqueued_;
    wake = pending_.size() >= settings_.batch_size;
  }
  if (wake) wake_.notify_one();
}

void AuditLog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, settings_.flush_interval,
                   [&] { return stop_ || flush_requested_ || pending_.size() >= settings_.batch_size; });
    flush_requested_ = false;
    if (pending_.empty()) {
      if (stop_) break;
      bool due = std::chrono::steady_clock::now() - last_write_ >= settings_.probe_interval;
      if (!due) continue;
      lock.unlock();
      probe();
      lock.lock();
      continue;
    }
    std::vector<Pending> batch;
    batch.swap(pending_);
    std::uint64_t upto = enqueued_;
    lock.unlock();
    write_batch(batch);
    lock.lock();
    // Also after a failed write: flush() waiters must not hang on entries that are lost.
    written_ = upto;
    written_cv_.notify_all();
  }
  written_ = enqueued_;
  written_cv_.notify_all();
}

namespace {

constexpr int kColumns = 10;
// Rows per INSERT statement: a statement's own steps (its transaction check, the AUTOINCREMENT
// counter read and written back) are paid once for this many rows.
constexpr std::size_t kRowsPerInsert = 16;

// INSERT INTO audit_log (..) VALUES (..), .. with `rows` rows of placeholders.
std::string insert_sql(std::size_t rows) {
  std::string sql =
      "INSERT INTO audit_log (timestamp_ms, username, credentials, address, method, params, outcome, error, "
      "job_id, duration_ms) VALUES ";
  for (std::size_t i = 0; i < rows; ++i)
    sql += i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  return sql;
}

}  // namespace

void AuditLog::write_batch(std::vector<Pending>& batch) {
  // The params' redacted text, one per row; reserved whole, so that no string moves while a
  // statement points at it.
  std::vector<std::string> params_texts;
  params_texts.reserve(batch.size());
  // Binds `p` to the placeholders of one row, the first of which is `first`. The texts are bound
  // without a copy: `batch` and `params_texts` outlive every statement's step.
  auto bind_row = [&](SQLite::Statement& insert, int first, const Pending& p) {
    insert.bind(first, static_cast<int64_t>(p.timestamp_ms));
    insert.bindNoCopy(first + 1, p.username);
    insert.bindNoCopy(first + 2, p.credentials);
    insert.bindNoCopy(first + 3, p.address);
    insert.bindNoCopy(first + 4, p.method);
    if (p.params)
      insert.bindNoCopy(first + 5,
                        params_texts.emplace_back(json::serialize(redact_params(*p.params, *p.secret_positions))));
    insert.bindNoCopy(first + 6, outcome_text(p.outcome));
    if (p.outcome != rpc::CallOutcome::Success) insert.bindNoCopy(first + 7, p.error);
    if (p.job_id) insert.bind(first + 8, *p.job_id);
    insert.bind(first + 9, p.duration_ms);
  };
  try {
    store_->write([&](SQLite::Database& db) {
      // Prepared once for the store's life (cached_statement), not once per batch.
      static const std::string kInsertMany = insert_sql(kRowsPerInsert), kInsertOne = insert_sql(1);
      static const std::string kTrim = "DELETE FROM audit_log WHERE id <= (SELECT MAX(id) FROM audit_log) - ?";
      std::size_t next = 0;
      for (; batch.size() - next >= kRowsPerInsert; next += kRowsPerInsert) {
        SQLite::Statement& insert = cached_statement(db, kInsertMany);
        for (std::size_t i = 0; i < kRowsPerInsert; ++i)
          bind_row(insert, 1 + static_cast<int>(i) * kColumns, batch[next + i]);
        insert.exec();
      }
      for (; next < batch.size(); ++next) {
        SQLite::Statement& insert = cached_statement(db, kInsertOne);
        bind_row(insert, 1, batch[next]);
        insert.exec();
      }
      // Retention by id: a range delete on the primary key, nothing to do most of the time.
      SQLite::Statement& trim = cached_statement(db, kTrim);
      trim.bind(1, static_cast<int64_t>(settings_.max_rows));
      trim.exec();
    });
    set_status(true, {});
  } catch (const std::exception& e) {
    log_->error("audit log: {} entries could not be written: {}", batch.size(), e.what());
    set_status(false, e.what());
    std::lock_guard lock(mutex_);
    dropped_ += batch.size();
  }
}

void AuditLog::probe() {
  try {
    store_->write([](SQLite::Database& db) {
      SQLite::Statement st(db,
                           "INSERT INTO health_probe (id, at_ms) VALUES (1, ?) "
                           "ON CONFLICT(id) DO UPDATE SET at_ms = excluded.at_ms");
      st.bind(1, static_cast<int64_t>(util::now_ms()));
      st.exec();
    });
    set_status(true, {});
  } catch (const std::exception& e) {
    if (write_status().ok) log_->error("database write probe failed: {}", e.what());
    set_status(false, e.what());
  }
}

void AuditLog::set_status(bool ok, std::string error) {
  std::lock_guard lock(mutex_);
  status_ = WriteStatus{ok, std::move(error)};
  last_write_ = std::chrono::steady_clock::now();
}

void AuditLog::flush() {
  std::unique_lock lock(mutex_);
  std::uint64_t target = enqueued_;
  if (written_ >= target) return;
  flush_requested_ = true;
  wake_.notify_one();
  written_cv_.wait(lock, [&] { return written_ >= target; });
}

json::value AuditLog::query(const json::array& filters, const json::object& options) {
  flush();
  json::array rows;
  store_->read([&](SQLite::Database& db) {
    SQLite::Statement st(db,
                         "SELECT id, timestamp_ms, username, credentials, address, method, params, outcome, error, "
                         "job_id, duration_ms FROM audit_log ORDER BY id");
    while (st.executeStep()) rows.push_back(row_to_entry(st));
  });
  return query::filter_list(rows, filters, options);
}

WriteStatus AuditLog::write_status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::uint64_t AuditLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace mw::audit
