// select_rows on rows whose top-level values are made on demand (query::RowFields): the same
// answers and errors as filter_list on the same objects, and only the fields named are asked for.
#include <map>
#include <set>
#include <string>

#include "datasets.hpp"
#include "query_test_util.hpp"

namespace mw::query::test {
namespace {

// An object row that records every top-level key the engine asks for.
class RecordingRow final : public RowFields {
 public:
  explicit RecordingRow(const json::object& object) : object_(object) {}
  const json::value* field(std::string_view key) const override {
    asked.insert(std::string(key));
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &it->value();
  }
  mutable std::set<std::string> asked;

 private:
  const json::object& object_;
};

struct Rows {
  explicit Rows(const json::value& rows) {
    for (const auto& r : rows.as_array()) recording.emplace_back(r.as_object());
    for (const auto& r : recording) view.push_back(&r);
  }
  std::vector<RecordingRow> recording;
  std::vector<const RowFields*> view;
};

// The answer select_rows' positions stand for, as filter_list gives it.
json::value answer_of(const json::value& rows, const Selection& s) {
  if (s.count) return *s.count;
  json::array out;
  for (std::size_t i = 0; i < s.rows.size(); ++i)
    out.push_back(s.projected.empty() ? rows.as_array().at(s.rows[i]) : s.projected[i]);
  if (s.get) return out.at(0);
  return out;
}

template <class F>
std::string outcome(F&& f) {
  try {
    return json::serialize(f());
  } catch (const ValidationErrors& e) {
    std::string out = "invalid:";
    for (const auto& v : e.errors()) out += " " + v.attribute.value_or("None") + ": " + v.message;
    return out;
  } catch (const CallError& e) {
    return "error: " + e.message();
  } catch (const MatchNotFound&) {
    return "not found";
  }
}

TEST(RowFields, SelectRowsAnswersAsFilterListOnTheSameObjects) {
  const json::value rows = parse(R"([
    {"id": 1, "name": "alpha", "memory": 512, "min": null, "tags": ["a", "b"], "status": {"state": "RUNNING"}},
    {"id": 2, "name": "Beta", "memory": 1024, "min": 64, "tags": [], "status": {"state": "STOPPED"}},
    {"id": 3, "name": "gamma", "memory": 128, "tags": ["b"], "status": {"state": "STOPPED"}},
    {"id": 4, "name": "delta", "memory": 512, "min": 32, "status": {"state": "SUSPENDED"}}])");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([["memory", "=", 512]])", "{}"},
      {R"([["memory", "!=", 512]])", "{}"},
      {R"([["memory", "<", 600], ["memory", ">=", 128]])", "{}"},
      {R"([["memory", "<=", 512], ["id", ">", 1]])", "{}"},
      {R"([["min", ">", 10]])", "{}"},
      {R"([["min", "=", null]])", "{}"},
      {R"([["name", "in", ["alpha", "delta"]]])", "{}"},
      {R"([["name", "nin", ["alpha"]]])", "{}"},
      {R"([["tags", "rin", "b"]])", "{}"},
      {R"([["tags", "rnin", "b"]])", "{}"},
      {R"([["name", "^", "a"]])", "{}"},
      {R"([["name", "!^", "a"]])", "{}"},
      {R"([["name", "$", "a"]])", "{}"},
      {R"([["name", "!$", "ta"]])", "{}"},
      {R"x([["name", "~", "(al|ga)"]])x", "{}"},
      {R"([["name", "C=", "BETA"]])", "{}"},
      {R"([["status.state", "=", "STOPPED"]])", "{}"},
      {R"([["tags.*", "=", "a"]])", "{}"},
      {R"([["tags.0", "=", "b"]])", "{}"},
      {R"([["OR", [[["name", "=", "alpha"]], [["memory", ">", 1000]]]]])", "{}"},
      {R"([["OR", [[["OR", [[["OR", [[["OR", [[["id", "=", 1]]]]]]]]]]]]]])", "{}"},
      {R"([["memory", "^", "5"]])", "{}"},
      {R"([["memory", "~~", 1]])", "{}"},
      {"[]", R"({"order_by": ["-memory", "name"]})"},
      {"[]", R"({"order_by": ["nulls_first:min"]})"},
      {"[]", R"({"order_by": ["nulls_last:-min", "id"]})"},
      {"[]", R"({"order_by": ["min"]})"},
      {"[]", R"({"order_by": ["status.state", "-id"], "offset": 1, "limit": 2})"},
      {R"([["memory", ">", 100]])", R"({"count": true})"},
      {R"([["memory", ">", 100]])", R"({"get": true, "order_by": ["memory"]})"},
      {R"([["memory", ">", 9999]])", R"({"get": true})"},
      {"[]", R"({"select": ["name", "status.state", ["memory", "mem"]], "order_by": ["-mem"]})"},
      {"[]", R"({"select": ["name"], "order_by": ["memory"], "get": true})"},
  };
  for (const auto& [filters, options] : cases) {
    Rows r(rows);
    const auto f = json::parse(filters).as_array();
    const auto o = json::parse(options).as_object();
    EXPECT_EQ(outcome([&] { return answer_of(rows, select_rows(r.view, f, o)); }),
              outcome([&] { return filter_list(rows.as_array(), f, o); }))
        << filters << " " << options;
  }
}

// Only the fields the filters name are read from every row; order_by's and select's only from the
// rows the filters keep, and nothing at all when counting.
TEST(RowFields, OnlyTheNamedFieldsAreAskedFor) {
  const json::value rows = parse(R"([{"id": 1, "name": "a", "memory": 512, "big": [1, 2, 3]},
                                     {"id": 2, "name": "b", "memory": 128, "big": [4]},
                                     {"id": 3, "name": "c", "memory": 1024, "big": []}])");
  const auto filters = json::parse(R"([["memory", ">", 200]])").as_array();
  Rows r(rows);
  auto s = select_rows(r.view, filters, json::parse(R"({"order_by": ["-name"]})").as_object());
  EXPECT_EQ(s.rows, (std::vector<std::size_t>{2, 0}));
  EXPECT_EQ(r.recording[0].asked, (std::set<std::string>{"memory", "name"}));
  EXPECT_EQ(r.recording[1].asked, (std::set<std::string>{"memory"}));
  EXPECT_EQ(r.recording[2].asked, (std::set<std::string>{"memory", "name"}));

  Rows selected(rows);
  s = select_rows(selected.view, filters, json::parse(R"({"select": ["id"]})").as_object());
  EXPECT_EQ(s.projected, (std::vector<json::value>{parse(R"({"id": 1})"), parse(R"({"id": 3})")}));
  EXPECT_EQ(selected.recording[0].asked, (std::set<std::string>{"memory", "id"}));
  EXPECT_EQ(selected.recording[1].asked, (std::set<std::string>{"memory"}));

  Rows sorted(rows);
  select_rows(sorted.view, json::array{}, json::parse(R"({"order_by": ["nulls_first:name"]})").as_object());
  for (const auto& row : sorted.recording) EXPECT_EQ(row.asked, (std::set<std::string>{"name"}));

  Rows counted(rows);
  EXPECT_EQ(select_rows(counted.view, json::array{}, json::parse(R"({"count": true})").as_object()).count, 3);
  for (const auto& row : counted.recording) EXPECT_TRUE(row.asked.empty());
}

}  // namespace
}  // namespace mw::query::test
