// Malformed filters (validation errors on "filters"), depth limit, and errors met while comparing.
#include <chrono>
#include <string>

#include "datasets.hpp"

namespace mw::query::test {
namespace {

const json::value kNoRows = json::array();

TEST(QueryFilterErrors, RejectsFilterOfLengthOneWhenNotAGroup) {
  expect_validation_error([] { run(data_rows(), R"([["name"]])"); }, "filters",
                          "Value error, filter_list: invalid filter length 1");
}

TEST(QueryFilterErrors, RejectsFilterOfLengthFour) {
  expect_validation_error([] { run(data_rows(), R"([["foo","=","foo1","extra"]])"); }, "filters",
                          "Value error, filter_list: invalid filter length 4");
}

TEST(QueryFilterErrors, RejectsEmptyFilter) {
  expect_validation_error([] { run(data_rows(), R"([[]])"); }, "filters",
                          "Value error, filter_list: invalid filter length 0");
}

TEST(QueryFilterErrors, RejectsLengthTwoFilterNotStartingWithOr) {
  expect_validation_error([] { run(data_rows(), R"([["AND",[["foo","=","x"]]]])"); }, "filters",
                          "Value error, filter_list: len-2 filter must start with \"OR\"");
}

TEST(QueryFilterErrors, RejectsOrWhoseBranchesAreNotAList) {
  expect_validation_error([] { run(data_rows(), R"([["OR","foo"]])"); }, "filters",
                          "Value error, filter_list: OR filter requires a list of branches");
}

TEST(QueryFilterErrors, RejectsUnknownOperatorNamingItWithoutCasePrefix) {
  expect_validation_error([] { run(data_rows(), R"([["foo","like","x"]])"); }, "filters",
                          "Value error, filter_list: unknown operator 'like'");
  expect_validation_error([] { run(data_rows(), R"([["foo","Clike","x"]])"); }, "filters",
                          "Value error, filter_list: unknown operator 'like'");
  expect_validation_error([] { run(data_rows(), R"([["foo",5,"x"]])"); }, "filters",
                          "Value error, filter_list: unknown operator 5");
}

TEST(QueryFilterErrors, RejectsNonListElementAndNonStringPath) {
  expect_validation_error([] { run(data_rows(), R"(["foo"])"); }, "filters",
                          "Value error, filter_list: a filter must be a list, not str");
  expect_validation_error([] { run(data_rows(), R"([[1,"=",1]])"); }, "filters",
                          "Value error, filter_list: filter path must be a string, not 1");
}

TEST(QueryFilterErrors, ValidatesWholeTreeEvenWithoutRows) {
  expect_validation_error([] { run(kNoRows, R"([["foo","=",1],["OR",[["a","=",1],["b","=",2,3]]]])"); }, "filters",
                          "Value error, filter_list: invalid filter length 4");
}

TEST(QueryFilterErrors, RejectsInvalidRegexEvenWithoutRows) {
  try {
    run(kNoRows, R"([["foo","~","(unclosed"]])");
    ADD_FAILURE() << "no error";
  } catch (const ValidationErrors& e) {
    ASSERT_EQ(e.errors().size(), 1u);
    EXPECT_EQ(e.errors()[0].attribute, "filters");
    EXPECT_TRUE(e.errors()[0].message.starts_with("Value error, filter_list: invalid regular expression '(unclosed': "))
        << e.errors()[0].message;
  }
}

TEST(QueryFilterErrors, RejectsNonStringRegex) {
  expect_validation_error([] { run(kNoRows, R"([["foo","~",5]])"); }, "filters",
                          "Value error, filter_list: regular expression must be a string, not int");
}

TEST(QueryFilterErrors, RejectsRegexBackReference) {
  expect_validation_error([] { run(kNoRows, R"([["foo","~","(a)\\1"]])"); }, "filters",
                          "Value error, filter_list: invalid regular expression '(a)\\\\1': back-references are "
                          "not supported");
}

TEST(QueryFilterErrors, RejectsOneMebibyteRegexQuickly) {
  const std::string pattern(1 << 20, 'a');
  json::array filters = one_filter("foo", "~", json::string(pattern));
  const auto start = std::chrono::steady_clock::now();
  expect_validation_error([&] { filter_list(data_rows().as_array(), filters, {}); }, "filters",
                          "Value error, filter_list: invalid regular expression '" + std::string(99, 'a') +
                              "...: regular expression is too long (1048576 bytes, at most 1024)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(QueryFilterErrors, RejectsRegexThatExpandsTooMuch) {
  try {
    run(kNoRows, R"([["foo","~","((a{100}){100}){100}"]])");
    ADD_FAILURE() << "no error";
  } catch (const ValidationErrors& e) {
    ASSERT_EQ(e.errors().size(), 1u);
    EXPECT_TRUE(e.errors()[0].message.starts_with(
        "Value error, filter_list: invalid regular expression '((a{100}){100}){100}': invalid repetition size"))
        << e.errors()[0].message;
  }
}

TEST(QueryFilterErrors, RejectsRegexLookaround) {
  expect_validation_error([] { run(kNoRows, R"J([["foo","~","a(?!b)"]])J"); }, "filters",
                          "Value error, filter_list: invalid regular expression 'a(?!b)': lookahead and lookbehind "
                          "are not supported");
}

TEST(QueryFilterErrors, RejectsCaseInsensitiveOperandThatIsNotText) {
  expect_validation_error([] { run(kNoRows, R"([["foo","C=",5]])"); }, "filters",
                          "Value error, filter_list: cannot casefold a value of type 'int'");
}

TEST(QueryFilterErrors, FourNestedOrsExceedDepthEvenWithoutRows) {
  expect_call_error([] { run(kNoRows, R"([["OR",[["OR",[["OR",[["OR",[["a","=",1]]]]]]]]]])"); },
                    "query-filters max recursion depth exceeded");
}

TEST(QueryFilterErrors, ShapeErrorWinsOverDepthError) {
  expect_validation_error([] { run(kNoRows, R"([["OR",[["OR",[["OR",[["OR",[["a","=",1]]]]]]]]],["x"]])"); }, "filters",
                          "Value error, filter_list: invalid filter length 1");
}

TEST(QueryFilterErrors, AndGroupsCountTowardsDepth) {
  // Three nested AND-groups put the leaf at depth 3: allowed.
  EXPECT_EQ(run(data_rows(), R"([[[[["number","=",1]]]]])"), pick(data_rows(), {0}));
  // A fourth one goes past the limit.
  expect_call_error([] { run(data_rows(), R"([[[[[["number","=",1]]]]]])"); },
                    "query-filters max recursion depth exceeded");
  // An OR holding an AND-group holding an OR holding an OR: 4 levels.
  expect_call_error([] { run(data_rows(), R"([["OR",[[["OR",[["OR",[["OR",[["number","=",1]]]]]]]]]]])"); },
                    "query-filters max recursion depth exceeded");
}

TEST(QueryFilterErrors, OrderingNullAgainstNumberIsCallError) {
  expect_call_error([] { run(null5_rows(), R"([["foo",">",1]])"); },
                    "'>' not supported between instances of 'str' and 'int'");
  expect_call_error([] { run(parse(R"([{"a":null}])"), R"([["a","<",1]])"); },
                    "'<' not supported between instances of 'NoneType' and 'int'");
  expect_call_error([] { run(parse(R"([{"a":{"b":1}}])"), R"([["a","<=",{"b":2}]])"); },
                    "'<=' not supported between instances of 'dict' and 'dict'");
}

TEST(QueryFilterErrors, EngineErrorsNeedARowToHappen) {
  EXPECT_EQ(run(kNoRows, R"([["a","<",1]])"), json::value(json::array()));
}

TEST(QueryFilterErrors, CasefoldingANumberIsCallError) {
  expect_call_error([] { run(data_rows(), R"([["number","C=","1"]])"); },
                    "filter_list: cannot casefold a value of type 'int'");
}

TEST(QueryFilterErrors, StringOperatorsOnNonStringsAreCallErrors) {
  expect_call_error([] { run(data_rows(), R"([["number","^","1"]])"); }, "'int' object has no attribute 'startswith'");
  expect_call_error([] { run(data_rows(), R"([["foo","$",1]])"); },
                    "endswith first arg must be str or a tuple of str, not int");
  expect_call_error([] { run(data_rows(), R"([["number","~","1"]])"); },
                    "expected string or bytes-like object, got 'int'");
  expect_call_error([] { run(data_rows(), R"([["number","in","123"]])"); },
                    "'in <string>' requires string as left operand, not int");
  expect_call_error([] { run(data_rows(), R"([["number","rin",1]])"); }, "argument of type 'int' is not iterable");
}

TEST(QueryFilterErrors, MixedNullOrderingWithoutPrefixIsCallError) {
  try {
    run(null5_rows(), "[]", R"({"order_by":["foo"]})");
    ADD_FAILURE() << "no error";
  } catch (const CallError& e) {
    // Which pair the sort meets first is the algorithm's business; the pair's types are not.
    EXPECT_TRUE(e.message() == "'<' not supported between instances of 'NoneType' and 'str'" ||
                e.message() == "'<' not supported between instances of 'str' and 'NoneType'")
        << e.message();
    EXPECT_EQ(e.errnum(), EINVAL);
  }
}

}  // namespace
}  // namespace mw::query::test
