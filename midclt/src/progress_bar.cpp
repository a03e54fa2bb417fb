#include "midclt/progress_bar.hpp"

#include <cstdio>

namespace midclt {

namespace {
constexpr int kBarWidth = 40;

std::string strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  auto first = s.find_first_not_of(ws);
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(ws) - first + 1);
}
}  // namespace

std::string ProgressBar::bar_line(double fraction) {
  int filled = static_cast<int>(fraction * kBarWidth);
  if (filled < 0) filled = 0;
  if (filled > kBarWidth) filled = kBarWidth;
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.2f%%", fraction * 100.0);
  return "Total Progress: [" + std::string(filled, '#') + std::string(kBarWidth - filled, '_') + "] " + percent;
}

void ProgressBar::update(std::optional<double> percent, const std::optional<std::string>& description) {
  if (!used_) {
    out_ << '\n';
    used_ = true;
  }
  if (percent && *percent != 0.0) fraction_ = *percent / 100.0;
  if (description && !description->empty()) message_ = *description;
  draw();
}

void ProgressBar::draw() {
  // Erase the bar line, move up, erase the status line, then write both again.
  out_ << "\033[2K\033[A\033[2K\r";
  std::string status = strip(message_);
  out_ << "Status: " << (message_.empty() ? std::string("(none)") : status) << '\n';
  out_ << bar_line(fraction_);
  out_.flush();
}

void ProgressBar::close() {
  if (!used_) return;
  draw();
  out_ << '\n';
  out_.flush();
}

void DescriptionPrinter::update(const std::optional<std::string>& description) {
  if (description && description != last_) {
    out_ << *description << '\n';
    out_.flush();
  }
  last_ = description;
}

}  // namespace midclt
