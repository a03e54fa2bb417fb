#include "midclt/py_format.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace json = boost::json;
using namespace midclt;

TEST(PyFormat, PrintsBooleansAsPythonLiterals) {
  EXPECT_EQ(python_print_form(json::value(true)), "True");
  EXPECT_EQ(python_print_form(json::value(false)), "False");
}

TEST(PyFormat, PrintsIntsAndStringsRaw) {
  EXPECT_EQ(python_print_form(json::value(42)), "42");
  EXPECT_EQ(python_print_form(json::value(-7)), "-7");
  EXPECT_EQ(python_print_form(json::value("pong")), "pong");
  EXPECT_EQ(python_print_form(json::value("line1\nline2 \"q\"")), "line1\nline2 \"q\"");
}

TEST(PyFormat, PrintsNullAndContainersAsJson) {
  EXPECT_EQ(python_print_form(json::value(nullptr)), "null");
  EXPECT_EQ(python_print_form(json::parse(R"([{"id":1,"name":"testvm"}])")), R"([{"id": 1, "name": "testvm"}])");
  EXPECT_EQ(python_print_form(json::parse("1.5")), "1.5");
}

TEST(PyFormat, DumpsUsesPythonSeparatorsAndKeepsKeyOrder) {
  auto v = json::parse(R"({"b":1,"a":[true,false,null],"c":{"x":{}, "y":[]}})");
  EXPECT_EQ(python_dumps(v), R"({"b": 1, "a": [true, false, null], "c": {"x": {}, "y": []}})");
}

TEST(PyFormat, DumpsEscapesNonAsciiLikeEnsureAscii) {
  EXPECT_EQ(python_dumps(json::value("caf\xc3\xa9")), R"("caf\u00e9")");
  // U+1F600 needs a surrogate pair.
  EXPECT_EQ(python_dumps(json::value("\xf0\x9f\x98\x80")), R"("\ud83d\ude00")");
  EXPECT_EQ(python_dumps(json::value("\x7f\x01\t\"\\/")), R"("\u007f\u0001\t\"\\/")");
}

TEST(PyFormat, WireDumpsIsCompactAndKeepsUtf8) {
  EXPECT_EQ(wire_dumps(json::parse(R"({"a":[1,"caf\u00e9"]})")), "{\"a\":[1,\"caf\xc3\xa9\"]}");
}

TEST(PyFormat, FloatReprMatchesPython) {
  EXPECT_EQ(dumps_float(1.0), "1.0");
  EXPECT_EQ(dumps_float(0.1), "0.1");
  EXPECT_EQ(dumps_float(-2.5), "-2.5");
  EXPECT_EQ(dumps_float(0.0), "0.0");
  EXPECT_EQ(dumps_float(-0.0), "-0.0");
  EXPECT_EQ(dumps_float(1e16), "1e+16");
  EXPECT_EQ(dumps_float(1e15), "1000000000000000.0");
  EXPECT_EQ(dumps_float(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(dumps_float(0.0001), "0.0001");
  EXPECT_EQ(dumps_float(0.00001), "1e-05");
  EXPECT_EQ(dumps_float(1.5e-7), "1.5e-07");
  EXPECT_EQ(dumps_float(1e100), "1e+100");
  EXPECT_EQ(dumps_float(3.141592653589793), "3.141592653589793");
  EXPECT_EQ(dumps_float(std::numeric_limits<double>::infinity()), "Infinity");
}

TEST(PyFormat, NestedStructuresFormatRecursively) {
  auto v = json::parse(R"({"list":[1,2.0,{"k":"v"}],"n":null})");
  EXPECT_EQ(python_dumps(v), R"({"list": [1, 2.0, {"k": "v"}], "n": null})");
}

TEST(PyFormat, PformatUsesPythonReprAndSortsKeys) {
  auto v = json::parse(R"({"b":true,"a":null,"c":"it's"})");
  EXPECT_EQ(python_pformat(v), R"({'a': None, 'b': True, 'c': "it's"})");
  EXPECT_EQ(python_pformat(json::parse(R"([["vm_create.memory","Field required",22]])")),
            "[['vm_create.memory', 'Field required', 22]]");
}

TEST(PyFormat, PformatWrapsLongContainersOneItemPerLine) {
  json::object o;
  o["first_key"] = std::string(40, 'a');
  o["second_key"] = std::string(40, 'b');
  std::string expected =
      "{'first_key': '" + std::string(40, 'a') + "',\n 'second_key': '" + std::string(40, 'b') + "'}";
  EXPECT_EQ(python_pformat(o), expected);
}

TEST(PyFormat, TruthinessFollowsPython) {
  EXPECT_FALSE(python_truthy(json::value(nullptr)));
  EXPECT_FALSE(python_truthy(json::value(0)));
  EXPECT_FALSE(python_truthy(json::value("")));
  EXPECT_FALSE(python_truthy(json::array{}));
  EXPECT_FALSE(python_truthy(json::object{}));
  EXPECT_TRUE(python_truthy(json::value("x")));
  EXPECT_TRUE(python_truthy(json::array{0}));
}

TEST(PyFormat, EjsonRoundTripDropsSubSecondPrecisionLikeThePythonClient) {
  // 1700000000.123 -> the client adds the 123 ms twice and then keeps whole seconds.
  EXPECT_EQ(python_dumps(ejson_round_trip(json::parse(R"({"t":{"$date":1700000000123}})"))),
            R"({"t": {"$date": 1700000000000}})");
  EXPECT_EQ(python_dumps(ejson_round_trip(json::parse(R"({"$date":1700000000600})"))), R"({"$date": 1700000001000})");
}

TEST(PyFormat, EjsonRoundTripNormalisesDatesTimesAndSets) {
  EXPECT_EQ(python_dumps(ejson_round_trip(json::parse(R"({"$value":"2024-7-3","$type":"date"})"))),
            R"({"$type": "date", "$value": "2024-07-03"})");
  EXPECT_EQ(python_dumps(ejson_round_trip(json::parse(R"({"$time":"1:02:03"})"))), R"({"$time": "01:02:03"})");
  EXPECT_EQ(python_dumps(ejson_round_trip(json::parse(R"({"$set":["A","B","A"]})"))), R"({"$set": ["A", "B"]})");
  EXPECT_EQ(python_dumps(ejson_round_trip(json::parse(R"({"$date":1,"other":2})"))), R"({"$date": 1, "other": 2})");
}
