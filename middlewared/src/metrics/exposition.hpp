#pragma once
// The Prometheus text exposition format (version 0.0.4): metric families with HELP and TYPE
// lines, escaped label values, histograms as _bucket/_sum/_count series.
#include <string>
#include <utility>
#include <vector>

#include <middlewared/metrics.hpp>

namespace mw::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Series {
  std::string suffix;  // "" or, for histograms, "_bucket" / "_sum" / "_count"
  Labels labels;
  double value = 0;
};

struct Family {
  std::string name;
  std::string help;
  std::string type;  // "counter", "gauge", "histogram", "untyped"
  std::vector<Series> series;
};

// Groups plugin samples into families by name, in first-seen order. Samples with an invalid
// metric or label name, or an unknown type, are dropped and named in `rejected`.
std::vector<Family> families_from_samples(const std::vector<MetricSample>& samples,
                                          std::vector<std::string>* rejected = nullptr);

// Renders families; a family whose name appears twice is merged into the first one.
std::string render_text(const std::vector<Family>& families);

bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);
// Go-style float text as Prometheus parsers expect: "+Inf", "-Inf", "NaN", integers without ".0".
std::string format_value(double value);

inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace mw::metrics
