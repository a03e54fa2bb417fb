// Inputs that once crashed or misbehaved (found by tests/fuzz/query or by hand); each must end
// in a result or a documented exception.
#include "query_test_util.hpp"

namespace mw::query::test {
namespace {

// Runs one fuzzer-shaped document {"rows":[...],"filters":[...],"options":{...}}.
void run_document(std::string_view text) {
  const json::value doc = parse(text);
  try {
    filter_list(doc.at("rows").as_array(), doc.at("filters").as_array(), doc.at("options").as_object());
  } catch (const ValidationErrors&) {
  } catch (const CallError& e) {
    EXPECT_EQ(e.errnum(), EINVAL);
  } catch (const MatchNotFound&) {
  }
}

TEST(QueryFuzzRegression, DeeplyNestedFiltersStopAtTheDepthLimit) {
  std::string filters(5000, '[');
  filters += R"(["a","=",1])";
  filters += std::string(5000, ']');
  json::parse_options deep;
  deep.max_depth = 10000;
  const json::value parsed = json::parse(filters, {}, deep);
  expect_call_error([&] { filter_list(json::array(), parsed.as_array(), {}); },
                    "query-filters max recursion depth exceeded");
}

TEST(QueryFuzzRegression, DeeplyNestedOrsStopAtTheDepthLimit) {
  std::string filters;
  for (int i = 0; i < 3000; ++i) filters += R"([["OR",)";
  filters += R"([["a","=",1]])";
  for (int i = 0; i < 3000; ++i) filters += "]]";
  json::parse_options deep;
  deep.max_depth = 20000;
  const json::value parsed = json::parse(filters, {}, deep);
  expect_call_error([&] { filter_list(json::array(), parsed.as_array(), {}); },
                    "query-filters max recursion depth exceeded");
}

TEST(QueryFuzzRegression, OddShapesEndInDocumentedErrors) {
  run_document(R"({"rows":[1,"x",null,[]],"filters":[["a.*.b","~",""]],"options":{"order_by":["a"]}})");
  run_document(R"({"rows":[{"a":1}],"filters":[["","C","x"]],"options":{}})");
  run_document(R"({"rows":[{"a":[1,{}]}],"filters":[["a.*","Crin",null]],"options":{"select":[""]}})");
  run_document(R"({"rows":[{"a":1}],"filters":[["a","~","[]"]],"options":{}})");
  run_document(R"({"rows":[{"a":1}],"filters":[["a","~","(?P<"]],"options":{}})");
  run_document(R"({"rows":[{"a":1}],"filters":[["a","~","{"]],"options":{}})");
  run_document(R"({"rows":[{"":{"":1}}],"filters":[],"options":{"select":[".","\\."],"order_by":["."]}})");
  SUCCEED();
}

}  // namespace
}  // namespace mw::query::test
