#pragma once
// The catalog's two copy-on-write indexes: rows by id and VM ids by name. A snapshot's copy shares
// every part of them; a change copies only the few parts on its path, so a write costs about the
// same with 10 or 10 000 VMs.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mw::vm {

namespace detail {

// id -> shared row, copy-on-write in three levels: a table of chunks of 64 pages of 64 ids. A copy
// shares the table (one reference count); a change copies the table (a pointer per 4 096 ids), one
// chunk and one page: about 130 pointers whatever the number of rows.
template <class T>
class IdMap {
 public:
  static constexpr std::size_t kPage = 64, kChunk = 64;  // ids per page, pages per chunk
  using Ptr = std::shared_ptr<const T>;

  const Ptr* find(std::int64_t id) const {
    if (id < 0 || !table_) return nullptr;
    const auto i = static_cast<std::size_t>(id);
    const auto c = i / (kPage * kChunk);
    if (c >= table_->size() || !(*table_)[c]) return nullptr;
    const auto& page = (*(*table_)[c])[i / kPage % kChunk];
    if (!page) return nullptr;
    const Ptr& slot = (*page)[i % kPage];
    return slot ? &slot : nullptr;
  }
  void set(std::int64_t id, Ptr value) {
    const auto i = static_cast<std::size_t>(id);
    auto& table = own(table_);
    if (i / (kPage * kChunk) >= table.size()) table.resize(i / (kPage * kChunk) + 1);
    auto& page = own(own(table[i / (kPage * kChunk)])[i / kPage % kChunk]);
    Ptr& slot = page[i % kPage];
    size_ += (slot ? 0 : 1) - (value ? 0 : 1);
    slot = std::move(value);
  }
  void erase(std::int64_t id) {
    if (find(id)) set(id, nullptr);
  }
  std::size_t size() const { return size_; }
  // In id order.
  template <class F>
  void for_each(F&& f) const {
    if (!table_) return;
    for (const auto& chunk : *table_)
      if (chunk)
        for (const auto& page : *chunk)
          if (page)
            for (const auto& slot : *page)
              if (slot) f(*slot);
  }

 private:
  using Page = std::array<Ptr, kPage>;
  using Chunk = std::array<std::shared_ptr<Page>, kChunk>;
  using Table = std::vector<std::shared_ptr<Chunk>>;

  // `p` made this map's own to change: created when absent, copied when a published snapshot
  // shares it, changed in place when only this map holds it (made earlier in the same write).
  template <class X>
  static X& own(std::shared_ptr<X>& p) {
    if (!p)
      p = std::make_shared<X>();
    else if (p.use_count() > 1)
      p = std::make_shared<X>(*p);
    return *p;
  }

  std::shared_ptr<Table> table_;
  std::size_t size_ = 0;
};

// name -> id in 1 024 buckets by hash, grouped 32 to a shared group: a copy shares the 32 groups;
// a change copies one group (32 pointers) and one bucket, whatever the number of VMs.
class NameIndex {
 public:
  static constexpr std::size_t kGroups = 32, kBucketsPerGroup = 32, kBuckets = kGroups * kBucketsPerGroup;
  using Bucket = std::vector<std::pair<std::string, std::int64_t>>;

  static std::size_t bucket_of(std::string_view name) { return std::hash<std::string_view>{}(name) % kBuckets; }
  std::optional<std::int64_t> find(std::string_view name) const;
  void set(const std::string& name, std::int64_t id);  // id 0 erases
  // Built whole (load()): bucket i of `buckets` becomes bucket i.
  void assign(std::array<Bucket, kBuckets>& buckets);

 private:
  using Group = std::array<std::shared_ptr<const Bucket>, kBucketsPerGroup>;
  std::array<std::shared_ptr<const Group>, kGroups> groups_{};
};

}  // namespace detail

}  // namespace mw::vm
