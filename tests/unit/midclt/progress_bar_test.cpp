#include "midclt/progress_bar.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace midclt;

TEST(ProgressBar, BarLineFillsFortyColumnsProportionally) {
  EXPECT_EQ(ProgressBar::bar_line(0.5), "Total Progress: [" + std::string(20, '#') + std::string(20, '_') + "] 50.00%");
  EXPECT_EQ(ProgressBar::bar_line(0.0), "Total Progress: [" + std::string(40, '_') + "] 0.00%");
  EXPECT_EQ(ProgressBar::bar_line(1.0), "Total Progress: [" + std::string(40, '#') + "] 100.00%");
  EXPECT_EQ(ProgressBar::bar_line(0.29),
            "Total Progress: [" + std::string(11, '#') + std::string(29, '_') + "] 29.00%");
}

TEST(ProgressBar, FirstUpdateOpensALineThenRedrawsInPlace) {
  std::ostringstream out;
  ProgressBar bar(out);
  bar.update(50, std::string("Sleeping"));
  EXPECT_EQ(out.str(), "\n\033[2K\033[A\033[2K\rStatus: Sleeping\n" + ProgressBar::bar_line(0.5));
}

TEST(ProgressBar, ZeroPercentAndEmptyDescriptionKeepPreviousValues) {
  std::ostringstream out;
  ProgressBar bar(out);
  bar.update(40, std::string("step one"));
  out.str("");
  bar.update(0, std::string(""));
  EXPECT_EQ(out.str(), "\033[2K\033[A\033[2K\rStatus: step one\n" + ProgressBar::bar_line(0.4));
}

TEST(ProgressBar, ShowsNoneWithoutDescription) {
  std::ostringstream out;
  ProgressBar bar(out);
  bar.update(std::nullopt, std::nullopt);
  EXPECT_NE(out.str().find("Status: (none)\n"), std::string::npos);
}

TEST(ProgressBar, FinishAndCloseDrawFullBarAndNewline) {
  std::ostringstream out;
  ProgressBar bar(out);
  bar.update(10, std::string("x"));
  out.str("");
  bar.finish();
  bar.close();
  EXPECT_EQ(out.str(), "\033[2K\033[A\033[2K\rStatus: x\n" + ProgressBar::bar_line(1.0) + "\n");
}

TEST(ProgressBar, CloseWithoutUpdatesWritesNothing) {
  std::ostringstream out;
  ProgressBar bar(out);
  bar.finish();
  bar.close();
  EXPECT_EQ(out.str(), "");
}

TEST(DescriptionPrinter, PrintsEachNewDescriptionOnce) {
  std::ostringstream out;
  DescriptionPrinter printer(out);
  printer.update(std::string(""));
  printer.update(std::string("Stopping"));
  printer.update(std::string("Stopping"));
  printer.update(std::nullopt);
  printer.update(std::string("Stopped"));
  EXPECT_EQ(out.str(), "Stopping\nStopped\n");
}
