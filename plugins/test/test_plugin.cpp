#include "test/test_plugin.hpp"

#include <pthread.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <middlewared/errors.hpp>
#include <middlewared/http.hpp>

namespace mw::plugins::test {
namespace {

using namespace std::chrono_literals;

// Sleeps `seconds` in 10 steps, reporting progress; honours abort.
void sleep_with_progress(Job& job, double seconds) {
  auto step = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(seconds / 10));
  for (int i = 1; i <= 10; ++i) {
    if (job.wait_for_abort(step)) throw JobAborted();
    job.set_progress(i * 10, "step " + std::to_string(i) + " of 10");
  }
}

// /_test/socket: echoes what it gets; "login" marks the connection authenticated instead.
class EchoSocket : public WebSocketHandler {
 public:
  explicit EchoSocket(std::shared_ptr<WebSocketChannel> channel) : channel_(std::move(channel)) {}
  void on_message(std::string data, bool binary) override {
    if (data != "login") return channel_->send(std::move(data), binary);
    channel_->set_authenticated();
    channel_->send("logged in", false);
  }
  void on_close() override { channel_.reset(); }

 private:
  std::shared_ptr<WebSocketChannel> channel_;
};

// `count` strings of `size` "x" each, as a JSON list written part by part; appending the element
// at `fail_after` throws (a stream that fails half-way).
class StringListParts final : public ListParts {
 public:
  StringListParts(std::int64_t count, std::int64_t size, std::optional<std::int64_t> fail_after)
      : count_(static_cast<std::size_t>(count)),
        element_('"' + std::string(static_cast<std::size_t>(size), 'x') + '"'),
        fail_after_(fail_after) {}
  std::size_t count() const override { return count_; }
  void append(std::string& out, std::size_t i) const override {
    if (fail_after_ && static_cast<std::int64_t>(i) >= *fail_after_)
      throw std::runtime_error("test.stream failed on purpose");
    out += element_;
  }

 private:
  std::size_t count_;
  std::string element_;
  std::optional<std::int64_t> fail_after_;
};

class TestPlugin : public Plugin {
 public:
  std::string name() const override { return "test"; }

  void setup(PluginContext& ctx) override {
    ctx.add_method({.name = "test.echo",
                    .description = "Returns its argument.",
                    .handler = [](CallContext&, json::array& p) -> json::value { return p.at(0); }});

    ctx.add_method({.name = "test.sleep",
                    .description = "Blocks a worker for the given seconds, then returns true.",
                    .handler = [](CallContext&, json::array& p) -> json::value {
                      std::this_thread::sleep_for(std::chrono::duration<double>(p.at(0).to_number<double>()));
                      return true;
                    }});

    ctx.add_method({.name = "test.job_sleep",
                    .description = "A job that sleeps the given seconds with progress, then returns 42.",
                    .job = true,
                    .handler = [](CallContext& c, json::array& p) -> json::value {
                      sleep_with_progress(*c.job, p.at(0).to_number<double>());
                      return 42;
                    }});

    ctx.add_method({.name = "test.locked_job",
                    .description = "A job holding lock `test_<name>` for the given seconds; returns its job id.",
                    .job = true,
                    .job_lock = [](const json::array& p) { return "test_" + std::string(p.at(0).as_string()); },
                    .handler = [](CallContext& c, json::array& p) -> json::value {
                      sleep_with_progress(*c.job, p.at(1).to_number<double>());
                      return c.job->id();
                    }});

    ctx.add_method(
        {.name = "test.exclusive_job",
         .description = "Like test.locked_job but with no queue: a second call while it runs fails EBUSY.",
         .job = true,
         .job_lock = [](const json::array& p) { return "test_exclusive_" + std::string(p.at(0).as_string()); },
         .lock_queue_size = 0,
         .handler = [](CallContext& c, json::array& p) -> json::value {
           sleep_with_progress(*c.job, p.at(1).to_number<double>());
           return c.job->id();
         }});

    ctx.add_method({.name = "test.job_noop",
                    .description = "A job that takes any argument and returns null.",
                    .job = true,
                    .handler = [](CallContext&, json::array&) -> json::value { return nullptr; }});

    ctx.add_method({.name = "test.job_log",
                    .description = "A job that writes each given line to its log and returns null.",
                    .job = true,
                    .handler = [](CallContext& c, json::array& p) -> json::value {
                      for (const auto& line : p.at(0).as_array()) c.job->log(std::string(line.as_string()) + "\n");
                      return nullptr;
                    }});

    ctx.add_method({.name = "test.fail_job",
                    .description = "A job that fails with CallError of the given errno.",
                    .job = true,
                    .handler = [](CallContext&, json::array& p) -> json::value {
                      throw CallError("Job failed on purpose", static_cast<int>(p.at(0).as_int64()));
                    }});

    ctx.add_method({.name = "test.fail",
                    .description = "Fails with CallError of the given errno and message.",
                    .handler = [](CallContext&, json::array& p) -> json::value {
                      throw CallError(std::string(p.at(1).as_string()), static_cast<int>(p.at(0).as_int64()));
                    }});

    ctx.add_method({.name = "test.locked_wait",
                    .description = "A job holding lock `test_<name>` that sleeps, then waits for another job.",
                    .job = true,
                    .job_lock = [](const json::array& p) { return "test_" + std::string(p.at(0).as_string()); },
                    .handler = [&ctx](CallContext& c, json::array& p) -> json::value {
                      sleep_with_progress(*c.job, p.at(2).to_number<double>());
                      return ctx.jobs().wait(static_cast<int>(p.at(1).as_int64()), c.credentials.get(), c.job);
                    }});

    // Failures nobody planned for: the client must get the fixed text and the daemon must live on.
    ctx.add_method({.name = "test.throw",
                    .description = "Throws an exception that is none of the daemon's error types.",
                    .handler = [](CallContext&, json::array& p) -> json::value {
                      if (p.at(0) == "std") throw std::runtime_error("secret detail /var/lib/x thrown on purpose");
                      throw 42;
                    }});
    // The same failure from a method that runs to completion on the I/O thread: the thread must
    // answer the error and go on serving.
    ctx.add_method({.name = "test.throw_inline",
                    .description = "As test.throw, from a method that cannot block (run on the I/O thread).",
                    .may_block = false,
                    .handler = [](CallContext&, json::array& p) -> json::value {
                      if (p.at(0) == "std") throw std::runtime_error("secret detail /var/lib/x thrown on purpose");
                      throw 42;
                    }});
    // A result that is streamed where the caller can take a stream, and written whole elsewhere.
    ctx.add_method({.name = "test.stream",
                    .description = "Returns `count` strings of `size` x's each, streamed where the caller takes "
                                   "a stream; with `fail_after`, fails once that many are written.",
                    .may_block = false,
                    .handler = [](CallContext& c, json::array& p) -> json::value {
                      std::optional<std::int64_t> fail_after;
                      if (p.size() > 2 && !p[2].is_null()) fail_after = p[2].to_number<std::int64_t>();
                      auto parts = std::make_unique<StringListParts>(p.at(0).to_number<std::int64_t>(),
                                                                     p.at(1).to_number<std::int64_t>(), fail_after);
                      if (c.result_text_allowed && c.result_text.can_stream()) {
                        c.result_text.stream(std::move(parts));
                        return nullptr;
                      }
                      std::string text;
                      while (parts->next(text, std::numeric_limits<std::size_t>::max())) {
                      }
                      return json::parse(text);
                    }});
    // Where a call ran, as the thread's name: "mw-io-<n>" for the I/O threads.
    for (bool may_block : {false, true}) {
      ctx.add_method({.name = may_block ? "test.worker_thread_name" : "test.thread_name",
                      .description = "Names the thread that ran it.",
                      .may_block = may_block,
                      .handler = [](CallContext&, json::array&) -> json::value {
                        char name[32] = {};
                        pthread_getname_np(pthread_self(), name, sizeof name);
                        return json::string(name);
                      }});
    }
    ctx.add_method({.name = "test.throw_in_background",
                    .description = "Posts a task that throws onto the I/O thread; returns true.",
                    .handler = [&ctx](CallContext&, json::array&) -> json::value {
                      boost::asio::post(ctx.io_executor(),
                                        [] { throw std::runtime_error("thrown on the I/O thread on purpose"); });
                      return true;
                    }});
    // A handler that breaks its own result schema: a daemon run with --check-results must fail it.
    ctx.add_method({.name = "test.bad_result",
                    .description = "Returns a string although its result schema says integer.",
                    .handler = [](CallContext&, json::array&) -> json::value { return "not an integer"; }});
    ctx.add_method({.name = "test.bad_result_job",
                    .description = "A job that returns a string although its result schema says integer.",
                    .job = true,
                    .handler = [](CallContext&, json::array&) -> json::value { return "not an integer"; }});
    ctx.add_http_route("/_test/throw", [](const HttpRequest&) -> HttpReply { throw 42; });

    ctx.add_event({.name = "test.events", .description = "Events published by test.publish"});
    ctx.add_method({.name = "test.publish",
                    .description = "Publishes `count` changed events on test.events with ids 1..count.",
                    .handler = [&ctx](CallContext&, json::array& p) -> json::value {
                      auto count = p.at(0).as_int64();
                      for (int64_t i = 1; i <= count; ++i)
                        ctx.events().publish("test.events", EventKind::Changed, i, json::object{{"n", i}});
                      return count;
                    }});

    ctx.add_websocket_route("/_test/socket", [](const HttpRequest&, std::shared_ptr<WebSocketChannel> channel) {
      return std::make_shared<EchoSocket>(std::move(channel));
    });
  }
};

}  // namespace

std::unique_ptr<Plugin> make_test_plugin() { return std::make_unique<TestPlugin>(); }

}  // namespace mw::plugins::test
