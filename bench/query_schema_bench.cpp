// Benchmarks of the two pure libraries (query engine, schema validator), run on demand; results go to
// docs/BENCHMARKS.md.
//  1. Query engine: filter/sort/project 10,000 VM-shaped rows (3 nested devices each) with the
//     filters users actually send; µs per query, rows/s, and the ratio to the floor: merely
//     copying the rows, which any implementation that returns them must at least do.
//  2. Schema validation: a vm.create params array validated (defaults filled) 100,000 times;
//     ns per validation vs the floor of copying the params array.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>

#include <boost/json/parse.hpp>

#include <middlewared/query.hpp>

#include "schema/method_schema.hpp"
#include "schema/schema_set.hpp"

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

// Median of `rounds` timings of `body`, in nanoseconds; `body` returns something to keep alive.
template <class Body>
double median_ns(int rounds, Body&& body) {
  std::vector<double> samples;
  std::size_t sink = 0;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Clock::now();
    sink += body();
    samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count());
  }
  std::sort(samples.begin(), samples.end());
  if (sink == 42) std::cerr << "";  // keeps the optimizer from dropping the work
  return samples[samples.size() / 2];
}

json::array vm_rows(int n) {
  static const char* states[] = {"RUNNING", "STOPPED", "SUSPENDED"};
  json::array rows;
  rows.reserve(n);
  for (int i = 0; i < n; ++i) {
    json::array devices;
    for (int d = 0; d < 3; ++d) {
      devices.push_back(json::object{{"id", i * 3 + d},
                                     {"vm", i},
                                     {"order", 1000 + d},
                                     {"attributes", json::object{{"dtype", d == 0   ? "DISK"
                                                                           : d == 1 ? "NIC"
                                                                                    : "DISPLAY"},
                                                                 {"type", "VIRTIO"},
                                                                 {"path", "/dev/zvol/tank/vm" + std::to_string(i)}}}});
    }
    rows.push_back(json::object{{"id", i},
                                {"name", "vm" + std::to_string(i)},
                                {"description", i % 7 == 0 ? "web server" : "build box"},
                                {"vcpus", 1 + i % 8},
                                {"memory", 512 * (1 + i % 16)},
                                {"autostart", i % 2 == 0},
                                {"bootloader", "UEFI"},
                                {"status", json::object{{"state", states[i % 3]}, {"pid", nullptr}}},
                                {"devices", std::move(devices)}});
  }
  return rows;
}

void bench_query() {
  const int n = 10000;
  json::array rows = vm_rows(n);
  json::array in_values;
  for (int i = 0; i < 100; ++i) in_values.push_back(json::string("vm" + std::to_string(i * 37)));

  double floor = median_ns(30, [&] {
    json::array copy = rows;
    return copy.size();
  });
  std::cout << "## query engine, " << n << " VM rows with 3 devices each (median of 30)\n";
  std::cout << "floor (copy all rows): " << floor / 1000 << " us\n";
  struct Case {
    const char* name;
    json::array filters;
    json::object options;
  };
  std::vector<Case> cases;
  cases.push_back({"name = X", json::parse(R"([["name","=","vm5000"]])").as_array(), {}});
  cases.push_back({"status.state = RUNNING", json::parse(R"([["status.state","=","RUNNING"]])").as_array(), {}});
  cases.push_back({"name ~ regex", json::parse(R"([["name","~","vm1[0-9]*5$"]])").as_array(), {}});
  cases.push_back({"name in 100 values", json::array{json::array{"name", "in", in_values}}, {}});
  cases.push_back({"order_by [-memory, name]", {}, json::parse(R"({"order_by":["-memory","name"]})").as_object()});
  cases.push_back({"count", {}, json::parse(R"({"count":true})").as_object()});
  cases.push_back(
      {"select [id, name, status.state]", {}, json::parse(R"({"select":["id","name","status.state"]})").as_object()});
  for (const auto& c : cases) {
    double ns = median_ns(30, [&] {
      json::value out = mw::query::filter_list(rows, c.filters, c.options);
      return out.is_array() ? out.as_array().size() : 1u;
    });
    std::cout << c.name << ": " << ns / 1000 << " us/query, " << static_cast<long>(n / (ns / 1e9))
              << " rows/s, ratio to floor " << ns / floor << "\n";
  }
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void bench_schema() {
  std::filesystem::path root = std::filesystem::path(MW_SOURCE_DIR) / "schemas";
  mw::schema::SchemaSet set;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".json") continue;
    std::string rel = std::filesystem::relative(e.path(), root).generic_string();
    set.add_document(mw::schema::method_schema_uri(rel), json::parse(read_file(e.path())));
  }
  mw::schema::MethodSchema method(set.compile(mw::schema::method_schema_uri("vm/create.params.json")));
  json::array params = json::parse(R"([{"name":"testvm","description":"Test virtual machine","vcpus":2,"cores":1,
      "threads":1,"memory":2048,"bootloader":"UEFI","autostart":false,"time":"UTC","shutdown_timeout":90}])")
                           .as_array();
  if (!method.validate_params(params).empty()) throw std::runtime_error("bench params are invalid");

  const int n = 100000;
  auto t0 = Clock::now();
  std::size_t sink = 0;
  for (int i = 0; i < n; ++i) {
    json::array copy = params;
    sink += copy.size();
  }
  double floor = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n;
  t0 = Clock::now();
  for (int i = 0; i < n; ++i) {
    json::array copy = params;
    sink += method.validate_params(copy).empty();
  }
  double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n;
  std::cout << "\n## schema validation, vm.create params, " << n << " times (sink " << sink % 10 << ")\n";
  std::cout << "floor (copy params): " << floor << " ns; validate + fill defaults: " << ns
            << " ns (copy included); ratio " << ns / floor << "\n";
}

}  // namespace

int main() {
  bench_query();
  bench_schema();
}
