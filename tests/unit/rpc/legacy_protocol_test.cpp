// The legacy /websocket protocol's message decoding and answer shapes.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <middlewared/errors.hpp>

#include "rpc/legacy_protocol.hpp"
#include "rpc/response.hpp"

namespace mw::rpc {
namespace {

namespace json = boost::json;

json::object parsed(const std::string& text) { return json::parse(text).as_object(); }

std::string legacy_error_for(std::exception_ptr e, const json::value& id = "c1") {
  return legacy::protocol().error(id, e, exception_to_wire(e));
}

TEST(LegacyParse, ConnectCarriesVersionAndPyExceptionsFeature) {
  auto m = legacy::parse(R"({"msg":"connect","version":"1","support":["1"],"features":["PY_EXCEPTIONS"]})");
  auto* c = std::get_if<legacy::Connect>(&m);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->version, "1");
  EXPECT_TRUE(c->py_exceptions);
  auto bare = std::get<legacy::Connect>(legacy::parse(R"({"msg":"connect","version":2})"));
  EXPECT_EQ(bare.version, "");
  EXPECT_FALSE(bare.py_exceptions);
}

TEST(LegacyParse, MethodKeepsIdNameAndRawParams) {
  auto m = std::get<legacy::Call>(legacy::parse(R"({"msg":"method","id":"u1","method":"vm.query","params":{"a":1}})"));
  EXPECT_EQ(m.id, "u1");
  EXPECT_EQ(m.method, "vm.query");
  EXPECT_TRUE(m.params.is_object());  // the dispatcher refuses it; the parser keeps what was sent
  auto none = std::get<legacy::Call>(legacy::parse(R"({"msg":"method","id":7,"method":"core.ping"})"));
  EXPECT_TRUE(none.params.is_null());
}

TEST(LegacyParse, SubUnsubPingAndUnknownKinds) {
  EXPECT_EQ(std::get<legacy::Subscribe>(legacy::parse(R"({"msg":"sub","id":"s","name":"vm.query"})")).name, "vm.query");
  EXPECT_EQ(std::get<legacy::Unsubscribe>(legacy::parse(R"({"msg":"unsub","id":"s"})")).id, "s");
  EXPECT_EQ(std::get<legacy::Ping>(legacy::parse(R"({"msg":"ping","id":"p"})")).id, "p");
  EXPECT_EQ(std::get<legacy::Other>(legacy::parse(R"({"msg":"nosuch"})")).msg, "nosuch");
}

TEST(LegacyParse, BadJsonNonObjectsAndMissingMsgAreMalformed) {
  EXPECT_EQ(std::get<legacy::Malformed>(legacy::parse("{oops")).reason,
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)");
  EXPECT_EQ(std::get<legacy::Malformed>(legacy::parse("[1]")).reason, "Invalid Message Format");
  EXPECT_EQ(std::get<legacy::Malformed>(legacy::parse(R"({"id":1})")).reason, "Missing 'msg' member");
  EXPECT_EQ(std::get<legacy::Malformed>(legacy::parse(R"({"msg":5})")).reason, "Missing 'msg' member");
}

TEST(LegacyParse, AnIdHoldingANumberTooLargeForADoubleIsMalformedWhereverItSits) {
  for (const char* frame :
       {R"({"msg":"sub","id":2E551,"name":"vm.query"})", R"({"msg":"sub","id":{"x":{"id":2E551}},"name":"vm.query"})",
        R"({"msg":"method","id":[1,-2E551],"method":"core.ping"})"})
    EXPECT_EQ(std::get<legacy::Malformed>(legacy::parse(frame)).reason, "'id' must hold only finite numbers") << frame;
  EXPECT_TRUE(std::holds_alternative<legacy::Subscribe>(legacy::parse(R"({"msg":"sub","id":{"x":[1.5]},"name":"a"})")));
}

TEST(LegacyParse, AnIdLongerThan128CharactersIsMalformed) {
  EXPECT_EQ(std::get<legacy::Ping>(legacy::parse(R"({"msg":"ping","id":")" + std::string(128, 'p') + "\"}")).id,
            json::value(std::string(128, 'p')));
  EXPECT_EQ(
      std::get<legacy::Malformed>(legacy::parse(R"({"msg":"ping","id":")" + std::string(129, 'p') + "\"}")).reason,
      "'id' must be at most 128 characters long");
  std::string long_array = "[0";
  for (int i = 0; i < 100; ++i) long_array += ",0";
  EXPECT_EQ(
      std::get<legacy::Malformed>(legacy::parse(R"({"msg":"method","method":"x","id":)" + long_array + "]}")).reason,
      "'id' must be at most 128 characters long");
}

TEST(LegacyEncode, HandshakeAndPingShapes) {
  EXPECT_EQ(legacy::encode_connected("abc"), R"({"msg":"connected","session":"abc"})");
  EXPECT_EQ(legacy::encode_failed(), R"({"msg":"failed","version":"1"})");
  EXPECT_EQ(legacy::encode_pong("x"), R"({"msg":"pong","id":"x"})");
  EXPECT_EQ(legacy::encode_ready("s1"), R"({"msg":"ready","subs":["s1"]})");
}

TEST(LegacyEncode, ResultAndRefusalShapes) {
  EXPECT_EQ(legacy::protocol().result("i", 42), R"({"msg":"result","id":"i","result":42})");
  EXPECT_EQ(legacy::protocol().refused("i", ENOTAUTHENTICATED, "Not authenticated"),
            R"({"msg":"result","id":"i","error":{"error":207,"errname":"ENOTAUTHENTICATED","type":null,)"
            R"("reason":"[ENOTAUTHENTICATED] Not authenticated","trace":null,"extra":null}})");
  auto too_many = parsed(legacy::protocol().too_many_calls("i")).at("error").as_object();
  EXPECT_EQ(too_many.at("error"), 109);
  EXPECT_EQ(too_many.at("errname"), "ETOOMANYREFS");
  EXPECT_EQ(too_many.at("reason"), "Maximum number of concurrent calls (20) has exceeded.");
}

TEST(LegacyEncode, UnknownMethodNamesServiceAndMethod) {
  auto e = parsed(legacy::protocol().unknown_method("i", "vm.device.nosuch")).at("error").as_object();
  EXPECT_EQ(e.at("error"), 201);
  EXPECT_EQ(e.at("errname"), "ENOMETHOD");
  EXPECT_EQ(e.at("reason"), "[ENOMETHOD] Method 'nosuch' not found in 'vm.device'");
  EXPECT_EQ(legacy::unknown_method_reason("x"), "[ENOMETHOD] Method 'x' not found in ''");
  // A long name is quoted as a short prefix only.
  EXPECT_EQ(legacy::unknown_method_reason("vm." + std::string(5000, 'n')),
            "[ENOMETHOD] Method '" + std::string(61, 'n') + "…' not found in 'vm'");
}

TEST(LegacyEncode, SingleValidationErrorKeepsItsErrno) {
  auto e = parsed(legacy_error_for(
                      std::make_exception_ptr(ValidationErrors::single(std::nullopt, "VM 9 does not exist", ENOENT))))
               .at("error")
               .as_object();
  EXPECT_EQ(e.at("error"), ENOENT);
  EXPECT_EQ(e.at("errname"), "ENOENT");
  EXPECT_EQ(e.at("type"), "VALIDATION");
  EXPECT_EQ(e.at("reason"), "[ENOENT] None: VM 9 does not exist");
  EXPECT_EQ(e.at("extra"), json::parse(R"([[null,"VM 9 does not exist",2]])"));
}

TEST(LegacyEncode, ValidationErrorsReportEagainWithTriples) {
  ValidationErrors v;
  v.add("vm_create.memory", "Input should be a valid integer");
  v.add("vm_create.name", "Field required");
  auto e = parsed(legacy_error_for(std::make_exception_ptr(v))).at("error").as_object();
  EXPECT_EQ(e.at("error"), EAGAIN);
  EXPECT_EQ(e.at("errname"), "EAGAIN");
  EXPECT_EQ(e.at("type"), "VALIDATION");
  EXPECT_EQ(e.at("extra"), json::parse(R"([["vm_create.memory","Input should be a valid integer",22],)"
                                       R"(["vm_create.name","Field required",22]])"));
}

TEST(LegacyEncode, CallErrorKeepsErrnoPrefixedReasonAndNoType) {
  auto e = parsed(legacy_error_for(std::make_exception_ptr(CallError("busy here", EBUSY)))).at("error").as_object();
  EXPECT_EQ(e.at("error"), EBUSY);
  EXPECT_EQ(e.at("reason"), "[EBUSY] busy here");
  EXPECT_TRUE(e.at("type").is_null());
  EXPECT_EQ(e.at("trace").at("class"), "CallError");
  // Key order as TrueNAS sends it.
  std::vector<std::string> keys;
  for (const auto& kv : e) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"error", "errname", "type", "reason", "trace", "extra"}));
}

TEST(LegacyEncode, EventsAreCollectionMessages) {
  std::optional<json::value> fields = json::value(json::object{{"n", 1}});
  EXPECT_EQ(legacy::protocol().event("vm.query", EventKind::Changed, 3, fields),
            R"({"msg":"changed","collection":"vm.query","id":3,"fields":{"n":1}})");
  EXPECT_EQ(legacy::protocol().event("vm.query", EventKind::Removed, 3, fields),
            R"({"msg":"removed","collection":"vm.query","id":3,"extra":{"fields":{"n":1}}})");
}

}  // namespace
}  // namespace mw::rpc
