// The Python-compatible pieces of mw_util against what CPython itself answers: the expected
// values below were produced by python3 (shlex.split, repr, str.casefold).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <mw/util/python.hpp>

namespace mw::util {
namespace {

using Words = std::vector<std::string>;

void expect_shlex_error(const std::string& text, const std::string& message) {
  try {
    shlex_split(text);
    ADD_FAILURE() << "no error for " << text;
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), message) << text;
  }
}

TEST(Shlex, SplitsAsPythonShlexSplit) {
  EXPECT_EQ(shlex_split("-device virtio-rng-pci  -smbios 'type=1,product=a b'"),
            (Words{"-device", "virtio-rng-pci", "-smbios", "type=1,product=a b"}));
  EXPECT_EQ(shlex_split("a\"b c\"d e\\ f \"x\\\"y\""), (Words{"ab cd", "e f", "x\"y"}));
  EXPECT_EQ(shlex_split(""), (Words{}));
  EXPECT_EQ(shlex_split("''"), (Words{""}));
  EXPECT_EQ(shlex_split("\"\""), (Words{""}));
  EXPECT_EQ(shlex_split("\"a\\$b\" \"c\\`d\" \"e\\\\f\""), (Words{"a\\$b", "c\\`d", "e\\f"}));
  EXPECT_EQ(shlex_split("'a\\b'"), (Words{"a\\b"}));
  EXPECT_EQ(shlex_split("a\fb c"), (Words{"a\fb", "c"}));
  EXPECT_EQ(shlex_split("  -a\tb\n c  "), (Words{"-a", "b", "c"}));
  EXPECT_EQ(shlex_split("-smbios \"type=1,manufacturer=Acme Corp\" 'a b'c"),
            (Words{"-smbios", "type=1,manufacturer=Acme Corp", "a bc"}));
  EXPECT_EQ(shlex_split("a\\ b"), (Words{"a b"}));
  EXPECT_EQ(shlex_split("a''b"), (Words{"ab"}));
  EXPECT_EQ(shlex_split("\"x\\ny\""), (Words{"x\\ny"}));
  expect_shlex_error("-name 'oops", "No closing quotation");
  expect_shlex_error("\"x", "No closing quotation");
  expect_shlex_error("x\\", "No escaped character");
  expect_shlex_error("\"abc\\", "No escaped character");
}

TEST(Shlex, DoubleQuotesLetABackslashEscapeOnlyAQuoteOrABackslash) {
  // sh would drop the backslash before $ and `; shlex keeps it, and QEMU gets what shlex gives.
  EXPECT_EQ(shlex_split(R"("\$HOME")"), (Words{R"(\$HOME)"}));
}

TEST(PythonRepr, WritesJsonValuesAsPythonRepr) {
  EXPECT_EQ(python_repr(boost::json::parse(R"([1,"a",null,true,1.5,{"k":[]}])")),
            "[1, 'a', None, True, 1.5, {'k': []}]");
  EXPECT_EQ(python_repr(boost::json::value(2.0)), "2.0");
  EXPECT_EQ(python_repr(boost::json::value("it's")), "\"it's\"");
  EXPECT_EQ(python_repr(boost::json::value("a\nb\\")), "'a\\nb\\\\'");
  EXPECT_EQ(python_repr(boost::json::value("both ' and \"")), "'both \\' and \"'");
  EXPECT_EQ(python_repr(boost::json::value("caf\xc3\xa9")), "'caf\xc3\xa9'");
  EXPECT_EQ(python_repr(boost::json::value("\xc2\x85\xc2\xa0\xe2\x80\x8b\xef\xbb\xbf")), "'\\x85\\xa0\\u200b\\ufeff'");
  EXPECT_EQ(python_repr(boost::json::parse(R"({"b":1,"a":2})")), "{'b': 1, 'a': 2}") << "a dict keeps its order";
  EXPECT_EQ(pprint_repr(boost::json::parse(R"({"b":1,"a":2})")), "{'a': 2, 'b': 1}") << "pprint sorts";
}

TEST(PythonRepr, WritesFloatsInPythonsShortestForm) {
  EXPECT_EQ(python_float_repr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(python_float_repr(1e-5), "1e-05");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(python_float_repr(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(python_float_repr(std::nan("")), "nan");
}

TEST(Casefold, FoldsTheScriptsVmNamesUse) {
  EXPECT_EQ(casefold("Hello WORLD"), "hello world");
  EXPECT_EQ(casefold("ÄÖÜß"), "äöüss");
  EXPECT_EQ(casefold("ΣΊΣΥΦΟΣ"), "σίσυφοσ");
  EXPECT_EQ(casefold("ПРИВЕТ Ёж"), "привет ёж");
  EXPECT_EQ(casefold("ŁÓDŹ"), "łódź");
  EXPECT_EQ(casefold("a\xff\xc3"), "a\xff\xc3") << "bytes that are not UTF-8 pass";
}

TEST(Cpuset, ExpandsRangesInWrittenOrderEachOnce) {
  EXPECT_EQ(parse_cpuset("0-3,6"), (std::vector<int>{0, 1, 2, 3, 6}));
  EXPECT_EQ(parse_cpuset("5"), (std::vector<int>{5}));
  EXPECT_EQ(parse_cpuset("6,0-1,1"), (std::vector<int>{6, 0, 1}));
}

TEST(Cpuset, RefusesMalformedSets) {
  for (const char* bad : {"", "3-1", "1,", ",1", "a", "1-", "-1", "1--2", "0-70000", "1;2", " 1"})
    EXPECT_FALSE(parse_cpuset(bad)) << bad;
}

}  // namespace
}  // namespace mw::util
