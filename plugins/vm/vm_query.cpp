#include "vm_query.hpp"

#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <forward_list>
#include <functional>
#include <limits>
#include <unordered_map>

#include <middlewared/errors.hpp>
#include <middlewared/query.hpp>
#include <middlewared/result_text.hpp>

#include "model/record_json.hpp"
#include "vm_state.hpp"

namespace mw::vm {

namespace {

// The options that ask for something: the params schema fills every one in, mostly with a value
// that asks nothing (false, 0, [], {}).
json::object effective_options(const json::object& options) {
  json::object out;
  for (const auto& kv : options) {
    const json::value& v = kv.value();
    const bool nothing = v.is_null() || (v.is_bool() && !v.get_bool()) || (v.is_int64() && v.get_int64() == 0) ||
                         (v.is_array() && v.get_array().empty()) || (v.is_object() && v.get_object().empty());
    if (!nothing) out[kv.key()] = v;
  }
  return out;
}

// `[["id", "=", N]]` or `[["name", "=", "x"]]`: the one row an index finds (nullptr when none),
// or nullopt for any other filter.
std::optional<const VmRow*> indexed_lookup(const CatalogSnapshot& snapshot, const json::array& filters) {
  if (filters.size() != 1 || !filters[0].is_array()) return std::nullopt;
  const auto& f = filters[0].get_array();
  if (f.size() != 3 || !f[0].is_string() || f[1] != "=") return std::nullopt;
  if (f[0] == "id" && f[2].is_int64()) return snapshot.vm_row(f[2].get_int64());
  if (f[0] == "name" && f[2].is_string()) {
    auto id = snapshot.vm_id_by_name(f[2].get_string());
    return id ? snapshot.vm_row(*id) : nullptr;
  }
  return std::nullopt;
}

// The value of one stored field of a VM's entry, from its typed row.
using StoredGetter = std::function<json::value(const VmConfig&)>;

// A VM's entry as the query engine sees it, with each top-level value made from the typed row
// when the engine first asks for it: a filter, order_by or select on stored fields reads those
// fields only, and one on `status` reads the live status only. `devices` is the one value that is
// built whole (each device parsed from its ready bytes), for the rows a filter on it tests and the
// rows a select of it keeps.
class EntryFields final : public query::RowFields {
 public:
  // `storage`: the query's arena, for the status made per VM.
  EntryFields(const VmRow& row, const VmRuntimeStatus& runtime, bool redact, json::storage_ptr storage)
      : row_(&row), runtime_(&runtime), redact_(redact), storage_(std::move(storage)) {}

  const VmRow& row() const { return *row_; }
  // The status the engine read (a filter or an order on it), or nullptr when it never looked: the
  // answer then gives the one read, so that filter and answer agree, or else reads it live.
  const json::value* status_read() const {
    for (std::size_t i = 0; i < kept_; ++i)
      if (first_[i]->first == "status") return &first_[i]->second;
    for (const auto& [k, v] : made_)
      if (k == "status") return &v;
    return nullptr;
  }

  const json::value* field(std::string_view key) const override {
    for (std::size_t i = 0; i < kept_; ++i)
      if (first_[i]->first == key) return &first_[i]->second;
    for (const auto& [k, v] : made_)
      if (k == key) return &v;
    if (auto* getter = stored_getter(key)) return keep(getter->first, getter->second(row_->config));
    if (key == "status") return keep("status", runtime_->status_value(row_->config.id, storage_));
    if (key == "display_available") return keep("display_available", row_->display_available);
    if (key == "devices") {
      json::array devices;
      devices.reserve(row_->devices.size());
      for (const auto& d : row_->devices) devices.push_back(json::parse(d->text(redact_)));
      return keep("devices", std::move(devices));
    }
    return nullptr;
  }

 private:
  // "id" and the stored fields, by name; the key views point at VmConfig::fields' literals.
  static const std::pair<const std::string_view, StoredGetter>* stored_getter(std::string_view key) {
    static const auto table = [] {
      std::unordered_map<std::string_view, StoredGetter> t;
      t.emplace("id", [](const VmConfig& vm) { return json::value(vm.id); });
      VmConfig::fields([&](const char* name, auto member) {
        t.emplace(name, [member](const VmConfig& vm) { return model::to_value(vm.*member); });
      });
      return t;
    }();
    auto it = table.find(key);
    return it == table.end() ? nullptr : &*it;
  }

  // Keeps a value made for the engine, which holds pointers to it: they never move. A query names a
  // field or two (a filter, an order): those stay in the entry itself, with no allocation per VM;
  // more go to a list.
  const json::value* keep(std::string_view key, json::value value) const {
    if (kept_ < first_.size()) {
      // Constructed, not assigned: a moved json::value keeps its storage (the arena) only so.
      return &first_[kept_++].emplace(key, std::move(value)).second;
    }
    return &made_.emplace_front(key, std::move(value)).second;
  }

  const VmRow* row_;
  const VmRuntimeStatus* runtime_;
  bool redact_;
  json::storage_ptr storage_;
  mutable std::array<std::optional<std::pair<std::string_view, json::value>>, 2> first_;
  mutable std::size_t kept_ = 0;
  mutable std::forward_list<std::pair<std::string_view, json::value>> made_;
};

// The list a vm.query answers, written whole or part by part as it is sent (ResultParts). It owns
// everything it reads: the snapshot it was selected from and the statuses its filter read.
class QueryAnswer final : public ListParts {
 public:
  QueryAnswer(std::shared_ptr<const CatalogSnapshot> snapshot, std::shared_ptr<const VmRuntimeStatus> runtime,
              bool redact)
      : snapshot_(std::move(snapshot)), runtime_(std::move(runtime)), redact_(redact) {}
  QueryAnswer(const QueryAnswer&) = delete;
  QueryAnswer& operator=(const QueryAnswer&) = delete;

  const CatalogSnapshot& snapshot() const { return *snapshot_; }
  const VmRuntimeStatus& runtime() const { return *runtime_; }
  json::storage_ptr arena() { return &arena_; }
  // Answers these rows, in this order, each with its live status.
  std::vector<const VmRow*>& rows() { return rows_; }
  // Or: answers the rows the engine selected of `entries`. The entries are filled once, before
  // the engine runs, since it points into the values each one keeps.
  std::vector<EntryFields>& entries() { return entries_; }
  query::Selection& selection() { return selection_; }

  std::size_t count() const override { return entries_.empty() ? rows_.size() : selection_.rows.size(); }
  // About the size of the whole text when nothing is projected (`select`), counted until it
  // reaches `enough`: a list that large is streamed, and need not be sized. Stopping there spares a
  // pass over every row of a large catalog, most of which is not in the caches.
  std::size_t estimated_text_size(std::size_t enough) const {
    std::size_t total = 2;
    for (std::size_t i = 0; i < count() && total < enough; ++i) total += row(i).text_size() + 96;  // 96: the status
    return total;
  }
  bool projected() const { return !selection_.projected.empty(); }

  void append(std::string& out, std::size_t i) const override {
    if (projected()) return void(out += json::serialize(selection_.projected[i]));
    read_ahead(i);
    append_entry(out, row(i), redact_, entries_.empty() ? nullptr : entries_[selection_.rows[i]].status_read(),
                 *runtime_);
  }

 private:
  const VmRow& row(std::size_t i) const { return entries_.empty() ? *rows_[i] : entries_[selection_.rows[i]].row(); }

  // Fetches the rows ahead of `i`: the row two ahead gets its last prefetch step, the one eight
  // ahead its first (two rows a step measured best at 10 000 VMs, docs/BENCHMARKS.md).
  void read_ahead(std::size_t i) const {
    constexpr std::size_t kRowsPerStep = 2;
    for (int step = 0; step < VmRow::kPrefetchSteps; ++step)
      if (const std::size_t ahead = i + (VmRow::kPrefetchSteps - step) * kRowsPerStep; ahead < count())
        row(ahead).prefetch(step);
  }

  std::shared_ptr<const CatalogSnapshot> snapshot_;
  std::shared_ptr<const VmRuntimeStatus> runtime_;
  bool redact_;
  // The statuses made for the engine (one per VM for a filter on it); declared before the entries
  // and the selection that point into it, so it outlives them.
  json::monotonic_resource arena_;
  std::vector<const VmRow*> rows_;
  std::vector<EntryFields> entries_;
  query::Selection selection_;
};

}  // namespace

void append_entry(std::string& out, const VmRow& row, bool redact, const json::value* status,
                  const VmRuntimeStatus& runtime) {
  row.append_text(out, redact);
  out += ",\"status\":";
  if (status)
    out += json::serialize(*status);
  else
    runtime.append_status(out, row.config.id);
  out += '}';
}

void answer_query(ResultText& answer, const VmState& state, const json::array& filters, const json::object& options,
                  bool redact) {
  const json::object asked = effective_options(options);
  auto list = std::make_unique<QueryAnswer>(state.catalog.snapshot(), state.runtime, redact);
  const CatalogSnapshot& snapshot = list->snapshot();
  // Counting every VM needs no row at all.
  if (filters.empty() && asked.size() == 1 && asked.contains("count"))
    return void(answer.out() += std::to_string(snapshot.vm_count()));
  const bool only_get = asked.size() == 1 && asked.contains("get");
  bool get = false;
  if (auto found = asked.empty() || only_get ? indexed_lookup(snapshot, filters) : std::nullopt) {
    if (only_get && !*found) throw MatchNotFound();
    if (*found) list->rows().push_back(*found);
    get = only_get;
  } else if (filters.empty() && asked.empty()) {
    list->rows().reserve(snapshot.vm_count());
    snapshot.for_each_vm([&](const VmRow& row) { list->rows().push_back(&row); });
  } else {
    auto& entries = list->entries();
    entries.reserve(snapshot.vm_count());
    snapshot.for_each_vm([&](const VmRow& row) { entries.emplace_back(row, list->runtime(), redact, list->arena()); });
    std::vector<const query::RowFields*> view;
    view.reserve(entries.size());
    for (const auto& e : entries) view.push_back(&e);
    list->selection() = query::select_rows(view, filters, options);
    if (list->selection().count) return void(answer.out() += std::to_string(*list->selection().count));
    get = list->selection().get;
  }
  if (get) return list->append(answer.out(), 0);
  if (!list->projected()) {
    const std::size_t enough = answer.can_stream() ? ResultText::kStreamFrom : std::numeric_limits<std::size_t>::max();
    const std::size_t size = list->estimated_text_size(enough);
    // A large list is written while it is sent: it never exists whole.
    if (size >= enough) return answer.stream(std::move(list));
    answer.reserve(size);
  }
  list->next(answer.out(), std::numeric_limits<std::size_t>::max());
}

}  // namespace mw::vm
