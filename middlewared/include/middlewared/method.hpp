#pragma once
// A method is declared once, as data (ARCHITECTURE.md "How a call flows"): the schema files under
// schemas/<name with dots as slashes>.{params,result}.json are the contract, this is the policy.
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <middlewared/credentials.hpp>
#include <middlewared/job.hpp>
#include <middlewared/json.hpp>
#include <middlewared/result_text.hpp>
#include <middlewared/session.hpp>

namespace mw {

// The file a client sends through POST /_upload to a method marked `uploadable`, in order, as it
// arrives: it is never held whole in memory.
class UploadSource {
 public:
  virtual ~UploadSource() = default;
  // Up to `size` bytes into `out`, waiting for them; 0 at the end of the file. Throws
  // CallError(EPIPE) when the client went away before sending all of it.
  virtual std::size_t read(char* out, std::size_t size) = 0;
};

// The answer of a call that ends on another thread (CallContext::answer_later). Exactly one of
// succeed() and fail() ends the call; later ones do nothing. Dropped without either, the call
// ends with an error, so that a client never waits for an answer nobody will send. It answers
// through the dispatcher: end it while the daemon still serves calls.
class LaterAnswer {
 public:
  virtual ~LaterAnswer() = default;
  // Where the result's JSON text goes before succeed(), as CallContext::result_text.
  virtual ResultText& result_text() = 0;
  virtual void succeed() noexcept = 0;
  virtual void fail(std::exception_ptr error) noexcept = 0;
};

// How a handler ends its call later, from another thread: set where the caller can take the
// answer later (a client's call; not an in-process call or a job), empty otherwise. A handler that
// calls it returns at once (what it returns is not used) and ends the call through the object it
// got: the thread it ran on is free meanwhile, instead of sleeping until the answer is known. Its
// result goes as JSON text, unchecked by the handler's return; a handler that throws after
// calling it fails the call with what it threw.
class AnswerLater {
 public:
  using Make = std::function<std::shared_ptr<LaterAnswer>()>;
  AnswerLater() = default;
  explicit AnswerLater(Make make) : make_(std::move(make)) {}
  explicit operator bool() const { return static_cast<bool>(make_); }
  // The call's answer, from now on the handler's to end.
  std::shared_ptr<LaterAnswer> operator()() {
    auto answer = make_();
    taken_ = true;
    return answer;
  }
  // Whether the handler took it: the call is then its to end, not the dispatcher's.
  bool taken() const { return taken_; }

 private:
  Make make_;
  bool taken_ = false;
};

struct CallContext {
  std::string method;
  std::string call_id;                             // JSON-RPC id rendered as text, for logs
  std::shared_ptr<const Credentials> credentials;  // nullptr: not authenticated
  Session* session = nullptr;                      // nullptr for internal calls
  Job* job = nullptr;                              // set while a job method runs
  UploadSource* upload = nullptr;                  // the file of a job started through /_upload
  // A handler that already holds its answer as JSON text may append it to `result_text` (and
  // return anything) when `result_text_allowed`: the dispatcher then sends the text as the result
  // as is, without parsing it. Other callers (in-process calls, jobs) leave it false and get the value.
  bool result_text_allowed = false;
  ResultText result_text;
  AnswerLater answer_later;

  bool authenticated() const { return credentials != nullptr; }
  bool has_role(std::string_view role) const { return credentials && credentials->has_role(role); }
  const PeerInfo* peer() const { return session ? &session->peer() : nullptr; }
};

// Params arrive validated against the params schema, with declared defaults filled in.
using Handler = std::function<json::value(CallContext&, json::array& params)>;
// Computes a job's lock name from its params; throw (anything) when the params do not allow it.
using JobLock = std::function<std::string(const json::array& params)>;

struct MethodSpec {
  std::string name;  // "vm.create"
  std::string description;
  std::vector<std::string> roles;  // any one of these grants access; empty = any authenticated caller
  bool no_auth = false;            // callable before login
  bool job = false;
  JobLock job_lock;  // only for jobs; empty = no lock
  int lock_queue_size = 5;
  bool private_method = false;  // hidden from docs and core.get_methods unless asked
  bool filterable = false;      // a *.query method
  bool uploadable = false;      // a job that may be started through /_upload (CallContext::upload)
  bool downloadable = false;    // a job that writes a download when started by core.download (Job::output)
  // Whether the handler may wait for anything: SQLite writes, QMP, PAM, files, child processes,
  // another call or job. A method that cannot (it answers from memory, like core.ping or a query
  // of an in-memory snapshot) says false: it then runs to completion on the I/O thread that read
  // its frame, which writes the answer itself, instead of going to the worker pool
  // (docs/THREADS.md). Ignored for jobs, which always run on the job pool.
  bool may_block = true;
  Handler handler;
};

// Read-only view of a registered method, for core.get_methods and the docs generator.
struct MethodInfo {
  const MethodSpec* spec;
  const json::value* params_schema;
  const json::value* result_schema;
  // The same written out for clients (no $ref): one schema per argument; the result's in a list.
  const json::array* accepts = nullptr;
  const json::array* returns = nullptr;
};

}  // namespace mw
