#include "schema/ecma_regex.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "schema/compile_options.hpp"

namespace mw::schema {

namespace {

// Letter escapes ECMA-262 defines; any other (\A, \Z, \z, \e ...) is not ECMA and is refused, as
// the official test suite's "ECMA 262 regex non-compliance" case asks.
constexpr std::string_view kEcmaLetterEscapes = "dDwWsSbBfnrtvcxuk";

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string hex_escape(unsigned value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x{";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xf];
  return out + "}";
}

// ECMA-262 syntax in RE2's: \uXXXX and \cX become \x{...}, named groups (?<n>...) become
// (?P<n>...). Throws std::invalid_argument for what RE2 cannot run.
std::string translate(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size()) throw std::invalid_argument("trailing backslash");
      const char e = s[++i];
      if (std::isalpha(static_cast<unsigned char>(e)) && kEcmaLetterEscapes.find(e) == std::string_view::npos)
        throw std::invalid_argument(std::string("unknown escape \\") + e);
      if ((e >= '1' && e <= '9') || e == 'k') throw std::invalid_argument("back-references are not supported");
      if (e == 'u') {
        const std::string_view digits = s.substr(i + 1, 4);
        if (digits.size() == 4 && std::all_of(digits.begin(), digits.end(), is_hex)) {
          out += hex_escape(static_cast<unsigned>(std::stoul(std::string(digits), nullptr, 16)));
          i += 4;
          continue;
        }
      }
      if (e == 'c' && i + 1 < s.size() && std::isalpha(static_cast<unsigned char>(s[i + 1]))) {
        out += hex_escape(static_cast<unsigned>(s[++i]) % 32);
        continue;
      }
      out += '\\';
      out += e;
    } else if (s.substr(i, 3) == "(?=" || s.substr(i, 3) == "(?!" || s.substr(i, 4) == "(?<=" ||
               s.substr(i, 4) == "(?<!") {
      throw std::invalid_argument("lookahead and lookbehind are not supported");
    } else if (s.substr(i, 3) == "(?<") {
      out += "(?P<";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_max_mem(8 << 20);  // bounds the compiled program: a too large pattern is an error
  return o;
}

std::unique_ptr<RE2> compile(std::string_view source) {
  if (source.size() > kMaxPatternLength)
    throw std::invalid_argument("pattern longer than " + std::to_string(kMaxPatternLength) + " bytes");
  auto re = std::make_unique<RE2>(translate(source), options());
  if (!re->ok()) throw std::invalid_argument("invalid regular expression: " + re->error());
  return re;
}

}  // namespace

std::optional<std::string> regex_problem(std::string_view source) {
  try {
    compile(source);
  } catch (const std::invalid_argument& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

EcmaRegex::EcmaRegex(std::string source) : source_(std::move(source)), regex_(compile(source_)) {}

EcmaRegex::~EcmaRegex() = default;

bool EcmaRegex::search(std::string_view subject) const { return RE2::PartialMatch(subject, *regex_); }

}  // namespace mw::schema
