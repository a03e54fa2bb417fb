#pragma once
// The job progress display of `midclt call -j`, drawn the way the Python client's
// ProgressBar draws it: a status line and a 40-column bar, redrawn in place with ANSI codes.
#include <optional>
#include <ostream>
#include <string>

namespace midclt {

class ProgressBar {
 public:
  explicit ProgressBar(std::ostream& out) : out_(out) {}

  // A job event arrived: percent (0..100) and description replace the shown ones when truthy.
  void update(std::optional<double> percent, const std::optional<std::string>& description);
  // The job ended successfully: the final redraw shows 100%.
  void finish() { fraction_ = 1.0; }
  // Final redraw and newline, only when something was drawn.
  void close();

  // The bar line alone, e.g. "Total Progress: [####____...] 50.00%".
  static std::string bar_line(double fraction);

 private:
  void draw();

  std::ostream& out_;
  double fraction_ = 0.0;
  std::string message_;
  bool used_ = false;
};

// `-jp description`: prints each new, non-empty progress description on its own line.
class DescriptionPrinter {
 public:
  explicit DescriptionPrinter(std::ostream& out) : out_(out) {}
  void update(const std::optional<std::string>& description);

 private:
  std::ostream& out_;
  std::optional<std::string> last_ = std::string();  // a null description resets it, as upstream
};

}  // namespace midclt
