#include "mw/util/python.hpp"

#include <cstdint>

#include "mw/util/utf8.hpp"

namespace mw::util {
namespace {

bool in(char32_t cp, char32_t lo, char32_t hi) { return cp >= lo && cp <= hi; }

// Appends the case folding of one code point.
void fold(std::string& out, char32_t cp) {
  if (in(cp, U'A', U'Z')) return append_utf8(out, cp + 0x20);
  if (cp < 0x80) return append_utf8(out, cp);
  if (cp == 0xB5) return append_utf8(out, 0x3BC);  // micro sign -> greek mu
  if (in(cp, 0xC0, 0xDE) && cp != 0xD7) return append_utf8(out, cp + 0x20);
  if (cp == 0xDF) {  // sharp s folds to "ss"
    out += "ss";
    return;
  }
  if (in(cp, 0x100, 0x17F)) {
    if (cp == 0x130) {  // dotted capital I folds to "i" + combining dot
      append_utf8(out, U'i');
      return append_utf8(out, 0x307);
    }
    if (cp == 0x149) {
      append_utf8(out, 0x2BC);
      return append_utf8(out, U'n');
    }
    if (cp == 0x178) return append_utf8(out, 0xFF);
    if (cp == 0x17F) return append_utf8(out, U's');
    // Pairs start on even code points except in 0x139..0x148 and 0x179..0x17E.
    const bool odd_pairs = in(cp, 0x139, 0x148) || in(cp, 0x179, 0x17E);
    const bool upper = odd_pairs ? (cp % 2 == 1) : (cp % 2 == 0);
    if (upper && cp != 0x138) return append_utf8(out, cp + 1);
    return append_utf8(out, cp);
  }
  if (in(cp, 0x391, 0x3AB) && cp != 0x3A2) return append_utf8(out, cp + 0x20);
  if (cp == 0x386) return append_utf8(out, 0x3AC);  // accented capitals of the Greek block
  if (in(cp, 0x388, 0x38A)) return append_utf8(out, cp + 0x25);
  if (cp == 0x38C) return append_utf8(out, 0x3CC);
  if (in(cp, 0x38E, 0x38F)) return append_utf8(out, cp + 0x3F);
  if (cp == 0x3C2) return append_utf8(out, 0x3C3);  // final sigma
  if (in(cp, 0x400, 0x40F)) return append_utf8(out, cp + 0x50);
  if (in(cp, 0x410, 0x42F)) return append_utf8(out, cp + 0x20);
  if ((in(cp, 0x460, 0x481) || in(cp, 0x48A, 0x4BF)) && cp % 2 == 0) return append_utf8(out, cp + 1);
  append_utf8(out, cp);
}

}  // namespace

std::string casefold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t len = decode_utf8(text, i, cp);
    if (len == 0) {
      out += text[i++];
      continue;
    }
    fold(out, cp);
    i += len;
  }
  return out;
}

}  // namespace mw::util
