#pragma once
// A strict reader of the Prometheus text exposition format (0.0.4), standing in for
// `promtool check metrics` (not installed here): it parses every line and lists what breaks the
// format's rules, and gives the parsed series to the tests.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mw::test {

struct PromSeries {
  std::string name;  // with suffix: "x_bucket"
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromText {
  std::map<std::string, std::string> types;  // family -> counter/gauge/histogram/...
  std::map<std::string, std::string> help;
  std::vector<PromSeries> series;
  std::vector<std::string> problems;  // empty when the text is well-formed

  // Value of the series named `name` whose labels include all of `labels`; nullopt if none.
  std::optional<double> value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
};

PromText parse_prometheus_text(const std::string& text);

}  // namespace mw::test
