// Operator and path semantics beyond the acceptance cases.
#include <chrono>

#include "datasets.hpp"

namespace mw::query::test {
namespace {

TEST(QueryFilterSemantics, AndGroupAtTopLevelMeansItsFilters) {
  EXPECT_EQ(run(data_rows(), R"([[["foo","=","foo1"]]])"), pick(data_rows(), {0}));
  EXPECT_EQ(run(data_rows(), R"([[["number",">",1],["number","<",3]]])"), pick(data_rows(), {1}));
}

TEST(QueryFilterSemantics, AndGroupNestedInsideGroupsAndOrs) {
  EXPECT_EQ(run(data_rows(), R"([[[["number",">",1]],["number","<",3]]])"), pick(data_rows(), {1}));
  EXPECT_EQ(run(data_rows(), R"([["OR",[[[["number","=",1]],["foo","=","foo1"]],["number","=",3]]]])"),
            pick(data_rows(), {0, 2}));
  EXPECT_EQ(run(data_rows(), R"([[["OR",[["number","=",1],["number","=",3]]],["foo","^","_"]]])"),
            pick(data_rows(), {2}));
}

TEST(QueryFilterSemantics, EmptyFiltersMatchEverything) { EXPECT_EQ(run(data_rows(), "[]"), data_rows()); }

TEST(QueryFilterSemantics, EmptyOrMatchesNothing) {
  EXPECT_EQ(run(data_rows(), R"([["OR",[]]])"), json::value(json::array()));
}

TEST(QueryFilterSemantics, EqualityIsPythonEquality) {
  const json::value rows = parse(R"([{"v":1},{"v":1.0},{"v":true},{"v":"1"},{"v":null},{"v":[1]},{"v":{"a":1}}])");
  EXPECT_EQ(run(rows, R"([["v","=",1]])"), pick(rows, {0, 1, 2}));
  EXPECT_EQ(run(rows, R"([["v","=",1.0]])"), pick(rows, {0, 1, 2}));
  EXPECT_EQ(run(rows, R"([["v","=",true]])"), pick(rows, {0, 1, 2}));
  EXPECT_EQ(run(rows, R"([["v","=",null]])"), pick(rows, {4}));
  EXPECT_EQ(run(rows, R"([["v","=",[1.0]]])"), pick(rows, {5}));
  EXPECT_EQ(run(rows, R"([["v","=",{"a":true}]])"), pick(rows, {6}));
  EXPECT_EQ(run(rows, R"([["v","!=",1]])"), pick(rows, {3, 4, 5, 6}));
}

TEST(QueryFilterSemantics, OrderingMixesIntFloatAndBool) {
  const json::value rows = parse(R"([{"v":1},{"v":1.5},{"v":true},{"v":false},{"v":-2},{"v":18446744073709551615}])");
  EXPECT_EQ(run(rows, R"([["v",">",1]])"), pick(rows, {1, 5}));
  EXPECT_EQ(run(rows, R"([["v","<=",1.0]])"), pick(rows, {0, 2, 3, 4}));
  EXPECT_EQ(run(rows, R"([["v","<",true]])"), pick(rows, {3, 4}));
}

TEST(QueryFilterSemantics, LargeIntegersCompareExactly) {
  const json::value rows = parse(R"([{"v":9007199254740993},{"v":9007199254740992}])");
  EXPECT_EQ(run(rows, R"([["v","=",9007199254740992.0]])"), pick(rows, {1}));
  EXPECT_EQ(run(rows, R"([["v",">",9007199254740992.0]])"), pick(rows, {0}));
  EXPECT_EQ(run(rows, R"([["v","in",[9007199254740992.0]]])"), pick(rows, {1}));
}

TEST(QueryFilterSemantics, StringsOrderByCodePoint) {
  const json::value rows = parse(R"([{"v":"b"},{"v":"B"},{"v":"é"},{"v":"ba"}])");
  EXPECT_EQ(run(rows, R"([["v",">","b"]])"), pick(rows, {2, 3}));
  EXPECT_EQ(run(rows, "[]", R"({"order_by":["v"]})"), pick(rows, {1, 0, 3, 2}));
}

TEST(QueryFilterSemantics, ListsOrderLexicographically) {
  const json::value rows = parse(R"([{"v":[1,2]},{"v":[1]},{"v":[0,9]},{"v":[1,2,0]}])");
  EXPECT_EQ(run(rows, R"([["v",">",[1,2]]])"), pick(rows, {3}));
  EXPECT_EQ(run(rows, "[]", R"({"order_by":["v"]})"), pick(rows, {2, 1, 0, 3}));
}

TEST(QueryFilterSemantics, MissingKeyNeverMatchesAnyOperator) {
  const json::value rows = parse(R"([{"id":1}])");
  for (const char* filters :
       {R"([["value","=",null]])", R"([["value","!=","x"]])", R"([["value","nin",["x"]]])", R"([["value","rnin","x"]])",
        R"([["value","!^","x"]])", R"([["value","!$","x"]])", R"([["value","in",[null]]])", R"([["value","~",".*"]])",
        R"([["value","<",1]])", R"([["value","C!=","x"]])", R"([["a.b.c","!=",1]])",
        R"([["value.$date","!=","2024-01-01"]])"}) {
    EXPECT_EQ(run(rows, filters), json::value(json::array())) << filters;
  }
}

TEST(QueryFilterSemantics, NumericComponentsIndexLists) {
  const json::value rows = parse(R"([{"groups":[{"name":"wheel"},{"name":"users"}]},{"groups":[{"name":"users"}]}])");
  EXPECT_EQ(run(rows, R"([["groups.0.name","=","users"]])"), pick(rows, {1}));
  EXPECT_EQ(run(rows, R"([["groups.-1.name","=","users"]])"), rows);
  EXPECT_EQ(run(rows, R"([["groups.1.name","=",null]])"), pick(rows, {1}));
}

TEST(QueryFilterSemantics, NumericComponentIsAKeyInDicts) {
  const json::value rows = parse(R"([{"m":{"0":"zero"}},{"m":{"1":"one"}}])");
  EXPECT_EQ(run(rows, R"([["m.0","=","zero"]])"), pick(rows, {0}));
}

TEST(QueryFilterSemantics, StarNeverMatchesNullOrEmptyList) {
  const json::value rows = parse(R"([{"l":null},{"l":[]},{"l":[{"n":1}]},{"l":"text"}])");
  EXPECT_EQ(run(rows, R"([["l.*.n","!=",5]])"), pick(rows, {2}));
}

TEST(QueryFilterSemantics, StarAsLastComponentReachesScalars) {
  const json::value rows = parse(R"([{"tags":["a","b"]},{"tags":["c"]}])");
  EXPECT_EQ(run(rows, R"([["tags.*","=","b"]])"), pick(rows, {0}));
}

TEST(QueryFilterSemantics, InWithHundredThousandValuesIsFast) {
  json::array values;
  for (int i = 0; i < 100000; ++i) values.push_back(i * 2);
  json::array rows;
  for (int i = 0; i < 10000; ++i) rows.push_back(json::object{{"id", i}});
  json::array filters = one_filter("id", "in", values);
  const auto start = std::chrono::steady_clock::now();
  const json::value out = filter_list(rows, filters, json::object{{"count", true}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(out, json::value(5000));
  json::array nin_filters = one_filter("id", "nin", values);
  EXPECT_EQ(filter_list(rows, nin_filters, json::object{{"count", true}}), json::value(5000));
}

TEST(QueryFilterSemantics, InMatchesMixedTypesByPythonEquality) {
  const json::value rows = parse(R"([{"v":1},{"v":2.5},{"v":"x"},{"v":[1,2]},{"v":{"a":1}},{"v":true},{"v":null}])");
  EXPECT_EQ(run(rows, R"([["v","in",[1.0,2.5,[1,2],{"a":1}]]])"), pick(rows, {0, 1, 3, 4, 5}));
  EXPECT_EQ(run(rows, R"([["v","nin",[1.0,2.5,[1,2],{"a":1}]]])"), pick(rows, {2}));
}

TEST(QueryFilterSemantics, RinOnStringsAndDicts) {
  const json::value rows = parse(R"([{"v":"hello"},{"v":{"hello":1}},{"v":["hello"]},{"v":"bye"}])");
  EXPECT_EQ(run(rows, R"([["v","rin","ell"]])"), pick(rows, {0}));
  EXPECT_EQ(run(rows, R"([["v","rin","hello"]])"), pick(rows, {0, 1, 2}));
}

TEST(QueryFilterSemantics, CaseInsensitiveOnListsAndUnicode) {
  const json::value rows =
      parse(R"([{"tags":["Alpha","BETA"]},{"tags":["gamma"]},{"name":"STRASSE"},{"name":"Straße"}])");
  EXPECT_EQ(run(rows, R"([["tags","Crin","beta"]])"), pick(rows, {0}));
  EXPECT_EQ(run(rows, R"([["name","C=","strasse"]])"), pick(rows, {2, 3}));
  EXPECT_EQ(run(rows, R"([["name","Cin",["STRASSE"]]])"), pick(rows, {2, 3}));
}

TEST(QueryFilterSemantics, CaseInsensitiveRegex) {
  const json::value rows = parse(R"([{"name":"TestVM"},{"name":"other"}])");
  EXPECT_EQ(run(rows, R"([["name","C~","testvm"]])"), pick(rows, {0}));
  EXPECT_EQ(run(rows, R"([["name","~","testvm"]])"), json::value(json::array()));
}

TEST(QueryFilterSemantics, RegexPythonSyntax) {
  const json::value rows = parse(R"([{"name":"vm-01"},{"name":"vm-x"},{"name":"]x"},{"name":"my-vm-01"}])");
  EXPECT_EQ(run(rows, R"([["name","~","(?P<prefix>vm)-\\d+\\Z"]])"), pick(rows, {0}));
  EXPECT_EQ(run(rows, R"([["name","~","\\Avm"]])"), pick(rows, {0, 1}));
  EXPECT_EQ(run(rows, R"([["name","~","[]]x"]])"), pick(rows, {2}));
  EXPECT_EQ(run(rows, R"([["name","~","(?#comment)vm-x"]])"), pick(rows, {1}));
}

TEST(QueryFilterSemantics, RegexOnLongSubjectDoesNotOverflowStack) {
  json::array rows{json::object{{"text", json::string(std::string(4 << 20, 'a'))}}};
  json::array filters = one_filter("text", "~", "(a|b)*$");
  EXPECT_EQ(filter_list(rows, filters, {}).as_array().size(), 1u);
}

TEST(QueryFilterSemantics, RegexWithNestedStarsIsNotExponential) {
  json::array rows{json::object{{"text", json::string(std::string(5000, 'a'))}}};
  json::array filters = one_filter("text", "~", "(a*)*b");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(filter_list(rows, filters, {}), json::value(json::array()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(QueryFilterSemantics, TimestampAcceptsZuluOffsetsAndFractions) {
  const json::value rows = timestamp_rows();
  EXPECT_EQ(run(rows, R"([["timestamp.$date","=","2023-12-18T16:10:33Z"]])"), pick(rows, {1}));
  EXPECT_EQ(run(rows, R"([["timestamp.$date","=","2023-12-18T17:10:33+01:00"]])"), pick(rows, {1}));
  EXPECT_EQ(run(rows, R"([["timestamp.$date","!=","2023-12-18T16:10:33.000Z"]])"), pick(rows, {0, 2, 3, 4}));
  EXPECT_EQ(run(rows, R"([["timestamp.$date","<=","2023-12-18T16:10:33.5"]])"), pick(rows, {0, 1}));
}

TEST(QueryFilterSemantics, TimestampAgainstNonDateValues) {
  const json::value rows = parse(R"([{"t":null},{"t":{"$date":1000}},{"t":"1970-01-01T00:00:01Z"}])");
  EXPECT_EQ(run(rows, R"([["t.$date","=","1970-01-01T00:00:01Z"]])"), pick(rows, {1, 2}));
  EXPECT_EQ(run(rows, R"([["t.$date","!=","1970-01-01T00:00:01Z"]])"), pick(rows, {0}));
  expect_call_error([&] { run(rows, R"([["t.$date",">","1970-01-01T00:00:01Z"]])"); },
                    "'>' not supported between instances of 'NoneType' and 'datetime.datetime'");
}

}  // namespace
}  // namespace mw::query::test
