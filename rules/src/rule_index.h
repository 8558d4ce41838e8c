// RuleIndex: which rules can apply to an event, by its event.dataset, event.category and
// event.action.
//
// Each enabled rule sits in the buckets its condition's KindConstraint names: the exact
// event.dataset values (or dataset prefixes, from `startswith`) it requires; failing a
// dataset constraint, the event.category values it requires; otherwise the catch-all.
// Inside a bucket, a rule that also requires event.action values is filed under each of
// them; one that does not is filed as "any action". A rule whose condition can match no
// kind is not indexed at all.
//
// The candidates of an event are, from its dataset's buckets, its categories' buckets and
// the catch-all: the "any action" rules, plus the rules filed under the event's action,
// sorted in rule order without repeats. An event without event.action meets only the "any
// action" rules (a rule that requires an action cannot match it).
//
// The per-kind part is memoized per (dataset, categories) key: the kind's "any action" rules,
// merged, and pointers to the action tables of the buckets that apply (not copies: a memo
// entry costs no more than before actions were indexed, whatever the rules name). An event of
// a known kind costs one hash lookup, plus, when the kind has rules filed by action, one
// lookup of its action per applicable table and a merge of the lists found. The action is not
// part of the memo key, so event-supplied action values add no memo entries. The memo holds at
// most kMaxMemo keys; beyond that candidates are computed per event (still correct, slower).
//
// Not thread-safe (the memo and scratch lists): one index per engine thread.
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
  // Indices of the rules that can match `event`, ascending. Valid until the next call.
  const std::vector<uint32_t>& Candidates(const Event& event);

  // Rules that every event meets (no kind and no action constraint).
  size_t catch_all_size() const { return catch_all_.any.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename T>
  using StringMap = std::unordered_map<std::string, T, Hash, std::equal_to<>>;
  // The rules of one bucket (or of one event kind, once merged): `any` need no particular
  // action; by_action[a] require action a. Each list ascending, the two parts disjoint.
  using ActionMap = StringMap<std::vector<uint32_t>>;
  // The rules of one bucket: `any` need no particular action; by_action[a] require action a.
  // Each list ascending; a rule is in `any` or under actions, never both.
  struct Bucket {
    std::vector<uint32_t> any;
    ActionMap by_action;
    void Add(uint32_t rule, const KindConstraint& k);
  };
  // What applies to one event kind: the "any action" rules of its buckets, merged, and the
  // action tables of those buckets that have one (pointers into this index's buckets).
  struct Kind {
    std::vector<uint32_t> any;
    std::vector<const ActionMap*> actions;
  };

  void Compute(const std::string* dataset, const StringList* categories, Kind* out) const;
  const std::vector<uint32_t>& Select(const Kind& kind, const Event& event);

  StringMap<Bucket> by_dataset_;
  std::vector<std::pair<std::string, Bucket>> by_dataset_prefix_;
  StringMap<Bucket> by_category_;
  Bucket catch_all_;
  Kind catch_all_kind_;  // the kind of an event without dataset and categories
  StringMap<Kind> memo_;
  std::string key_;                // scratch, reused per event
  Kind scratch_kind_;              // the kind's rules when the memo is full
  std::vector<uint32_t> scratch_;  // merged candidates
};

}  // namespace vigil::rules
