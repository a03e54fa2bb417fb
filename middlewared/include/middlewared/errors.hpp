#pragma once
// The errors a handler may throw. The core maps each to its JSON-RPC shape in one place
// Plugins never build wire errors themselves.
#include <cerrno>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include <middlewared/json.hpp>

namespace mw {

// One invalid input: `attribute` is the dotted path ("vm_create.memory"); nullopt prints as None.
struct ValidationError {
  std::optional<std::string> attribute;
  std::string message;
  int errnum = EINVAL;
};

// Input that is wrong whatever the state: -32602 "Invalid params". Collect every error of a call,
// then throw once (TrueNAS returns them together).
class ValidationErrors : public std::exception {
 public:
  ValidationErrors() = default;
  explicit ValidationErrors(std::vector<ValidationError> errors) : errors_(std::move(errors)) {}
  ValidationErrors(std::optional<std::string> attribute, std::string message, int errnum = EINVAL) {
    add(std::move(attribute), std::move(message), errnum);
  }

  // TrueNAS raises some errors (get_instance's "VM 5 does not exist") as one bare ValidationError,
  // whose reason lacks the trailing newline that a ValidationErrors collection prints.
  static ValidationErrors single(std::optional<std::string> attribute, std::string message, int errnum = EINVAL) {
    ValidationErrors v(std::move(attribute), std::move(message), errnum);
    v.single_ = true;
    return v;
  }
  bool is_single() const { return single_ && errors_.size() == 1; }

  void add(std::optional<std::string> attribute, std::string message, int errnum = EINVAL) {
    errors_.push_back({std::move(attribute), std::move(message), errnum});
  }
  void extend(const ValidationErrors& other) {
    errors_.insert(errors_.end(), other.errors_.begin(), other.errors_.end());
  }
  bool empty() const { return errors_.empty(); }
  void throw_if_any() const {
    if (!errors_.empty()) throw *this;
  }
  const std::vector<ValidationError>& errors() const { return errors_; }
  const char* what() const noexcept override;

 private:
  std::vector<ValidationError> errors_;
  bool single_ = false;
  mutable std::string what_;
};

// A valid request the current state refuses: -32001 with "[ERRNAME] message".
class CallError : public std::exception {
 public:
  explicit CallError(std::string message, int errnum = EFAULT, json::value extra = nullptr)
      : message_(std::move(message)), errnum_(errnum), extra_(std::move(extra)) {}
  const std::string& message() const { return message_; }
  int errnum() const { return errnum_; }
  const json::value& extra() const { return extra_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
  int errnum_;
  json::value extra_;
};

// `get: true` query without a match; TrueNAS reports it as the bare repr "MatchNotFound()".
class MatchNotFound : public std::exception {
 public:
  const char* what() const noexcept override { return "MatchNotFound()"; }
};

// Thrown out of a job when its abort was requested; the job ends ABORTED.
class JobAborted : public std::exception {
 public:
  const char* what() const noexcept override { return "Job aborted"; }
};

// Linux errno names plus TrueNAS's custom ones (201..210); "EUNKNOWN" otherwise.
std::string errno_name(int errnum);

// TrueNAS custom errno values.
inline constexpr int ENOMETHOD = 201;
inline constexpr int ENOTAUTHENTICATED = 207;

}  // namespace mw
