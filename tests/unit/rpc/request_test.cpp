#include <gtest/gtest.h>

#include "rpc/request.hpp"

namespace mw::rpc {
namespace {

RequestError error_of(std::string_view frame) {
  auto r = parse_request(frame);
  EXPECT_TRUE(std::holds_alternative<RequestError>(r)) << frame;
  return std::get<RequestError>(r);
}

TEST(ParseRequest, AcceptsWellFormedRequest) {
  auto r = parse_request(R"({"jsonrpc":"2.0","id":7,"method":"vm.query","params":[[],{}]})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  auto& req = std::get<Request>(r);
  EXPECT_TRUE(req.has_id);
  EXPECT_EQ(req.id, json::value(7));
  EXPECT_EQ(req.method, "vm.query");
  EXPECT_EQ(req.params.size(), 2u);
}

TEST(ParseRequest, MissingParamsMeansEmptyList) {
  auto r = parse_request(R"({"jsonrpc":"2.0","id":"a","method":"core.ping"})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  EXPECT_TRUE(std::get<Request>(r).params.empty());
}

TEST(ParseRequest, RequestWithoutIdIsNotification) {
  auto r = parse_request(R"({"jsonrpc":"2.0","method":"core.ping"})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  EXPECT_FALSE(std::get<Request>(r).has_id);
}

TEST(ParseRequest, InvalidJsonIsParseErrorWithPythonStyleText) {
  auto e = error_of("");
  EXPECT_EQ(e.code, -32700);
  EXPECT_EQ(e.message, "Expecting value: line 1 column 1 (char 0)");
  EXPECT_TRUE(e.id.is_null());
  EXPECT_EQ(error_of("{\"a\": }").message, "Expecting value: line 1 column 7 (char 6)");
  EXPECT_EQ(error_of("{} x").message, "Extra data: line 1 column 4 (char 3)");
}

TEST(ParseRequest, BatchIsRejected) {
  auto e = error_of(R"([{"jsonrpc":"2.0","method":"core.ping","id":1}])");
  EXPECT_EQ(e.code, -32700);
  EXPECT_EQ(e.message, "Batch messages are not supported at this time");
}

TEST(ParseRequest, NonObjectIsInvalidMessageFormat) {
  EXPECT_EQ(error_of("42").message, "Invalid Message Format");
  EXPECT_EQ(error_of("\"x\"").message, "Invalid Message Format");
}

TEST(ParseRequest, ChecksMembersInTrueNasOrder) {
  auto e = error_of(R"({"id":1,"method":"core.ping"})");
  EXPECT_EQ(e.code, -32600);
  EXPECT_EQ(e.message, "Missing 'jsonrpc' member");
  EXPECT_TRUE(e.has_id);
  EXPECT_EQ(error_of(R"({"jsonrpc":"1.0","id":1})").message,
            "'jsonrpc' member must be of type string and must be exactly '2.0'");
  EXPECT_EQ(error_of(R"({"jsonrpc":2,"id":1})").message,
            "'jsonrpc' member must be of type string and must be exactly '2.0'");
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":[1],"method":"x"})").message,
            "'id' member must be of type null, string or number");
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1})").message, "Missing 'method' member");
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"method":""})").message, "'method' member must be of type string");
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"method":5})").message, "'method' member must be of type string");
  EXPECT_EQ(error_of(R"({"jsonrpc":"2.0","id":1,"method":"a","params":{"x":1}})").message,
            "'params' member must be of type array");
}

TEST(ParseRequest, MalformedNotificationIsMarkedSilent) {
  auto e = error_of(R"({"jsonrpc":"2.0","method":"a","params":5})");
  EXPECT_FALSE(e.has_id);
}

// Every answer repeats the id: a long one would make any error an echo of the client's input.
// Found by fuzz_rpc_request: 2E055555508 overflows a double, and an infinite id would be echoed
// into an answer that is not JSON.
TEST(ParseRequest, AnIdTooLargeForADoubleIsRefusedWithoutEchoingIt) {
  auto e = error_of(R"({"jsonrpc":"2.0","id":2E055555508,"method":"core.ping"})");
  EXPECT_EQ(e.code, -32600);
  EXPECT_EQ(e.message, "'id' member must be of type null, string or number");
  EXPECT_TRUE(e.id.is_null());
}

TEST(ParseRequest, AnIdLongerThan128CharactersIsRefusedWithoutEchoingIt) {
  auto ok = parse_request(R"({"jsonrpc":"2.0","id":")" + std::string(128, 'a') + R"(","method":"core.ping"})");
  EXPECT_TRUE(std::holds_alternative<Request>(ok));
  auto e = error_of(R"({"jsonrpc":"2.0","id":")" + std::string(129, 'a') + R"(","method":"core.ping"})");
  EXPECT_EQ(e.code, -32600);
  EXPECT_EQ(e.message, "'id' member must be at most 128 characters long");
  EXPECT_TRUE(e.has_id);
  EXPECT_TRUE(e.id.is_null());
  // Earlier checks answer with the id too: it is left out there as well.
  auto early = error_of(R"({"id":")" + std::string(200, 'a') + R"(","method":"core.ping"})");
  EXPECT_EQ(early.message, "Missing 'jsonrpc' member");
  EXPECT_TRUE(early.id.is_null());
}

TEST(ParseRequest, NullIdIsStillAnId) {
  auto r = parse_request(R"({"jsonrpc":"2.0","id":null,"method":"core.ping"})");
  ASSERT_TRUE(std::holds_alternative<Request>(r));
  EXPECT_TRUE(std::get<Request>(r).has_id);
}

}  // namespace
}  // namespace mw::rpc
