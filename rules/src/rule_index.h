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
// Inside a list of rules filed together (an action's, or a kind's "any action" rules), rules
// may also require another string field to equal given values (`user.name = root`,
// `process.name in (...)`): when at least kMinSplit rules of the list do so for the same
// field, the list is split on the field most of them name: rules filed under each value they
// allow, the others kept apart ("rest"). An event then meets the rules filed under its value
// of that field, and the rest; an event without the field, only the rest.
//
// The candidates of an event are, from its dataset's buckets, its categories' buckets and
// the catch-all: the "any action" rules, plus the rules filed under the event's action,
// sorted in rule order without repeats, each list narrowed by its split field when it has
// one. An event without event.action meets only the "any action" rules (a rule that
// requires an action cannot match it).
//
// The per-kind part is memoized per (dataset, categories) key: the kind's "any action" rules,
// merged (and split), and pointers to the action tables of the buckets that apply (not
// copies: a memo entry costs no more than before actions were indexed, whatever the rules
// name). An event of a known kind costs one hash lookup, plus, when the kind has rules filed
// by action, one lookup of its action per applicable table, one lookup per split list met,
// and a merge of the lists found. Neither the action nor a split field is part of the memo
// key, so event-supplied values add no memo entries. The memo holds at most kMaxMemo keys;
// beyond that candidates are computed per event (still correct, slower).
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
  static constexpr size_t kMinSplit = 2;  // rules naming one field before a list is split on it

  // `kinds[i]` is rule i's constraint; only rules with `enabled[i]` are indexed. The
  // constraints must outlive the index (the compiled rules beside it hold them).
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
  // Rules filed together, ascending in `all`; once split on field `key`, also filed by the
  // value they require it to equal (`by_value`) or, when they do not, in `rest`.
  struct RuleList {
    std::vector<uint32_t> all;
    bool split = false;
    FieldId key = 0;
    StringMap<std::vector<uint32_t>> by_value;
    std::vector<uint32_t> rest;
    // Splits on the field most rules name, if at least kMinSplit do.
    void Split(const std::vector<const KindConstraint*>& kinds);
    // Adds the lists of `all` that `event` can match to `parts` (`all` itself when not split).
    void Narrow(const Event& event, std::vector<const std::vector<uint32_t>*>& parts) const;
  };
  // by_action[a]: the rules that require action a.
  using ActionMap = StringMap<RuleList>;
  // The rules of one bucket: `any` need no particular action; by_action[a] require action a.
  // Each list ascending; a rule is in `any` or under actions, never both.
  struct Bucket {
    std::vector<uint32_t> any;
    ActionMap by_action;
    void Add(uint32_t rule, const KindConstraint& k);
  };
  // What applies to one event kind: the "any action" rules of its buckets, merged (and
  // split), and the action tables of those buckets that have one (pointers into this index's
  // buckets).
  struct Kind {
    RuleList any;
    std::vector<const ActionMap*> actions;
  };

  void Compute(const std::string* dataset, const StringList* categories, Kind* out) const;
  const std::vector<uint32_t>& Select(const Kind& kind, const Event& event);

  std::vector<const KindConstraint*> kinds_;  // of every rule, by index (owned by the rule set)

  StringMap<Bucket> by_dataset_;
  std::vector<std::pair<std::string, Bucket>> by_dataset_prefix_;
  StringMap<Bucket> by_category_;
  Bucket catch_all_;
  Kind catch_all_kind_;  // the kind of an event without dataset and categories
  StringMap<Kind> memo_;
  std::string key_;                // scratch, reused per event
  Kind scratch_kind_;              // the kind's rules when the memo is full
  std::vector<uint32_t> scratch_;  // merged candidates
  std::vector<const std::vector<uint32_t>*> parts_;  // scratch: the lists an event meets
};

}  // namespace vigil::rules
