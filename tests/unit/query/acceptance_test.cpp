// The 36 acceptance cases of , each checking the exact rows in their exact order.
#include "datasets.hpp"

namespace mw::query::test {
namespace {

TEST(QueryAcceptance, Case01EqualsMatchesOneRow) {
  EXPECT_EQ(run(data_rows(), R"([["foo","=","foo1"]])"), pick(data_rows(), {0}));
}

TEST(QueryAcceptance, Case02StartsWithAndEndsWith) {
  EXPECT_EQ(run(data_rows(), R"([["foo","^","foo"]])"), pick(data_rows(), {0, 1}));
  EXPECT_EQ(run(data_rows(), R"([["foo","$","_"]])"), pick(data_rows(), {2}));
}

TEST(QueryAcceptance, Case03RegexIsAnchoredAtStart) {
  EXPECT_EQ(run(data_rows(), R"([["foo","~","^foo"]])"), pick(data_rows(), {0, 1}));
  EXPECT_EQ(run(data_rows(), R"([["foo","~",".*foo.*"]])"), pick(data_rows(), {0, 1, 2}));
  EXPECT_EQ(run(data_rows(), R"([["foo","~","foo"]])"), pick(data_rows(), {0, 1}));
}

TEST(QueryAcceptance, Case04OrderingOperators) {
  EXPECT_EQ(run(data_rows(), R"([["number",">",1]])"), pick(data_rows(), {1, 2}));
  EXPECT_EQ(run(data_rows(), R"([["number",">=",1]])"), pick(data_rows(), {0, 1, 2}));
  EXPECT_EQ(run(data_rows(), R"([["number","<",3]])"), pick(data_rows(), {0, 1}));
  EXPECT_EQ(run(data_rows(), R"([["number","<=",3]])"), pick(data_rows(), {0, 1, 2}));
}

TEST(QueryAcceptance, Case05InAndNin) {
  EXPECT_EQ(run(data_rows(), R"([["number","in",[1,3]]])"), pick(data_rows(), {0, 2}));
  EXPECT_EQ(run(data_rows(), R"([["number","nin",[1,3]]])"), pick(data_rows(), {1}));
}

TEST(QueryAcceptance, Case06RinAndRnin) {
  EXPECT_EQ(run(data_rows(), R"([["list","rin",1]])"), pick(data_rows(), {0}));
  EXPECT_EQ(run(data_rows(), R"([["list","rnin",1]])"), pick(data_rows(), {1, 2}));
}

TEST(QueryAcceptance, Case07OrOfLeaves) {
  EXPECT_EQ(run(data_rows(), R"([["OR",[["number","=",1],["number","=",200]]]])"), pick(data_rows(), {0}));
  EXPECT_EQ(run(data_rows(), R"([["OR",[["number","=",1],["number","=",2]]]])"), pick(data_rows(), {0, 1}));
}

TEST(QueryAcceptance, Case08AndGroupInsideOr) {
  EXPECT_EQ(run(data_rows(), R"([["OR",[[["number","=",1],["foo","=","foo1"]],["number","=",2]]]])"),
            pick(data_rows(), {0, 1}));
  EXPECT_EQ(run(data_rows(), R"([["OR",[[["number","=",1],["foo","=","foo2"]],["number","=",2]]]])"),
            pick(data_rows(), {1}));
}

TEST(QueryAcceptance, Case09NestedOrUpToThreeLevels) {
  EXPECT_EQ(run(data_rows(), R"([["OR",[["OR",[["number","=",1],["foo","=","canary"]]],["number","=",2]]]])"),
            pick(data_rows(), {0, 1}));
  EXPECT_EQ(run(data_rows(), R"([["OR",[["OR",[["number","=",100],["foo","=","canary"]]],["number","=",2]]]])"),
            pick(data_rows(), {1}));
  EXPECT_EQ(
      run(data_rows(),
          R"([["OR",[["OR",[["OR",[["number","=",1],["foo","=","canary"]]],["foo","=","x"]]],["number","=",2]]]])"),
      pick(data_rows(), {0, 1}));
  expect_call_error(
      [] {
        run(data_rows(),
            R"([["OR",[["OR",[["OR",[["OR",[["number","=",1]]],["foo","=","canary"]]],["foo","=","x"]]],["number","=",2]]]])");
      },
      "query-filters max recursion depth exceeded");
}

TEST(QueryAcceptance, Case10NestedDictPaths) {
  EXPECT_EQ(run(audit_rows(), R"([["Authentication.status","=","NT_STATUS_OK"]])"), pick(audit_rows(), {0}));
  EXPECT_EQ(run(audit_rows(), R"([["Authentication.clientAccount","C=","JOINER"]])"), pick(audit_rows(), {0}));
}

TEST(QueryAcceptance, Case11GetReturnsFirstRowAfterOrdering) {
  EXPECT_EQ(run(data_rows(), "[]", R"({"get":true})"), data_rows().as_array()[0]);
  EXPECT_EQ(run(data_rows(), "[]", R"({"get":true,"order_by":["-number"]})"), data_rows().as_array()[2]);
}

TEST(QueryAcceptance, Case12OrderByAscendingAndDescending) {
  EXPECT_EQ(run(data_rows(), "[]", R"({"order_by":["number"]})"), pick(data_rows(), {0, 1, 2}));
  EXPECT_EQ(run(data_rows(), "[]", R"({"order_by":["-number"]})"), pick(data_rows(), {2, 1, 0}));
}

TEST(QueryAcceptance, Case13SelectKeepsOnlySelectedKey) {
  EXPECT_EQ(run(data_rows(), "[]", R"({"select":["foo"]})"),
            parse(R"([{"foo":"foo1"},{"foo":"foo2"},{"foo":"_foo_"}])"));
}

TEST(QueryAcceptance, Case14NullsFirstAndNullsLast) {
  // Null and missing foo form the null group, kept in their original order.
  EXPECT_EQ(run(null5_rows(), "[]", R"({"order_by":["nulls_first:foo"]})"), pick(null5_rows(), {3, 4, 2, 0, 1}));
  EXPECT_EQ(run(null5_rows(), "[]", R"({"order_by":["nulls_last:foo"]})"), pick(null5_rows(), {2, 0, 1, 3, 4}));
}

TEST(QueryAcceptance, Case15CaseInsensitiveEquals) {
  EXPECT_EQ(run(data_rows(), R"([["foo","C=","Foo1"]])"), pick(data_rows(), {0}));
}

TEST(QueryAcceptance, Case16CaseInsensitivePrefixAndSuffix) {
  EXPECT_EQ(run(case_rows(), R"([["foo","C^","F"]])"), pick(case_rows(), {0, 1, 2}));
  EXPECT_EQ(run(case_rows(), R"([["foo","C!^","F"]])"), pick(case_rows(), {3}));
  EXPECT_EQ(run(case_rows(), R"([["foo","C$","foo"]])"), pick(case_rows(), {0, 1}));
  EXPECT_EQ(run(case_rows(), R"([["foo","C!$","O"]])"), pick(case_rows(), {2, 3}));
}

TEST(QueryAcceptance, Case17CaseInsensitiveMembership) {
  EXPECT_EQ(run(case_rows(), R"([["foo","Cin","foo"]])"), pick(case_rows(), {0, 1}));
  EXPECT_EQ(run(case_rows(), R"([["foo","Crin","foo"]])"), pick(case_rows(), {0, 1, 2}));
  EXPECT_EQ(run(case_rows(), R"([["foo","Cnin","foo"]])"), pick(case_rows(), {2, 3}));
  EXPECT_EQ(run(case_rows(), R"([["foo","Crnin","foo"]])"), pick(case_rows(), {3}));
}

TEST(QueryAcceptance, Case18SelectDottedRebuildsNesting) {
  EXPECT_EQ(run(select_rows(), R"([["foobar.stuff.more_stuff","=",4]])", R"({"select":["foobar.stuff.more_stuff"]})"),
            parse(R"([{"foobar":{"stuff":{"more_stuff":4}}}])"));
}

TEST(QueryAcceptance, Case19SelectEscapedDot) {
  EXPECT_EQ(run(select_rows(), R"([["foobar.stuff.more_stuff","=",4]])", R"({"select":["foo\\.bar"]})"),
            parse(R"([{"foo.bar":45}])"));
}

TEST(QueryAcceptance, Case20SelectSeveralKeysOfOneSubObject) {
  EXPECT_EQ(run(audit_rows(), "[]",
                R"({"select":["Authentication.status","Authentication.localAddress","Authentication.clientAccount"]})"),
            parse(R"([
              {"Authentication":{"status":"NT_STATUS_OK","localAddress":"ipv4:192.168.0.10:445","clientAccount":"joiner"}},
              {"Authentication":{"status":"NT_STATUS_NO_SUCH_USER","localAddress":"ipv4:192.168.0.10:445","clientAccount":"admin"}}])"));
}

TEST(QueryAcceptance, Case21SelectRenamed) {
  EXPECT_EQ(run(select_rows(), R"([["foobar.stuff.more_stuff","=",4]])",
                R"({"select":[["foobar.stuff.more_stuff","data"]]})"),
            parse(R"([{"data":4}])"));
}

TEST(QueryAcceptance, Case22SelectWithGetKeepsExplicitNull) {
  EXPECT_EQ(run(null5_rows(), R"([["number","=",4]])", R"({"select":["foo"],"get":true})"), parse(R"({"foo":null})"));
}

TEST(QueryAcceptance, Case23MalformedSelectIsRejected) {
  expect_validation_error([] { run(data_rows(), "[]", R"({"select":[["a"]]})"); }, "options.select",
                          "Value error, ['a']: select as list may only contain two parameters");
  expect_validation_error([] { run(data_rows(), "[]", R"({"select":[["a","b","c"]]})"); }, "options.select",
                          "Value error, ['a', 'b', 'c']: select as list may only contain two parameters");
  expect_validation_error([] { run(data_rows(), "[]", R"({"select":[[1,"cat"]]})"); }, "options.select",
                          "Value error, [1, 'cat']: first item must be a string");
  expect_validation_error([] { run(data_rows(), "[]", R"({"select":[["cat",1]]})"); }, "options.select",
                          "Value error, ['cat', 1]: second item must be a string");
}

TEST(QueryAcceptance, Case24Timestamps) {
  expect_validation_error([] { run(timestamp_rows(), R"([["timestamp.$date","=","Canary"]])"); }, "filters",
                          "Value error, Canary: must be an ISO-8601 formatted timestamp string");
  expect_validation_error([] { run(timestamp_rows(), R"([["timestamp.$date","=",1]])"); }, "filters",
                          "Value error, 1: must be an ISO-8601 formatted timestamp string");
  expect_validation_error([] { run(timestamp_rows(), R"([["timestamp.$date","^","2023-12-18T16:15:35Z"]])"); },
                          "filters", "Value error, ^: invalid timestamp operation.");
  EXPECT_EQ(run(timestamp_rows(), R"([["timestamp.$date",">","2023-12-18T16:15:35+00:00"]])"),
            pick(timestamp_rows(), {3, 4}));
  EXPECT_EQ(run(timestamp_rows(), R"([["timestamp.$date",">=","2023-12-18T16:15:35+00:00"]])"),
            pick(timestamp_rows(), {2, 3, 4}));
  EXPECT_EQ(run(timestamp_rows(), R"([["timestamp.$date","<","2023-12-18T16:15:35Z"]])"),
            pick(timestamp_rows(), {0, 1}));
}

TEST(QueryAcceptance, Case25StarFansOutOverLists) {
  EXPECT_EQ(run(lod_rows(), R"([["list.*.number","=",3]])"), pick(lod_rows(), {1, 2}));
  EXPECT_EQ(run(inconsistent_rows(), R"([["list.*.number","=",3]])"), pick(inconsistent_rows(), {1, 2}));
  EXPECT_EQ(run(deep_rows(), R"([["list.*.list2.*.number","=",2]])"), pick(deep_rows(), {0, 1}));
}

TEST(QueryAcceptance, Case26ExplicitNullOnlyAndMissingPath) {
  EXPECT_EQ(run(null5_rows(), R"([["foo","=",null]])"), pick(null5_rows(), {3}));
  EXPECT_EQ(run(null5_rows(), R"([["canary","in","canary2"]])"), json::value(json::array()));
}

TEST(QueryAcceptance, Case27InlineIgnoreCaseFlag) {
  EXPECT_EQ(run(null5_rows(), R"([["foo","~","(?i)Foo1"]])"), pick(null5_rows(), {0}));
}

TEST(QueryAcceptance, Case28BasicComparisons) {
  EXPECT_EQ(run(basic_rows(), R"([["name","!=","alice"]])"), pick(basic_rows(), {1, 2, 3, 4}));
  EXPECT_EQ(run(basic_rows(), R"([["active","=",true]])"), pick(basic_rows(), {0, 1, 4}));
  EXPECT_EQ(run(basic_rows(), R"([["score",">=",90]])"), pick(basic_rows(), {0, 2, 4}));
}

TEST(QueryAcceptance, Case29StringOperators) {
  EXPECT_EQ(run(basic_rows(), R"([["name","^","a"]])"), pick(basic_rows(), {0}));
  EXPECT_EQ(run(basic_rows(), R"([["name","!$","e"]])"), pick(basic_rows(), {1, 2}));
  EXPECT_EQ(run(basic_rows(), R"([["name","~","^[ace]"]])"), pick(basic_rows(), {0, 2, 4}));
  EXPECT_EQ(run(basic_rows(), R"([["name","~","(?i)ALICE"]])"), pick(basic_rows(), {0}));
}

TEST(QueryAcceptance, Case30ListAndStringMembership) {
  EXPECT_EQ(run(basic_rows(), R"([["tags","rin","a"]])"), pick(basic_rows(), {0, 2, 4}));
  EXPECT_EQ(run(basic_rows(), R"([["tags","rnin","a"]])"), pick(basic_rows(), {1, 3}));
  EXPECT_EQ(run(basic_rows(), R"([["name","in","alice bob"]])"), pick(basic_rows(), {0, 1}));
}

TEST(QueryAcceptance, Case31NullAndMissingValues) {
  const json::value rows = nulls_rows();
  EXPECT_EQ(run(rows, R"([["value","=",null]])"), pick(rows, {1}));
  EXPECT_EQ(run(rows, R"([["value","!=",null]])"), pick(rows, {0, 2}));
  EXPECT_EQ(run(rows, R"([["value","^","al"]])"), pick(rows, {0}));
  EXPECT_EQ(run(rows, R"([["value","!^","z"]])"), pick(rows, {0, 2}));
  EXPECT_EQ(run(rows, R"([["value","~","^$"]])"), pick(rows, {1}));
  EXPECT_EQ(run(rows, R"([["value","in",[null,"alpha"]]])"), pick(rows, {0, 1}));
  EXPECT_EQ(run(rows, R"([["value","nin",["alpha"]]])"), pick(rows, {2}));
  EXPECT_EQ(run(rows, R"([["value","rin","a"]])"), pick(rows, {0, 2}));
  EXPECT_EQ(run(rows, R"([["value","rnin","x"]])"), pick(rows, {0, 2}));
  EXPECT_EQ(run(rows, R"([["value","C=","ALPHA"]])"), pick(rows, {0}));
}

TEST(QueryAcceptance, Case32OrCombinedWithAnd) {
  EXPECT_EQ(run(basic_rows(), R"([["OR",[["id","=",1],["id","=",2],["id","=",3]]],["active","=",true]])"),
            pick(basic_rows(), {0, 1}));
}

TEST(QueryAcceptance, Case33OutOfRangeIndexAndEscapedDot) {
  const json::value items = parse(R"([{"items":[1,2,3]}])");
  EXPECT_EQ(run(items, R"([["items.5","=",1]])"), json::value(json::array()));
  const json::value dotted = parse(R"([{"foo.bar":42,"foo":{"bar":99}}])");
  EXPECT_EQ(run(dotted, R"([["foo\\.bar","=",99]])"), json::value(json::array()));
  EXPECT_EQ(run(dotted, R"([["foo\\.bar","=",42]])"), dotted);
}

TEST(QueryAcceptance, Case34ScalarBeforePathEndIsTheValue) {
  const json::value rows = parse(R"([{"a":"hello"},{"a":{"b":"hello"}}])");
  EXPECT_EQ(run(rows, R"([["a.b","=","hello"]])"), rows);
}

TEST(QueryAcceptance, Case35Options) {
  EXPECT_THROW(run(basic_rows(), R"([["name","=","zed"]])", R"({"get":true})"), MatchNotFound);
  EXPECT_EQ(run(basic_rows(), "[]", R"({"count":true})"), json::value(5));
  EXPECT_EQ(run(basic_rows(), R"([["active","=",true]])", R"({"count":true})"), json::value(3));
  EXPECT_EQ(run(basic_rows(), R"([["active","=",true]])", R"({"offset":1,"limit":1})"), pick(basic_rows(), {1}));
  EXPECT_EQ(run(basic_rows(), "[]", R"({"offset":100})"), json::value(json::array()));
  EXPECT_EQ(run(basic_rows(), R"([["id","<",3]])", R"({"select":[["id","user_id"],"name"]})"),
            parse(R"([{"user_id":1,"name":"alice"},{"user_id":2,"name":"bob"}])"));
  EXPECT_EQ(run(basic_rows(), R"([["id","<",3]])", R"({"select":["id","nonexistent"]})"),
            parse(R"([{"id":1},{"id":2}])"));
}

TEST(QueryAcceptance, Case36MultiKeyOrdering) {
  const json::value scores = parse(R"([{"id":1,"name":"carol","score":90},{"id":2,"name":"alice","score":90},
                                       {"id":3,"name":"bob","score":85},{"id":4,"name":"dave","score":90}])");
  EXPECT_EQ(run(scores, "[]", R"({"order_by":["score","name"]})"), pick(scores, {2, 1, 0, 3}));
  EXPECT_EQ(run(scores, "[]", R"({"order_by":["score","-name"]})"), pick(scores, {2, 3, 0, 1}));
  EXPECT_EQ(run(scores, "[]", R"({"order_by":["-score","name"]})"), pick(scores, {1, 0, 3, 2}));
  const json::value groups = parse(R"([{"gid":100,"builtin":false,"group":"b"},{"gid":0,"builtin":true,"group":"wheel"},
                                       {"gid":100,"builtin":true,"group":"c"},{"gid":100,"builtin":true,"group":"a"},
                                       {"gid":0,"builtin":false,"group":"root"}])");
  EXPECT_EQ(run(groups, "[]", R"({"order_by":["gid","-builtin","group"]})"), pick(groups, {1, 4, 3, 2, 0}));
}

}  // namespace
}  // namespace mw::query::test
