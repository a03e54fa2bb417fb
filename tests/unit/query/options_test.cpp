// query-options: validation texts, defaults, pipeline order.
#include "datasets.hpp"

namespace mw::query::test {
namespace {

TEST(QueryOptions, RejectsUnknownKey) {
  expect_validation_error([] { run(data_rows(), "[]", R"({"sort":["foo"]})"); }, "options.sort",
                          "Extra inputs are not permitted");
}

TEST(QueryOptions, RejectsLimitAboveTenThousand) {
  expect_validation_error([] { run(data_rows(), "[]", R"({"limit":10001})"); }, "options.limit",
                          "Input should be less than or equal to 10000");
}

TEST(QueryOptions, RejectsNegativeOffsetAndNonIntegers) {
  expect_validation_error([] { run(data_rows(), "[]", R"({"offset":-1})"); }, "options.offset",
                          "Input should be greater than or equal to 0");
  expect_validation_error([] { run(data_rows(), "[]", R"({"limit":1.0})"); }, "options.limit",
                          "Input should be a valid integer");
  expect_validation_error([] { run(data_rows(), "[]", R"({"offset":"1"})"); }, "options.offset",
                          "Input should be a valid integer");
}

TEST(QueryOptions, RejectsNonBooleanFlags) {
  expect_validation_error([] { run(data_rows(), "[]", R"({"count":1})"); }, "options.count",
                          "Input should be a valid boolean");
  expect_validation_error([] { run(data_rows(), "[]", R"({"get":"yes"})"); }, "options.get",
                          "Input should be a valid boolean");
  expect_validation_error([] { run(data_rows(), "[]", R"({"force_sql_filters":null})"); }, "options.force_sql_filters",
                          "Input should be a valid boolean");
}

TEST(QueryOptions, RejectsWrongContainerTypes) {
  expect_validation_error([] { run(data_rows(), "[]", R"({"extra":[]})"); }, "options.extra",
                          "Input should be a valid dictionary");
  expect_validation_error([] { run(data_rows(), "[]", R"({"order_by":"foo"})"); }, "options.order_by",
                          "Input should be a valid list");
  expect_validation_error([] { run(data_rows(), "[]", R"({"order_by":["foo",1]})"); }, "options.order_by.1",
                          "Input should be a valid string");
  expect_validation_error([] { run(data_rows(), "[]", R"({"select":"foo"})"); }, "options.select",
                          "Input should be a valid list");
  expect_validation_error([] { run(data_rows(), "[]", R"({"select":[5]})"); }, "options.select",
                          "Value error, 5: select entries must be strings or [source, target] lists");
}

TEST(QueryOptions, RejectsGetWithLimitAboveOne) {
  expect_validation_error([] { run(data_rows(), "[]", R"({"get":true,"limit":2})"); }, "options.get",
                          "Value error, get=True is incompatible with limit > 1");
  EXPECT_EQ(run(data_rows(), "[]", R"({"get":true,"limit":1})"), data_rows().as_array()[0]);
}

TEST(QueryOptions, RejectsGetWithOffset) {
  expect_validation_error([] { run(data_rows(), "[]", R"({"get":true,"offset":1})"); }, "options.get",
                          "Value error, get=True is incompatible with offset");
  EXPECT_EQ(run(data_rows(), "[]", R"({"get":true,"offset":0})"), data_rows().as_array()[0]);
}

TEST(QueryOptions, RejectsEmptyOrderByName) {
  for (const char* name : {"", "-", "nulls_first:", "nulls_last:-"}) {
    json::object options{{"order_by", json::array{name}}};
    expect_validation_error([&] { filter_list(data_rows().as_array(), {}, options); }, "options.order_by",
                            "Value error, filter_list: order_by field name is empty");
  }
}

TEST(QueryOptions, ReportsFilterAndOptionErrorsTogether) {
  try {
    run(data_rows(), R"([["foo"]])", R"({"limit":20000,"bogus":1})");
    ADD_FAILURE() << "no error";
  } catch (const ValidationErrors& e) {
    ASSERT_EQ(e.errors().size(), 3u);
    EXPECT_EQ(e.errors()[0].attribute, "filters");
    EXPECT_EQ(e.errors()[1].attribute, "options.limit");
    EXPECT_EQ(e.errors()[2].attribute, "options.bogus");
  }
}

TEST(QueryOptions, ValidatesOptionsEvenWithoutRows) {
  expect_validation_error([] { run(json::array(), "[]", R"({"select":[["a","b","c"]]})"); }, "options.select",
                          "Value error, ['a', 'b', 'c']: select as list may only contain two parameters");
}

TEST(QueryOptions, AcceptsAllDocumentedKeys) {
  EXPECT_EQ(run(data_rows(), "[]",
                R"({"extra":{"raw_result":true},"order_by":[],"select":[],"count":false,"get":false,
                    "offset":0,"limit":0,"force_sql_filters":true})"),
            data_rows());
}

TEST(QueryOptions, CountIgnoresOffsetLimitAndWinsOverGet) {
  EXPECT_EQ(run(basic_rows(), "[]", R"({"count":true,"offset":2,"limit":1})"), json::value(5));
  EXPECT_EQ(run(basic_rows(), R"([["id","=",99]])", R"({"count":true,"get":true})"), json::value(0));
}

TEST(QueryOptions, LimitAfterOffset) {
  EXPECT_EQ(run(basic_rows(), "[]", R"({"offset":1,"limit":2})"), pick(basic_rows(), {1, 2}));
  EXPECT_EQ(run(basic_rows(), "[]", R"({"offset":3,"limit":10})"), pick(basic_rows(), {3, 4}));
  EXPECT_EQ(run(basic_rows(), "[]", R"({"order_by":["-score"],"offset":1,"limit":2})"), pick(basic_rows(), {4, 2}));
}

TEST(QueryOptions, SelectRunsBeforeOrderBy) {
  // "score" is not selected, so every sort value is missing (null): the order stays as it was.
  EXPECT_EQ(run(basic_rows(), "[]", R"({"select":["name"],"order_by":["-score"]})"),
            parse(R"([{"name":"alice"},{"name":"bob"},{"name":"carol"},{"name":"dave"},{"name":"eve"}])"));
  // A renamed key is sortable under its new name.
  EXPECT_EQ(run(basic_rows(), "[]", R"({"select":[["score","s"],"name"],"order_by":["s"],"limit":2})"),
            parse(R"([{"s":70,"name":"dave"},{"s":85,"name":"bob"}])"));
}

TEST(QueryOptions, OrderByDottedPath) {
  const json::value rows = parse(R"([{"id":1,"status":{"state":"STOPPED"}},{"id":2,"status":{"state":"RUNNING"}}])");
  EXPECT_EQ(run(rows, "[]", R"({"order_by":["status.state"]})"), pick(rows, {1, 0}));
}

TEST(QueryOptions, NullsPrefixLooksDottedNameUpAsTopLevelKey) {
  const json::value rows = parse(R"([{"id":1,"status":{"state":"STOPPED"}},{"id":2,"status":{"state":"RUNNING"}}])");
  EXPECT_EQ(run(rows, "[]", R"({"order_by":["nulls_first:status.state"]})"), rows);
  EXPECT_EQ(run(rows, "[]", R"({"order_by":["nulls_last:-status.state","-id"]})"), pick(rows, {1, 0}));
}

TEST(QueryOptions, NullsPrefixWithDescendingOrder) {
  EXPECT_EQ(run(null5_rows(), "[]", R"({"order_by":["nulls_first:-foo"]})"), pick(null5_rows(), {3, 4, 1, 0, 2}));
  EXPECT_EQ(run(null5_rows(), "[]", R"({"order_by":["nulls_last:-foo"]})"), pick(null5_rows(), {1, 0, 2, 3, 4}));
}

TEST(QueryOptions, OrderingIsStableForEqualKeys) {
  const json::value rows = parse(R"([{"k":1,"i":0},{"k":0,"i":1},{"k":1,"i":2},{"k":0,"i":3},{"k":1.0,"i":4}])");
  EXPECT_EQ(run(rows, "[]", R"({"order_by":["k"]})"), pick(rows, {1, 3, 0, 2, 4}));
  EXPECT_EQ(run(rows, "[]", R"({"order_by":["-k"]})"), pick(rows, {0, 2, 4, 1, 3}));
}

TEST(QueryOptions, AllNullSortKeysKeepOrder) {
  const json::value rows = parse(R"([{"id":3,"m":null},{"id":1},{"id":2,"m":null}])");
  EXPECT_EQ(run(rows, "[]", R"({"order_by":["m"]})"), rows);
}

TEST(QueryOptions, GetReturnsFirstOfSeveralMatches) {
  EXPECT_EQ(run(basic_rows(), R"([["active","=",true]])", R"({"get":true,"order_by":["name"]})"),
            basic_rows().as_array()[0]);
  EXPECT_EQ(run(basic_rows(), R"([["active","=",true]])", R"({"get":true,"order_by":["-name"]})"),
            basic_rows().as_array()[4]);
}

TEST(QueryOptions, SelectMissingNestedKeysAreOmitted) {
  const json::value rows = parse(R"([{"a":{"b":1}},{"a":2},{}])");
  EXPECT_EQ(run(rows, "[]", R"({"select":["a.b"]})"), parse(R"([{"a":{"b":1}},{},{}])"));
}

TEST(QueryOptions, SpanOverloadLeavesRowsUntouched) {
  const json::value rows = basic_rows();
  std::vector<const json::value*> view;
  for (const auto& r : rows.as_array()) view.push_back(&r);
  const json::value out =
      filter_list(view, parse(R"([["score",">",90]])").as_array(), parse(R"({"order_by":["-score"]})").as_object());
  EXPECT_EQ(out, pick(rows, {0, 4}));
  EXPECT_EQ(rows, basic_rows());
}

}  // namespace
}  // namespace mw::query::test
