#include "iso_timestamp.hpp"

namespace mw::query {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ == text_.size(); }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool take(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  // Exactly `width` decimal digits.
  std::optional<int> digits(int width) {
    if (pos_ + width > text_.size()) return std::nullopt;
    int v = 0;
    for (int k = 0; k < width; ++k) {
      const char c = text_[pos_ + k];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    pos_ += width;
    return v;
  }
  // 1 to 6 fraction digits as microseconds.
  std::optional<int> fraction_us() {
    int v = 0;
    int n = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9' && n < 6) {
      v = v * 10 + (text_[pos_++] - '0');
      ++n;
    }
    if (n == 0) return std::nullopt;
    for (int k = n; k < 6; ++k) v *= 10;
    return v;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian), counting in 400-year eras.
std::int64_t days_since_epoch(int y, int m, int d) {
  const int shifted_year = m <= 2 ? y - 1 : y;  // years start in March so Feb 29 is last
  const int era = (shifted_year >= 0 ? shifted_year : shifted_year - 399) / 400;
  const int year_of_era = shifted_year - era * 400;
  const int month_from_march = m > 2 ? m - 3 : m + 9;
  const int day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return static_cast<std::int64_t>(era) * 146097 + day_of_era - 719468;
}

}  // namespace

std::optional<std::int64_t> parse_iso8601_us(std::string_view text) {
  Reader r(text);
  auto year = r.digits(4);
  if (!year || !r.take('-')) return std::nullopt;
  auto month = r.digits(2);
  if (!month || *month < 1 || *month > 12 || !r.take('-')) return std::nullopt;
  auto day = r.digits(2);
  if (!day || *day < 1 || *day > days_in_month(*year, *month)) return std::nullopt;
  if (*year < 1) return std::nullopt;

  int hour = 0, minute = 0, second = 0, micro = 0, offset_minutes = 0;
  if (!r.done()) {
    if (!r.take('T') && !r.take(' ')) return std::nullopt;
    auto h = r.digits(2);
    if (!h || *h > 23 || !r.take(':')) return std::nullopt;
    auto mi = r.digits(2);
    if (!mi || *mi > 59) return std::nullopt;
    hour = *h;
    minute = *mi;
    if (r.take(':')) {
      auto s = r.digits(2);
      if (!s || *s > 59) return std::nullopt;
      second = *s;
      if (r.take('.') || r.take(',')) {
        auto f = r.fraction_us();
        if (!f) return std::nullopt;
        micro = *f;
      }
    }
    if (r.take('Z')) {
      offset_minutes = 0;
    } else if (r.peek('+') || r.peek('-')) {
      const int sign = r.take('-') ? -1 : 1;
      r.take('+');
      auto oh = r.digits(2);
      if (!oh || *oh > 23) return std::nullopt;
      int om = 0;
      if (!r.done()) {
        r.take(':');
        auto m = r.digits(2);
        if (!m || *m > 59) return std::nullopt;
        om = *m;
      }
      offset_minutes = sign * (*oh * 60 + om);
    }
    if (!r.done()) return std::nullopt;
  }
  const std::int64_t seconds = days_since_epoch(*year, *month, *day) * 86400 + hour * 3600 + minute * 60 + second -
                               static_cast<std::int64_t>(offset_minutes) * 60;
  return seconds * 1000000 + micro;
}

}  // namespace mw::query
