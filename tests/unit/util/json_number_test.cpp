#include <mw/util/json_number.hpp>

#include <cstdint>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace mw::util {
namespace {

namespace json = boost::json;

TEST(ExactNumber, IntegersBeyondADoublesPrecisionStayApart) {
  // 2^53 + 1 has no double: a conversion through double would make it equal to 2^53.
  const json::value big = std::int64_t{9007199254740993};
  const json::value as_double = 9007199254740992.0;
  EXPECT_NE(exact_number(big), exact_number(as_double));
  EXPECT_LT(exact_number(as_double), exact_number(big));
}

TEST(ExactNumber, Uint64AboveInt64AndDoublesAndBoolsKeepTheirValue) {
  EXPECT_GT(exact_number(json::value(std::uint64_t{18446744073709551615ULL})),
            exact_number(json::value(std::int64_t{9223372036854775807LL})));
  EXPECT_EQ(exact_number(json::value(0.5)), 0.5L);
  EXPECT_EQ(exact_number(json::value(true)), 1.0L);
  EXPECT_EQ(exact_number(json::value(false)), 0.0L);
}

}  // namespace
}  // namespace mw::util
