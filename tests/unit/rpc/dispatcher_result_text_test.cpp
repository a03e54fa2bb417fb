// A handler may answer with JSON text it already holds (CallContext::result_text) instead of a
// value, or stream it while it is sent (ResultText::stream). The client must not be able to tell:
// the answer is the one the value would give, the result check still sees the result, and a
// stream is only offered where the whole text is not needed.
#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "events/event_hub.hpp"
#include "jobs/job_manager.hpp"
#include "rpc/dispatcher.hpp"
#include "rpc/method_table.hpp"
#include "support/recording_connection.hpp"

namespace mw::rpc {
namespace {

using test::make_credentials;
using test::RecordingConnection;

// Hands the text out a few bytes at a time, so that the answer really is put together from parts.
class TextInParts : public ResultParts {
 public:
  explicit TextInParts(std::string text) : text_(std::move(text)) {}
  bool next(std::string& out, std::size_t size) override {
    std::size_t n = std::min<std::size_t>({3, size, text_.size() - done_});
    out.append(text_, done_, n);
    done_ += n;
    return done_ < text_.size();
  }

 private:
  std::string text_;
  std::size_t done_ = 0;
};

constexpr const char* kResultSchema = R"({"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]})";

class DispatcherResultTextTest : public ::testing::Test {
 protected:
  DispatcherResultTextTest() {
    add("test.value", [](CallContext&, json::array& p) { return p.at(0); });
    // What a handler returns besides its text is not the result: this value would pass the
    // result check, so a check that looked at it instead of the text would be caught.
    add("test.text", [](CallContext& c, json::array& p) -> json::value {
      c.result_text.out() += p.at(0).as_string();
      return json::object{{"n", 0}};
    });
    add("test.stream", [this](CallContext& c, json::array& p) -> json::value {
      stream_offered = c.result_text.can_stream();
      if (stream_offered)
        c.result_text.stream(std::make_unique<TextInParts>(std::string(p.at(0).as_string())));
      else
        c.result_text.out() += p.at(0).as_string();
      return nullptr;
    });
    // test.value takes any value, the others the text to answer with.
    methods.compile({{"test/value.params.json", R"({"type":"array","items":[{}]})"},
                     {"test/text.params.json", R"({"type":"array","items":[{"type":"string"}]})"},
                     {"test/stream.params.json", R"({"type":"array","items":[{"type":"string"}]})"},
                     {"test/value.result.json", kResultSchema},
                     {"test/text.result.json", kResultSchema},
                     {"test/stream.result.json", kResultSchema}});
  }

  void add(std::string name, Handler handler) {
    MethodSpec spec;
    spec.name = std::move(name);
    spec.may_block = false;  // runs within on_message: the answer is there when it returns
    spec.handler = std::move(handler);
    methods.add(std::move(spec));
  }

  std::unique_ptr<Dispatcher> dispatcher(ResultCheck check) {
    auto log = std::make_shared<spdlog::logger>("dispatcher", std::make_shared<spdlog::sinks::null_sink_mt>());
    return std::make_unique<Dispatcher>(methods, jobs, 1, std::move(log), check);
  }

  std::shared_ptr<RecordingConnection> connect(session::WireFormat format = session::WireFormat::JsonRpc) {
    auto c = std::make_shared<RecordingConnection>(hub, make_credentials("root", {kFullAdmin}),
                                                   PeerInfo{PeerInfo::Transport::Unix}, format);
    c->set_handshake_done();  // the legacy protocol's `connect`
    return c;
  }

  // The one message that answers `method` called with `argument`, as sent.
  static std::string answer(Dispatcher& d, const std::shared_ptr<RecordingConnection>& c, const std::string& method,
                            const json::value& argument) {
    std::size_t before = c->count();
    json::object request{{"id", 7}, {"method", method}, {"params", json::array{argument}}};
    if (c->wire_format() == session::WireFormat::Legacy)
      request["msg"] = "method";
    else
      request["jsonrpc"] = "2.0";
    d.on_message(c, json::serialize(request));
    auto frames = c->frames();
    EXPECT_EQ(frames.size(), before + 1) << method;
    return frames.size() == before + 1 ? frames.back() : std::string();
  }

  events::EventHub hub;
  jobs::JobManager jobs{hub, 1};
  MethodTable methods;
  bool stream_offered = false;
};

TEST_F(DispatcherResultTextTest, ATextResultIsAnsweredAsTheSameValueReturned) {
  // As the value would be written, so that the two answers can be compared byte for byte.
  const std::string text = json::serialize(json::parse(R"({"n":1,"s":"caf\u00e9 \"quoted\"","list":[1.5,null,true]})"));
  for (auto format : {session::WireFormat::JsonRpc, session::WireFormat::Legacy}) {
    for (auto check : {ResultCheck::off, ResultCheck::fail}) {
      SCOPED_TRACE(testing::Message() << "legacy=" << (format == session::WireFormat::Legacy)
                                      << " check=" << static_cast<int>(check));
      auto d = dispatcher(check);
      auto c = connect(format);
      std::string from_value = answer(*d, c, "test.value", json::parse(text));
      EXPECT_EQ(answer(*d, c, "test.text", json::string(text)), from_value);
      EXPECT_EQ(json::parse(from_value).at("result"), json::parse(text)) << from_value;
    }
  }
}

TEST_F(DispatcherResultTextTest, WithTheResultCheckATextThatBreaksTheSchemaFailsTheCall) {
  const std::string broken = R"({"s":"no n"})";
  {
    auto d = dispatcher(ResultCheck::fail);
    auto c = connect();
    // The same failure as the value gives.
    for (const auto& [method, argument] : {std::pair<std::string, json::value>{"test.text", json::string(broken)},
                                           std::pair<std::string, json::value>{"test.value", json::parse(broken)}}) {
      auto failed = json::parse(answer(*d, c, method, argument)).as_object();
      ASSERT_TRUE(failed.contains("error")) << method << ": " << json::serialize(failed);
      EXPECT_EQ(failed.at("error").at("data").at("errname"), "EBADMSG") << method;
      EXPECT_NE(json::serialize(failed).find(method + " returned a result that breaks its schema"), std::string::npos)
          << json::serialize(failed);
    }
  }
  // Unchecked, the text goes out as written.
  auto d = dispatcher(ResultCheck::off);
  auto c = connect();
  EXPECT_EQ(json::parse(answer(*d, c, "test.text", json::string(broken))).at("result"), json::parse(broken));
}

TEST_F(DispatcherResultTextTest, AStreamedResultIsSentAsAStreamAndEqualsTheWholeText) {
  const std::string text = R"({"n":2,"rows":[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}]})";
  auto d = dispatcher(ResultCheck::off);
  auto c = connect();
  std::string whole = answer(*d, c, "test.text", json::string(text));
  EXPECT_EQ(c->streamed(), 0u);
  EXPECT_EQ(answer(*d, c, "test.stream", json::string(text)), whole);
  EXPECT_TRUE(stream_offered);
  EXPECT_EQ(c->streamed(), 1u);
}

// The result check parses the whole text, the legacy protocol wraps a result it has seen whole,
// and a call without an id is not answered: none of them is offered a stream, and the handler
// writes the text whole instead.
TEST_F(DispatcherResultTextTest, NoStreamIsOfferedWhereTheWholeTextIsNeeded) {
  const std::string text = R"({"n":3})";
  struct Case {
    const char* name;
    ResultCheck check;
    session::WireFormat format;
  };
  for (const Case& k : {Case{"result check", ResultCheck::fail, session::WireFormat::JsonRpc},
                        Case{"legacy protocol", ResultCheck::off, session::WireFormat::Legacy}}) {
    SCOPED_TRACE(k.name);
    auto d = dispatcher(k.check);
    auto c = connect(k.format);
    stream_offered = true;
    std::string streamed = answer(*d, c, "test.stream", json::string(text));
    EXPECT_FALSE(stream_offered);
    EXPECT_EQ(c->streamed(), 0u);
    EXPECT_EQ(streamed, answer(*d, c, "test.value", json::parse(text)));
  }
  auto d = dispatcher(ResultCheck::off);
  auto c = connect();
  stream_offered = true;
  d->on_message(c, R"({"jsonrpc":"2.0","method":"test.stream","params":["{\"n\":3}"]})");
  EXPECT_FALSE(stream_offered);
  EXPECT_EQ(c->count(), 0u);
}

}  // namespace
}  // namespace mw::rpc
