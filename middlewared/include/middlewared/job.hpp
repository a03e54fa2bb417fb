#pragma once
// What a job method's handler sees of its job (API-SPEC section 3).
#include <chrono>
#include <string_view>

#include <middlewared/json.hpp>

namespace mw {

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
};

}  // namespace mw
