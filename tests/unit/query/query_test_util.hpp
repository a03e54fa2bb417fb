#pragma once
// Helpers shared by the query engine tests: JSON literals in, JSON values out.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>

namespace mw::query::test {

inline json::value parse(std::string_view text) { return json::parse(text); }

inline json::value run(const json::value& rows, std::string_view filters, std::string_view options = "{}") {
  return filter_list(rows.as_array(), json::parse(filters).as_array(), json::parse(options).as_object());
}

// A filter list holding the single leaf [path, op, value]. (Built with push_back: brace-initialising
// an array from one array is a copy for some compilers and a nesting for others.)
inline json::array one_filter(std::string_view path, std::string_view op, json::value value) {
  json::array leaf;
  leaf.push_back(json::string(path));
  leaf.push_back(json::string(op));
  leaf.push_back(std::move(value));
  json::array filters;
  filters.push_back(std::move(leaf));
  return filters;
}

// The rows of `rows` at `indexes`, in that order: the exact result a query must return.
inline json::value pick(const json::value& rows, std::initializer_list<std::size_t> indexes) {
  json::array out;
  for (auto i : indexes) out.push_back(rows.as_array().at(i));
  return out;
}

// Runs `call`, expecting ValidationErrors whose first entry is (attribute, message).
inline void expect_validation_error(const std::function<void()>& call, const std::string& attribute,
                                    const std::string& message) {
  try {
    call();
    ADD_FAILURE() << "expected ValidationErrors " << attribute << ": " << message;
  } catch (const ValidationErrors& e) {
    ASSERT_FALSE(e.errors().empty());
    EXPECT_EQ(e.errors()[0].attribute.value_or("None"), attribute);
    EXPECT_EQ(e.errors()[0].message, message);
    EXPECT_EQ(e.errors()[0].errnum, EINVAL);
  }
}

// Runs `call`, expecting CallError(EINVAL) with `message`.
inline void expect_call_error(const std::function<void()>& call, const std::string& message) {
  try {
    call();
    ADD_FAILURE() << "expected CallError " << message;
  } catch (const CallError& e) {
    EXPECT_EQ(e.message(), message);
    EXPECT_EQ(e.errnum(), EINVAL);
  }
}

}  // namespace mw::query::test
