#include "metrics/exposition.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

namespace mw::metrics {
namespace {

bool name_char(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon_ok && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool valid_name(std::string_view name, bool colon_ok) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i], i == 0, colon_ok)) return false;
  return true;
}

void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quote && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

void append_series(std::string& out, const std::string& name, const Series& s) {
  out += name;
  out += s.suffix;
  if (!s.labels.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : s.labels) {
      if (!first) out += ',';
      first = false;
      out += k;
      out += "=\"";
      append_escaped(out, v, true);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += format_value(s.value);
  out += '\n';
}

}  // namespace

bool valid_metric_name(std::string_view name) { return valid_name(name, true); }
// Names starting with "__" are reserved for Prometheus itself.
bool valid_label_name(std::string_view name) { return valid_name(name, false) && !name.starts_with("__"); }

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  // Shortest text that reads back as the same double, in %g style: 0.0001 stays "0.0001"
  // (plain shortest form would pick "1e-04"); tiny and huge values still get an exponent.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general);
  return std::string(buf, end);
}

std::vector<Family> families_from_samples(const std::vector<MetricSample>& samples,
                                          std::vector<std::string>* rejected) {
  std::vector<Family> out;
  std::map<std::string, std::size_t, std::less<>> index;
  for (const auto& s : samples) {
    bool ok = valid_metric_name(s.name) && (s.type == "gauge" || s.type == "counter");
    for (const auto& [k, v] : s.labels) ok = ok && valid_label_name(k);
    if (!ok) {
      if (rejected) rejected->push_back(s.name);
      continue;
    }
    auto [it, inserted] = index.try_emplace(s.name, out.size());
    if (inserted) out.push_back(Family{s.name, s.help, s.type, {}});
    out[it->second].series.push_back(Series{"", s.labels, s.value});
  }
  return out;
}

std::string render_text(const std::vector<Family>& families) {
  // Prometheus rejects a family that appears twice, so merge by name first.
  std::vector<const Family*> order;
  std::map<std::string, std::vector<const Family*>, std::less<>> by_name;
  for (const auto& f : families) {
    auto& group = by_name[f.name];
    if (group.empty()) order.push_back(&f);
    group.push_back(&f);
  }
  std::string out;
  out.reserve(4096);
  for (const Family* head : order) {
    out += "# HELP ";
    out += head->name;
    out += ' ';
    append_escaped(out, head->help, false);
    out += "\n# TYPE ";
    out += head->name;
    out += ' ';
    out += head->type;
    out += '\n';
    for (const Family* f : by_name[head->name])
      for (const auto& s : f->series) append_series(out, head->name, s);
  }
  return out;
}

}  // namespace mw::metrics
