// The engine's building blocks: ISO-8601 parsing, Python ordering, paths, regex translation.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <stdexcept>

#include "filter_path.hpp"
#include "iso_timestamp.hpp"
#include "python_semantics.hpp"
#include "regex_pattern.hpp"

namespace mw::query {
namespace {

TEST(QueryIsoTimestamp, ParsesUtcForms) {
  EXPECT_EQ(parse_iso8601_us("1970-01-01"), 0);
  EXPECT_EQ(parse_iso8601_us("1970-01-01T00:00:01Z"), 1000000);
  EXPECT_EQ(parse_iso8601_us("2023-12-18T16:15:35+00:00"), 1702916135000000LL);
  EXPECT_EQ(parse_iso8601_us("2023-12-18 16:15:35"), 1702916135000000LL);
  EXPECT_EQ(parse_iso8601_us("2023-12-18T16:15"), 1702916100000000LL);
  EXPECT_EQ(parse_iso8601_us("2023-12-18T16:15:35.25Z"), 1702916135250000LL);
  EXPECT_EQ(parse_iso8601_us("2000-02-29T00:00:00Z"), 951782400000000LL);
  EXPECT_EQ(parse_iso8601_us("1969-12-31T23:59:59Z"), -1000000);
}

TEST(QueryIsoTimestamp, AppliesOffsets) {
  EXPECT_EQ(parse_iso8601_us("2023-12-18T18:15:35+02:00"), parse_iso8601_us("2023-12-18T16:15:35Z"));
  EXPECT_EQ(parse_iso8601_us("2023-12-18T11:45:35-0430"), parse_iso8601_us("2023-12-18T16:15:35Z"));
  EXPECT_EQ(parse_iso8601_us("2023-12-18T17:15:35+01"), parse_iso8601_us("2023-12-18T16:15:35Z"));
}

TEST(QueryIsoTimestamp, RejectsMalformedText) {
  for (const char* bad : {"", "Canary", "2023-13-01", "2023-02-30", "2023-12-18T24:00:00", "2023-12-18T16:15:35X",
                          "2023-12-18T16:15:35+", "2023-12-18T", "2023-1-18", "2023-12-18T16:15:35.Z", "0000-01-01"}) {
    EXPECT_FALSE(parse_iso8601_us(bad).has_value()) << bad;
  }
}

TEST(QueryPythonSemantics, OrderingRefusesIncompatibleTypes) {
  EXPECT_FALSE(python_order(boost::json::value(nullptr), boost::json::value(nullptr)).has_value());
  EXPECT_FALSE(python_order(boost::json::value("a"), boost::json::value(1)).has_value());
  EXPECT_EQ(python_order(boost::json::value(true), boost::json::value(0.5)), 1);
  // Lists compare equal elements without ordering them, as Python does.
  EXPECT_EQ(python_order(boost::json::parse("[null,1]"), boost::json::parse("[null,2]")), -1);
  EXPECT_EQ(python_sort_compare(boost::json::value(nullptr), boost::json::value(nullptr)), 0);
}

TEST(QueryPath, SplitsOnUnescapedDots) {
  const Path p = parse_path("a\\.b.c.*.-2.");
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].key, "a.b");
  EXPECT_EQ(p[1].key, "c");
  EXPECT_TRUE(p[2].star);
  EXPECT_TRUE(p[3].has_index);
  EXPECT_EQ(p[3].index, -2);
  EXPECT_EQ(p[4].key, "");
}

TEST(QueryRegexPattern, MatchesAtStartOnly) {
  const RegexPattern re("b+", false);
  EXPECT_TRUE(re.match_prefix("bbc"));
  EXPECT_FALSE(re.match_prefix("abb"));
}

TEST(QueryRegexPattern, HonoursLeadingInlineFlags) {
  EXPECT_TRUE(RegexPattern("(?i)abc", false).match_prefix("ABC"));
  EXPECT_TRUE(RegexPattern("(?im)^x", false).match_prefix("X"));
  EXPECT_TRUE(RegexPattern("(?s)a.b", false).match_prefix("a\nb"));
  EXPECT_FALSE(RegexPattern("a.b", false).match_prefix("a\nb"));
  EXPECT_THROW(RegexPattern("(?x)a b", false), std::invalid_argument);
}

TEST(QueryRegexPattern, RefusesOversizedPatterns) {
  EXPECT_THROW(RegexPattern(std::string(RegexPattern::kMaxPatternBytes + 1, 'a'), false), std::invalid_argument);
  EXPECT_NO_THROW(RegexPattern(std::string(RegexPattern::kMaxPatternBytes, 'a'), false));
  EXPECT_THROW(RegexPattern("a{5000}", false), std::invalid_argument);
  EXPECT_NO_THROW(RegexPattern("[a-z]{1,64}", false));
}

TEST(QueryRegexPattern, MapsPythonSyntaxRe2Lacks) {
  EXPECT_TRUE(RegexPattern("ab\\Z", false).match_prefix("ab"));
  EXPECT_FALSE(RegexPattern("ab\\Z", false).match_prefix("abc"));
  EXPECT_TRUE(RegexPattern("a(?#comment)b", false).match_prefix("ab"));
  EXPECT_TRUE(RegexPattern("(?P<x>[]a]+)!", false).match_prefix("]a]!"));
  EXPECT_TRUE(RegexPattern("(?a)\\w+", false).match_prefix("abc"));
}

TEST(QueryRegexPattern, MatchesLongSubjectsAgainstBacktrackingPronePatterns) {
  std::string subject(1 << 20, 'a');
  EXPECT_FALSE(RegexPattern("(a|aa)*b", false).match_prefix(subject));
  EXPECT_TRUE(RegexPattern("(a|aa)*$", false).match_prefix(subject));
}

}  // namespace
}  // namespace mw::query
