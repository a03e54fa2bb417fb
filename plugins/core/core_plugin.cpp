#include "core/core_plugin.hpp"
#include "core/bulk.hpp"
#include "core/method_catalog.hpp"

#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>

namespace mw::plugins::core {
namespace {

Session& session_of(CallContext& ctx) {
  if (!ctx.session) throw CallError("This method needs a client connection", EINVAL);
  return *ctx.session;
}

class CorePlugin : public Plugin {
 public:
  std::string name() const override { return "core"; }

  void setup(PluginContext& ctx) override {
    ctx_ = &ctx;
    catalog_ = std::make_unique<MethodCatalog>(ctx);
    ctx.add_method({.name = "core.ping",
                    .description = "Answers \"pong\"; needs no login.",
                    .no_auth = true,
                    .may_block = false,
                    .handler = [](CallContext&, json::array&) -> json::value { return "pong"; }});

    ctx.add_method({.name = "core.set_options",
                    .description = "Sets per-connection options (legacy_jobs, private_methods, py_exceptions) "
                                   "and returns all of them.",
                    .no_auth = true,
                    .may_block = false,
                    .handler = [](CallContext& c, json::array& p) -> json::value {
                      return session_of(c).set_options(p.at(0).as_object());
                    }});

    ctx.add_method({.name = "core.get_methods",
                    .description = "Describes the public methods the caller may call (of one service, or all): "
                                   "description, flags, roles, one schema per argument and the result's.",
                    .handler = [this](CallContext& c, json::array& p) -> json::value {
                      std::optional<std::string> service;
                      if (p.at(0).is_string()) service = std::string(p.at(0).get_string());
                      return catalog_->list(c.credentials.get(), service);
                    }});

    ctx.add_method(
        {.name = "core.bulk",
         .description = "Calls a method once per argument list, in order, as one job; the result lists "
                        "each call's {job_id, result, error}.",
         .job = true,
         .job_lock = [](const json::array& p) { return "bulk:" + std::string(p.at(0).as_string()); },
         .handler = [this](CallContext& c, json::array& p) -> json::value { return run_bulk(*ctx_, c, p); }});

    ctx.add_method({.name = "core.subscribe",
                    .description = "Subscribes this connection to an event source; returns the subscription id.",
                    .handler = [](CallContext& c, json::array& p) -> json::value {
                      return json::value(session_of(c).subscribe(std::string(p.at(0).as_string())));
                    }});

    ctx.add_method({.name = "core.unsubscribe",
                    .description = "Ends a subscription.",
                    .handler = [](CallContext& c, json::array& p) -> json::value {
                      session_of(c).unsubscribe(std::string(p.at(0).as_string()));
                      return nullptr;
                    }});

    ctx.add_method({.name = "core.get_jobs",
                    .description = "Queries the jobs the caller may see (query-filters and query-options).",
                    .filterable = true,
                    .handler = [this](CallContext& c, json::array& p) -> json::value {
                      const json::object& options = p.at(1).as_object();
                      bool raw = false;
                      if (auto* extra = options.if_contains("extra"); extra && extra->is_object())
                        if (auto* r = extra->as_object().if_contains("raw_result"); r && r->is_bool())
                          raw = r->get_bool();
                      json::array jobs = ctx_->jobs().list(c.credentials.get(), raw);
                      return query::filter_list(jobs, p.at(0).as_array(), options);
                    }});

    ctx.add_method({.name = "core.job_wait",
                    .description = "Waits for a job to end and returns its result (or fails with its error).",
                    .job = true,
                    .handler = [this](CallContext& c, json::array& p) -> json::value {
                      return ctx_->jobs().wait(static_cast<int>(p.at(0).as_int64()), c.credentials.get(), c.job);
                    }});

    ctx.add_method({.name = "core.download",
                    .description = "Starts a job that produces a download and returns [job id, URL]; GET the URL "
                                   "(single-use, valid 5 minutes) for the job's output.",
                    .handler = [this](CallContext& c, json::array& p) -> json::value {
                      return ctx_->start_download(std::string(p.at(0).as_string()), p.at(1).as_array(), c.credentials,
                                                  c.peer(), std::string(p.at(2).as_string()), p.at(3).as_bool());
                    }});

    ctx.add_method({.name = "core.job_download_logs",
                    .description = "URL of a job's log file (its logs_path), served once through /_download as "
                                   "core.download's; `This job has no logs` for a job that wrote none.",
                    .handler = [this](CallContext& c, json::array& p) -> json::value {
                      const int64_t id = p.at(0).as_int64();
                      for (const auto& job : ctx_->jobs().list(c.credentials.get(), false)) {
                        if (job.at("id") != id) continue;
                        const json::value& path = job.at("logs_path");
                        if (!path.is_string()) throw CallError("This job has no logs");
                        return json::string(ctx_->offer_download(static_cast<int>(id), std::string(path.get_string()),
                                                                 std::string(p.at(1).as_string()), c.peer()));
                      }
                      throw ValidationErrors::single(std::nullopt,
                                                     "Job with id " + std::to_string(id) + " does not exist");
                    }});

    ctx.add_method({.name = "core.job_abort",
                    .description = "Asks a job to stop; a waiting job ends ABORTED at once.",
                    .handler = [this](CallContext& c, json::array& p) -> json::value {
                      ctx_->jobs().abort(static_cast<int>(p.at(0).as_int64()), c.credentials.get());
                      return nullptr;
                    }});
  }

 private:
  PluginContext* ctx_ = nullptr;
  std::unique_ptr<MethodCatalog> catalog_;
};

}  // namespace

std::unique_ptr<Plugin> make_core_plugin() { return std::make_unique<CorePlugin>(); }

}  // namespace mw::plugins::core
