// RuleIndex: which rules can apply to an event, by its event.dataset and event.category.
//
// Each enabled rule sits in the buckets its condition's KindConstraint names: the exact
// event.dataset values (or dataset prefixes, from `startswith`) it requires; failing a
// dataset constraint, the event.category values it requires; otherwise the catch-all.
// A rule whose condition can match no kind is not indexed at all. The candidates of an
// event are its dataset's rules, its categories' rules and the catch-all, sorted in rule
// order without repeats; they are memoized per (dataset, categories) key, so an event of
// a known kind costs one hash lookup. The memo holds at most kMaxMemo keys; beyond that
// candidates are computed per event (still correct, just slower).
//
// Not thread-safe (the memo): one index per engine thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "condition_compiler.h"
#include "vigil/event.h"

namespace vigil::rules {

class RuleIndex {
 public:
  static constexpr size_t kMaxMemo = 4096;

  // `kinds[i]` is rule i's constraint; only rules with `enabled[i]` are indexed.
  void Build(const std::vector<const KindConstraint*>& kinds, const std::vector<bool>& enabled);
  // Indices of the rules that can match `event`, ascending.
  const std::vector<uint32_t>& Candidates(const Event& event);

  size_t catch_all_size() const { return catch_all_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Buckets = std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>>;
  void Compute(const std::string* dataset, const StringList* categories, std::vector<uint32_t>* out) const;

  Buckets by_dataset_;
  std::vector<std::pair<std::string, std::vector<uint32_t>>> by_dataset_prefix_;
  Buckets by_category_;
  std::vector<uint32_t> catch_all_;
  Buckets memo_;
  std::string key_;                // scratch, reused per event
  std::vector<uint32_t> scratch_;  // candidates when the memo is full
};

}  // namespace vigil::rules
