#include "catalog_indexes.hpp"

#include <algorithm>

namespace mw::vm {

std::optional<std::int64_t> detail::NameIndex::find(std::string_view name) const {
  const auto b = bucket_of(name);
  const auto& group = groups_[b / kBucketsPerGroup];
  if (!group) return std::nullopt;
  if (const auto& bucket = (*group)[b % kBucketsPerGroup])
    for (const auto& [n, id] : *bucket)
      if (n == name) return id;
  return std::nullopt;
}

void detail::NameIndex::set(const std::string& name, std::int64_t id) {
  const auto b = bucket_of(name);
  auto& group_slot = groups_[b / kBucketsPerGroup];
  auto group = group_slot ? std::make_shared<Group>(*group_slot) : std::make_shared<Group>();
  auto& slot = (*group)[b % kBucketsPerGroup];
  auto bucket = slot ? std::make_shared<Bucket>(*slot) : std::make_shared<Bucket>();
  std::erase_if(*bucket, [&](const auto& entry) { return entry.first == name; });
  if (id) bucket->emplace_back(name, id);
  slot = std::move(bucket);
  group_slot = std::move(group);
}

void detail::NameIndex::assign(std::array<Bucket, kBuckets>& buckets) {
  for (std::size_t g = 0; g < kGroups; ++g) {
    auto group = std::make_shared<Group>();
    bool any = false;
    for (std::size_t i = 0; i < kBucketsPerGroup; ++i) {
      auto& bucket = buckets[g * kBucketsPerGroup + i];
      if (bucket.empty()) continue;
      (*group)[i] = std::make_shared<const Bucket>(std::move(bucket));
      any = true;
    }
    groups_[g] = any ? std::move(group) : nullptr;
  }
}

}  // namespace mw::vm
