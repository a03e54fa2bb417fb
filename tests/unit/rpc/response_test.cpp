#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <middlewared/errors.hpp>

#include "rpc/response.hpp"
#include "rpc/wire_protocol.hpp"

namespace mw::rpc {
namespace {

WireError wire_of(auto&& thrower) {
  try {
    thrower();
  } catch (...) {
    return current_exception_to_wire();
  }
  ADD_FAILURE() << "nothing thrown";
  return {};
}

TEST(EncodeResult, KeepsTrueNasKeyOrder) {
  EXPECT_EQ(encode_result(json::value("x"), json::value("pong")), R"({"jsonrpc":"2.0","result":"pong","id":"x"})");
}

// A handler writes its text into the buffer the wire protocol began (CallContext::result_text):
// each protocol's frame is the one it gives for the parsed value, and JSON-RPC's is built in place.
TEST(EncodeResult, TextWrittenInPlaceGivesEachProtocolsFrame) {
  for (WireFormat format : {WireFormat::JsonRpc, WireFormat::Legacy}) {
    const WireProtocol& protocol = wire_protocol(format);
    for (const char* result : {R"([{"id":1,"name":"a b"},{"id":2}])", "3", "null", R"({"x":"é","y":[true,null,-2]})"}) {
      for (const json::value& id :
           {json::value(7), json::value("abc"), json::value(nullptr), json::value("\x01\"é"), json::value(-1.5e300)}) {
        ResultText text;
        protocol.begin_result_text(id, text);
        text.reserve(std::string_view(result).size());
        const char* buffer_before = text.out().data();
        text.out() += result;
        EXPECT_EQ(text.text(), result);
        const std::string frame = protocol.end_result_text(id, text);
        EXPECT_EQ(frame, protocol.result(id, json::parse(result))) << result;
        if (format == WireFormat::JsonRpc) {
          EXPECT_EQ(frame.data(), buffer_before) << "the frame is the buffer the result was written into";
        }
      }
    }
  }
}

// A result written in parts: the elements of a JSON list, a few per part.
class Elements final : public ListParts {
 public:
  explicit Elements(std::vector<std::string> elements) : elements_(std::move(elements)) {}
  std::size_t count() const override { return elements_.size(); }
  void append(std::string& out, std::size_t i) const override { out += elements_[i]; }

 private:
  std::vector<std::string> elements_;
};

// Parts hold whole elements: asked for less than one, a part still holds one, and the list opens
// once. An empty list is one part.
TEST(ListPartsTest, EachPartHoldsWholeElementsAndTheListOpensOnce) {
  Elements list({R"("abc")", "12", "null"});
  std::vector<std::string> parts;
  for (bool more = true; more;) {
    std::string part;
    more = list.next(part, 1);
    parts.push_back(part);
  }
  EXPECT_EQ(parts, (std::vector<std::string>{R"(["abc")", ",12", ",null]"}));
  Elements empty({});
  std::string text;
  EXPECT_FALSE(empty.next(text, 1));
  EXPECT_EQ(text, "[]");
}

// A streamed result is JSON-RPC's usual frame, cut into parts of about the size asked (an element
// is never split), the envelope's head in the first and its tail in the last.
TEST(EncodeResult, StreamedResultIsTheUsualFrameInParts) {
  const WireProtocol& protocol = wire_protocol(WireFormat::JsonRpc);
  ASSERT_TRUE(protocol.streams_results());
  const std::vector<std::string> elements = {R"({"id":1,"name":"a b"})", "2", R"("\u00e9")", "null", "[true,{}]"};
  for (const json::value& id : {json::value(7), json::value("\x01\"é"), json::value(nullptr)}) {
    ResultText text;
    text.allow_stream();
    text.stream(std::make_unique<Elements>(elements));
    auto answer = protocol.streamed_result(id, text);
    ASSERT_TRUE(answer);
    std::string message;
    int frames = 0;
    for (bool last = false; !last;) {
      last = answer->next(8);
      EXPECT_FALSE(answer->part().empty());
      message += answer->part();
      ++frames;
    }
    const std::string list = R"([{"id":1,"name":"a b"},2,"\u00e9",null,[true,{}]])";
    ResultText whole;
    protocol.begin_result_text(id, whole);
    whole.out() += list;
    EXPECT_EQ(message, protocol.end_result_text(id, whole)) << "the same bytes as the text written whole";
    EXPECT_EQ(json::parse(message), json::parse(protocol.result(id, json::parse(list))));
    EXPECT_GE(frames, 4) << "the head, then parts of about 8 bytes";
  }
}

// A handler that streams where its caller cannot take a stream (a legacy client, the result
// check, an in-process call) is told at once, not answered with nothing.
TEST(EncodeResult, StreamingIsRefusedWhereTheCallerCannotTakeIt) {
  ResultText text;
  EXPECT_THROW(text.stream(std::make_unique<Elements>(std::vector<std::string>{"1"})), std::logic_error);
  EXPECT_FALSE(text.streamed());
  text.allow_stream();
  text.out() += "[]";
  EXPECT_THROW(text.stream(std::make_unique<Elements>(std::vector<std::string>{"1"})), std::logic_error)
      << "not after writing the text";
}

// The legacy protocol wraps results it has parsed: it never takes a stream.
TEST(EncodeResult, LegacyProtocolTakesNoStream) { EXPECT_FALSE(wire_protocol(WireFormat::Legacy).streams_results()); }

// Most handlers answer with a value: beginning the frame costs them nothing.
TEST(EncodeResult, UnwrittenResultTextHoldsNothing) {
  ResultText text;
  wire_protocol(WireFormat::JsonRpc).begin_result_text(json::value("x"), text);
  EXPECT_FALSE(text.written());
  EXPECT_TRUE(text.text().empty());
  EXPECT_EQ(text.take_frame(), kResultHead) << "taken unwritten, the frame is only its head";
}

TEST(EncodeError, ProtocolErrorHasNoData) {
  EXPECT_EQ(encode_error(nullptr, kMethodNotFound, "Method does not exist"),
            R"({"jsonrpc":"2.0","error":{"code":-32601,"message":"Method does not exist"},"id":null})");
}

TEST(ErrorMapping, CallErrorReasonCarriesErrnamePrefix) {
  auto w = wire_of([] { throw CallError("VM 'testvm' is already running"); });
  EXPECT_EQ(w.code, -32001);
  EXPECT_EQ(w.message, "Method call error");
  auto& d = w.data.as_object();
  EXPECT_EQ(d.at("error"), 14);
  EXPECT_EQ(d.at("errname"), "EFAULT");
  EXPECT_EQ(d.at("reason"), "[EFAULT] VM 'testvm' is already running");
  EXPECT_EQ(d.at("trace").at("class"), "CallError");
  EXPECT_TRUE(d.at("extra").is_null());
}

TEST(ErrorMapping, CustomErrnoNamesAreTrueNasOnes) {
  auto w = wire_of([] { throw CallError("Not authenticated", ENOTAUTHENTICATED); });
  EXPECT_EQ(w.data.at("errname"), "ENOTAUTHENTICATED");
  EXPECT_EQ(w.data.at("reason"), "[ENOTAUTHENTICATED] Not authenticated");
  EXPECT_EQ(errno_name(999), "EUNKNOWN");
  EXPECT_EQ(errno_name(ENOMEM), "ENOMEM");
}

TEST(ErrorMapping, ValidationErrorsBecomeInvalidParamsWithTriples) {
  auto w = wire_of([] {
    ValidationErrors v;
    v.add("vm_create.memory", "Field required");
    v.add(std::nullopt, "VM 5 does not exist", ENOENT);
    throw v;
  });
  EXPECT_EQ(w.code, -32602);
  EXPECT_EQ(w.message, "Invalid params");
  EXPECT_EQ(w.data.at("error"), 22);
  EXPECT_EQ(w.data.at("reason"), "[EINVAL] vm_create.memory: Field required\n[ENOENT] None: VM 5 does not exist\n");
  EXPECT_EQ(w.data.at("extra"),
            boost::json::parse(R"([["vm_create.memory","Field required",22],[null,"VM 5 does not exist",2]])"));
}

TEST(ErrorMapping, MatchNotFoundIsItsRepr) {
  auto w = wire_of([] { throw MatchNotFound(); });
  EXPECT_EQ(w.code, -32001);
  EXPECT_EQ(w.data.at("error"), 22);
  EXPECT_EQ(w.data.at("reason"), "MatchNotFound()");
}

TEST(ErrorMapping, UnexpectedExceptionIsEinvalWithAFixedTextNotItsOwn) {
  auto w = wire_of([] { throw std::runtime_error("boom: /secret/path"); });
  EXPECT_EQ(w.data.at("error"), 22);
  EXPECT_EQ(w.data.at("reason"), "Internal error (the daemon log has the details)");
  EXPECT_EQ(boost::json::serialize(w.data).find("boom"), std::string::npos);
  auto other = wire_of([] { throw 42; });
  EXPECT_EQ(other.data.at("reason"), "Internal error (the daemon log has the details)");
}

TEST(ErrorMapping, OnlyForeignExceptionsAreUnexpected) {
  auto ptr = [](auto&& thrower) {
    try {
      thrower();
    } catch (...) {
      return std::current_exception();
    }
    return std::exception_ptr();
  };
  EXPECT_TRUE(is_unexpected(ptr([] { throw std::out_of_range("x"); })));
  EXPECT_TRUE(is_unexpected(ptr([] { throw 1; })));
  EXPECT_FALSE(is_unexpected(ptr([] { throw CallError("x"); })));
  EXPECT_FALSE(is_unexpected(ptr([] { throw ValidationErrors("a", "b"); })));
  EXPECT_FALSE(is_unexpected(ptr([] { throw MatchNotFound(); })));
  EXPECT_FALSE(is_unexpected(ptr([] { throw JobAborted(); })));
}

TEST(JobFailure, UnexpectedExceptionShowsAFixedText) {
  std::exception_ptr e;
  try {
    throw std::logic_error("internal detail");
  } catch (...) {
    e = std::current_exception();
  }
  auto f = exception_to_job_failure(e);
  EXPECT_EQ(f.error, "Internal error (the daemon log has the details)");
  EXPECT_EQ(f.exc_info.at("type"), "Exception");
  EXPECT_EQ(boost::json::serialize(f.exc_info).find("internal detail"), std::string::npos);
}

TEST(JobFailure, ValidationFailureIsTypedValidation) {
  std::exception_ptr e;
  try {
    throw ValidationErrors("", "Too many arguments (expected 1, found 2)");
  } catch (...) {
    e = std::current_exception();
  }
  auto f = exception_to_job_failure(e);
  EXPECT_EQ(f.exc_info.at("type"), "VALIDATION");
  EXPECT_TRUE(f.exc_info.at("errno").is_null());
  EXPECT_EQ(f.exc_info.at("extra"), boost::json::parse(R"j([["","Too many arguments (expected 1, found 2)",22]])j"));
}

TEST(JobFailure, CallErrorKeepsErrno) {
  std::exception_ptr e;
  try {
    throw CallError("denied", EACCES);
  } catch (...) {
    e = std::current_exception();
  }
  auto f = exception_to_job_failure(e);
  EXPECT_EQ(f.error, "[EACCES] denied");
  EXPECT_EQ(f.exc_info.at("errno"), 13);
  EXPECT_EQ(f.exc_info.at("type"), "CallError");
}

}  // namespace
}  // namespace mw::rpc
