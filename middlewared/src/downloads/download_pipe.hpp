#pragma once
// A job's download pipe (core.download): the job writes into it on its own thread, the /_download
// reply reads from it as the client takes the bytes. Unbuffered, the writer waits while a window
// of bytes is unread and gives up when no reader came in time, as TrueNAS's OS pipe does;
// buffered, everything is kept until fetched.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include <middlewared/http.hpp>
#include <middlewared/job.hpp>

namespace mw::downloads {

class DownloadPipe : public JobOutput, public HttpBodySource {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    std::size_t window = 1u << 20;          // unbuffered: unread bytes before the writer waits
    std::size_t buffered_max = 256u << 20;  // buffered: beyond this the job fails (EFBIG)
    std::size_t piece_max = 256u << 10;     // largest piece handed to the reader at once
  };

  // `reader_deadline`: when no reader has attached by then, the download is abandoned.
  DownloadPipe(bool buffered, Clock::time_point reader_deadline, Limits limits);
  DownloadPipe(bool buffered, Clock::time_point reader_deadline) : DownloadPipe(buffered, reader_deadline, Limits{}) {}

  // --- writer (the job) ---
  void write(std::string_view bytes) override;
  // End of the body; called when the job ends, whatever its outcome.
  void close();

  // --- reader (the /_download reply) ---
  // Marks the reader present (the first GET); false when the pipe was already taken or abandoned.
  bool attach();
  void read(std::function<void(std::string piece, bool end)> deliver) override;
  void cancel() override;

  // The reader's deadline passed without a reader, or the reader went away.
  bool abandoned() const;

 private:
  // With the lock held: hands the pending reader what there is, returned for calling unlocked.
  std::function<void()> serve_locked();

  const bool buffered_;
  const Clock::time_point reader_deadline_;
  const Limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable space_;
  std::string data_;
  bool closed_ = false;
  bool attached_ = false;
  bool abandoned_ = false;
  std::function<void(std::string, bool)> pending_;
};

}  // namespace mw::downloads
