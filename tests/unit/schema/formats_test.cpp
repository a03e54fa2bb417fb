// The implemented `format` checks; unknown formats are accepted.
#include <gtest/gtest.h>

#include "schema/formats.hpp"
#include "schema_test_helpers.hpp"

namespace mw::schema::test {
namespace {

TEST(SchemaFormats, DateTimeFollowsRfc3339) {
  EXPECT_TRUE(check_format("date-time", "2024-02-29T23:59:60.5+05:30"));
  EXPECT_TRUE(check_format("date-time", "1963-06-19t08:30:06z"));
  EXPECT_FALSE(check_format("date-time", "2023-02-29T00:00:00Z"));  // not a leap year
  EXPECT_FALSE(check_format("date-time", "2024-01-01 00:00:00Z"));
  EXPECT_FALSE(check_format("date-time", "2024-01-01T00:00:00"));  // offset required
  EXPECT_FALSE(check_format("date-time", "2024-01-01T24:00:00Z"));
  EXPECT_TRUE(check_format("date", "2000-02-29"));
  EXPECT_FALSE(check_format("date", "1900-02-29"));
  EXPECT_TRUE(check_format("time", "08:30:06.1Z"));
  EXPECT_FALSE(check_format("time", "08:30:06.Z"));
}

TEST(SchemaFormats, Ipv4NeedsFourDecimalOctets) {
  EXPECT_TRUE(check_format("ipv4", "192.168.0.1"));
  EXPECT_FALSE(check_format("ipv4", "256.1.1.1"));
  EXPECT_FALSE(check_format("ipv4", "01.1.1.1"));
  EXPECT_FALSE(check_format("ipv4", "1.1.1"));
  EXPECT_FALSE(check_format("ipv4", "1.1.1.1."));
}

TEST(SchemaFormats, Ipv6AcceptsCompressionAndEmbeddedIpv4) {
  EXPECT_TRUE(check_format("ipv6", "::"));
  EXPECT_TRUE(check_format("ipv6", "fe80::1"));
  EXPECT_TRUE(check_format("ipv6", "1:2:3:4:5:6:7:8"));
  EXPECT_TRUE(check_format("ipv6", "::ffff:192.168.0.1"));
  EXPECT_FALSE(check_format("ipv6", "1:2:3:4:5:6:7:8:9"));
  EXPECT_FALSE(check_format("ipv6", "1::2::3"));
  EXPECT_FALSE(check_format("ipv6", "1:2"));
  EXPECT_FALSE(check_format("ipv6", "12345::"));
  EXPECT_FALSE(check_format("ipv6", ":1:2:3:4:5:6:7"));
}

TEST(SchemaFormats, UuidIsHyphenatedHex) {
  EXPECT_TRUE(check_format("uuid", "2EB4C1A0-3b7c-4f0e-9c2a-000000000001"));
  EXPECT_FALSE(check_format("uuid", "2eb4c1a03b7c4f0e9c2a000000000001"));
  EXPECT_FALSE(check_format("uuid", "2eb4c1a0-3b7c-4f0e-9c2a-00000000000g"));
}

TEST(SchemaFormats, RegexMustCompileAsEcma262) {
  EXPECT_TRUE(check_format("regex", "^[a-z]+\\d*$"));
  EXPECT_FALSE(check_format("regex", "^(abc]"));
  EXPECT_FALSE(check_format("regex", "\\Z"));
}

TEST(SchemaFormats, UnknownFormatsAreAccepted) {
  EXPECT_FALSE(is_checked_format("email"));
  EXPECT_TRUE(check_format("email", "not an email"));
  EXPECT_TRUE(check(R"({"format":"hostname"})", R"("-- nope --")").empty());
}

TEST(SchemaFormats, FailureMessageNamesTheFormat) {
  EXPECT_EQ(message(R"({"format":"ipv4"})", R"("1.2.3")"), "Input should be a valid ipv4");
  EXPECT_TRUE(check(R"({"format":"ipv4"})", "12").empty());  // formats apply to strings only
}

TEST(SchemaFormats, FormatChecksCanBeTurnedOff) {
  SchemaSet set(CompileOptions{.check_formats = false});
  auto schema = set.compile_document("mw:///f.json", parse(R"({"format":"ipv4"})"));
  EXPECT_TRUE(schema.is_valid(json::value("nope")));
}

}  // namespace
}  // namespace mw::schema::test
