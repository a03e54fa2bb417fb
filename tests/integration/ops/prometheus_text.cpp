#include "integration/ops/prometheus_text.hpp"

#include <cmath>
#include <regex>
#include <set>
#include <sstream>

namespace mw::test {
namespace {

const std::regex kMetricName("[a-zA-Z_:][a-zA-Z0-9_:]*");
const std::regex kLabelName("[a-zA-Z_][a-zA-Z0-9_]*");

std::optional<double> parse_value(const std::string& s) {
  if (s == "+Inf") return INFINITY;
  if (s == "-Inf") return -INFINITY;
  if (s == "NaN") return NAN;
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

// The family a series belongs to: histograms own their _bucket/_sum/_count series.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.ends_with(s)) {
      std::string base = name.substr(0, name.size() - s.size());
      if (auto it = types.find(base); it != types.end() && (it->second == "histogram" || it->second == "summary"))
        return base;
    }
  }
  return name;
}

}  // namespace

std::optional<double> PromText::value(const std::string& name, const std::map<std::string, std::string>& labels) const {
  for (const auto& s : series) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto it = s.labels.find(k);
      match = match && it != s.labels.end() && it->second == v;
    }
    if (match) return s.value;
  }
  return std::nullopt;
}

PromText parse_prometheus_text(const std::string& text) {
  PromText out;
  auto problem = [&](int line, const std::string& what) {
    out.problems.push_back("line " + std::to_string(line) + ": " + what);
  };
  if (!text.empty() && text.back() != '\n') out.problems.push_back("the text does not end with a newline");
  std::istringstream in(text);
  std::string line;
  int n = 0;
  std::set<std::string> families_seen;  // families whose samples have started
  std::string current;
  std::set<std::string> sample_keys;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, kind, name;
      words >> hash >> kind >> name;
      if (kind != "HELP" && kind != "TYPE") continue;  // other comments are allowed
      if (!std::regex_match(name, kMetricName)) problem(n, "bad metric name in " + kind + ": " + name);
      std::string rest;
      std::getline(words, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      if (kind == "TYPE") {
        static const std::set<std::string> kTypes{"counter", "gauge", "histogram", "summary", "untyped"};
        if (!kTypes.contains(rest)) problem(n, "unknown type " + rest);
        if (out.types.contains(name)) problem(n, "second TYPE line for " + name);
        if (families_seen.contains(name)) problem(n, "TYPE for " + name + " after its samples");
        out.types[name] = rest;
      } else {
        if (out.help.contains(name)) problem(n, "second HELP line for " + name);
        out.help[name] = rest;
      }
      continue;
    }
    PromSeries s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!std::regex_match(s.name, kMetricName)) problem(n, "bad metric name " + s.name);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::size_t eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          problem(n, "bad label list");
          break;
        }
        std::string key = line.substr(i, eq - i);
        if (!std::regex_match(key, kLabelName)) problem(n, "bad label name " + key);
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) {
            char e = line[++j];
            if (e == 'n')
              value += '\n';
            else if (e == '\\' || e == '"')
              value += e;
            else
              problem(n, std::string("bad escape \\") + e);
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) {
          problem(n, "unterminated label value");
          break;
        }
        if (s.labels.contains(key)) problem(n, "label " + key + " twice");
        s.labels[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) {
        problem(n, "unterminated label list");
        continue;
      }
      ++i;  // '}'
    }
    if (i >= line.size() || line[i] != ' ') {
      problem(n, "no value");
      continue;
    }
    std::string rest = line.substr(i + 1);
    std::string value_text = rest.substr(0, rest.find(' '));  // an optional timestamp may follow
    auto v = parse_value(value_text);
    if (!v) problem(n, "bad value " + value_text);
    s.value = v.value_or(0);
    std::string family = family_of(s.name, out.types);
    if (!out.types.contains(family)) problem(n, "sample of " + family + " without a TYPE line");
    if (family != current) {
      if (families_seen.contains(family)) problem(n, "samples of " + family + " are not contiguous");
      families_seen.insert(family);
      current = family;
    }
    std::string key = s.name;
    for (const auto& [k, val] : s.labels) key += "|" + k + "=" + val;
    if (!sample_keys.insert(key).second) problem(n, "duplicate series " + key);
    out.series.push_back(std::move(s));
  }
  // Histograms: buckets cumulative per label set, ending with +Inf equal to _count.
  for (const auto& [family, type] : out.types) {
    if (type != "histogram") continue;
    std::map<std::string, std::vector<std::pair<double, double>>> buckets;  // other labels -> (le, count)
    std::map<std::string, double> counts;
    for (const auto& s : out.series) {
      std::string others;
      for (const auto& [k, v] : s.labels)
        if (k != "le") others += k + "=" + v + ",";
      if (s.name == family + "_bucket") {
        auto le = s.labels.find("le");
        if (le == s.labels.end()) {
          out.problems.push_back(family + ": bucket without le");
          continue;
        }
        buckets[others].push_back({parse_value(le->second).value_or(NAN), s.value});
      } else if (s.name == family + "_count") {
        counts[others] = s.value;
      }
    }
    for (const auto& [labels, list] : buckets) {
      for (std::size_t k = 1; k < list.size(); ++k) {
        if (!(list[k].first > list[k - 1].first))
          out.problems.push_back(family + "{" + labels + "}: le not increasing");
        if (list[k].second < list[k - 1].second)
          out.problems.push_back(family + "{" + labels + "}: buckets not cumulative");
      }
      if (list.empty() || !std::isinf(list.back().first))
        out.problems.push_back(family + "{" + labels + "}: no +Inf bucket");
      else if (!counts.contains(labels) || counts[labels] != list.back().second)
        out.problems.push_back(family + "{" + labels + "}: +Inf bucket differs from _count");
    }
  }
  return out;
}

}  // namespace mw::test
