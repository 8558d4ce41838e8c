// RuleIndex: which rules can apply to an event, by its event.dataset, event.category and
// event.action.
//
// Each enabled rule sits in the buckets its condition's KindConstraint names: the exact
// event.dataset values (or dataset prefixes, from `startswith`) it requires; failing a
// dataset constraint, the event.category values it requires; otherwise the catch-all.
// Inside a bucket, a rule that also requires event.action values is filed under each of
// them; one that does not is filed as "any action". A rule whose condition can match no
// kind is not indexed at all. Actions are filed by their hash alone (seeded per index), so
// an event's action is hashed once and looked up without comparing strings; actions whose
// hashes collide share one list (see the split values below for why that is safe).
//
// Inside a list of rules filed together (an action's, or a kind's "any action" rules), rules
// may also require another string field to equal given values (`user.name = root`,
// `process.name in (...)`): when at least kMinSplit rules of the list do so for the same
// field, the list is split on the field most of them name: rules filed under each value they
// allow, the others kept apart ("rest"). An event then meets the rules filed under its value
// of that field, and the rest; an event without the field, only the rest. Values are filed
// by their hash alone (seeded per index), in one sorted array per list beside one array of
// their rules: a lookup reads two short arrays and compares no strings. Values whose hashes
// collide share their rules (the union): an event may then meet a rule filed under another
// value, never miss one, and its condition, evaluated on every candidate, decides. Each list
// also keeps the one value (or action) filed under each hash: when the event's value equals
// it, the candidates found there may skip their own test of that value (Fixed); after a
// collision nothing is proved and they test it.
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
// name). An event of a known kind costs one lookup of its key (the memo is a FlatStringMap,
// keys compared in full: a wrong entry could hide rules), plus, when the kind has rules filed
// by action, one hash of its action and one probe per applicable action table, one binary
// search per split list met, and a merge of the lists found. These tables are flat arrays,
// not std::unordered_map, whose node walks (one cache miss each) used to cost more than the
// rest of an event's selection with a large rule set. Neither the action nor a split field is
// part of the memo key, so event-supplied values add no memo entries. The memo holds at most
// kMaxMemo keys; beyond that candidates are computed per event (still correct, slower).
//
// Not thread-safe (the memo and scratch lists): one index per engine thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "condition_compiler.h"
#include "flat_string_map.h"
#include "vigil/event.h"

namespace vigil::rules {

class RuleIndex {
 public:
  static constexpr size_t kMaxMemo = 4096;
  static constexpr size_t kMinSplit = 2;  // rules naming one field before a list is split on it

  // `kinds[i]` is rule i's constraint; only rules with `enabled[i]` are indexed. The
  // constraints must outlive the index (the compiled rules beside it hold them).
  void Build(const std::vector<const KindConstraint*>& kinds, const std::vector<bool>& enabled);
  // What the path to a candidate proved of the event: its event.action (`action`, when the
  // action list's one action equals the event's, compared in full) and the value of a split
  // field (`key`, when the value list's one value equals the event's), each the field's id or
  // kNone. A rule's `=`/`in` conjuncts on those fields hold for every event reaching it there
  // (it is filed under that value), so its evaluation may skip them.
  struct Fixed {
    static constexpr FieldId kNone = 0xFFFF;  // no field (field ids stay below kMaxFields)
    FieldId action = kNone;
    FieldId key = kNone;
  };
  // The candidates of an event: rules ascending, without repeats. With one list met, `rules`
  // holds rule indices, all reached with `fixed`; with several, merged, `coded` is set and each
  // entry is rule << kPartBits | p, reached with parts[p] (p == kPartMask: nothing proved).
  static constexpr uint32_t kPartBits = 8;
  static constexpr uint32_t kPartMask = (1u << kPartBits) - 1;
  struct Selection {
    std::span<const uint32_t> rules;
    Fixed fixed;
    bool coded = false;
    std::span<const Fixed> parts;
  };
  // The rules that can match `event`: every rule that matches is among them. Valid until the
  // next call.
  Selection Candidates(const Event& event);

  // Rules that every event meets (no kind and no action constraint).
  size_t catch_all_size() const { return catch_all_.any.size(); }
  // The seed of the action and split value hashes (for tests that craft collisions).
  uint64_t seed() const { return seed_; }

 private:
  template <typename T>
  using StringMap = FlatStringMap<T>;  // exact string keys: datasets, categories, memo keys
  struct Part {
    std::span<const uint32_t> rules;
    Fixed fixed;
  };
  // The rules filed under the values of one hash: value_rules[begin, end).
  struct ValueRules {
    uint64_t hash;
    uint32_t begin;
    uint32_t end;
  };
  // Rules filed together, ascending in `all`; once split on field `key`, also filed by the
  // hash of the value they require it to equal (`by_value`, ascending by hash, each range of
  // `value_rules` ascending) or, when they do not, in `rest`. The members Narrow reads first.
  // Aligned, and what Narrow reads of a split list first (split, key, by_value, rest, the
  // start of value_rules): one cache line per list met.
  //
  // `values[k]` is the one value filed under by_value[k]'s hash, or null when values of one
  // hash collided (then nothing is proved by a match); `action`, for a list under an action's
  // hash, its one action or null likewise.
  struct alignas(64) RuleList {
    bool split = false;
    FieldId key = 0;
    std::vector<ValueRules> by_value;
    std::vector<uint32_t> rest;
    std::vector<uint32_t> value_rules;
    std::vector<uint32_t> all;
    std::vector<std::optional<std::string>> values;  // parallel to by_value
    std::optional<std::string> action;
    bool action_collided = false;  // two actions of one hash filed here
    // Splits on the field most rules name, if at least kMinSplit do; values hashed by `seed`.
    void Split(const std::vector<const KindConstraint*>& kinds, uint64_t seed);
    // Adds the lists of `all` that `event` can match to `parts` (`all` itself when not split),
    // with what reaching them proves (`fixed`, plus the split field when its value is proved).
    void Narrow(const Event& event, uint64_t seed, Fixed fixed, std::vector<Part>& parts) const {
      if (split) {
        NarrowSplit(event, seed, fixed, parts);
      } else if (!all.empty()) {
        parts.push_back({all, fixed});
      }
    }
    void NarrowSplit(const Event& event, uint64_t seed, Fixed fixed, std::vector<Part>& parts) const;
  };
  // The rules that require each action, filed by the action's hash (the index's seed) in an
  // open-addressing table: a lookup hashes the event's action once and compares no strings.
  // Actions whose hashes collide share one list (the union), as split values do.
  class ActionMap {
   public:
    // The list of the actions of hash `hash`, made empty when there is none (while building).
    RuleList& At(uint64_t hash);
    // The list of the actions of hash `hash`, or null.
    const RuleList* Find(uint64_t hash) const {
      if (slots_.empty()) return nullptr;
      const size_t mask = slots_.size() - 1;
      for (size_t i = hash & mask;; i = (i + 1) & mask) {
        if (slots_[i].list == 0) return nullptr;
        if (slots_[i].hash == hash) return &lists_[slots_[i].list - 1];
      }
    }
    bool empty() const { return lists_.empty(); }
    std::vector<RuleList>& lists() { return lists_; }
    const std::vector<RuleList>& lists() const { return lists_; }

   private:
    struct Slot {
      uint64_t hash = 0;
      uint32_t list = 0;  // position in lists_ + 1; 0: empty
    };
    void Place(uint64_t hash, uint32_t list);
    std::vector<Slot> slots_;  // power-of-two size, at most half full
    std::vector<RuleList> lists_;
    std::vector<uint64_t> hashes_;  // of lists_[i], for rehashing
  };
  // The rules of one bucket: `any` need no particular action; by_action require actions.
  // Each list ascending; a rule is in `any` or under actions, never both.
  struct Bucket {
    std::vector<uint32_t> any;
    ActionMap by_action;
    void Add(uint32_t rule, const KindConstraint& k, uint64_t seed);
  };
  // What applies to one event kind: the "any action" rules of its buckets, merged (and
  // split), and the action tables of those buckets that have one (pointers into this index's
  // buckets).
  struct Kind {
    RuleList any;
    std::vector<const ActionMap*> actions;
  };

  void Compute(const std::string* dataset, const StringList* categories, Kind* out) const;
  Selection Select(const Kind& kind, const Event& event);

  std::vector<const KindConstraint*> kinds_;  // of every rule, by index (owned by the rule set)
  uint64_t seed_ = NewHashSeed();             // hashes actions and split values

  StringMap<Bucket> by_dataset_;
  std::vector<std::pair<std::string, Bucket>> by_dataset_prefix_;
  StringMap<Bucket> by_category_;
  Bucket catch_all_;
  Kind catch_all_kind_;  // the kind of an event without dataset and categories
  StringMap<Kind> memo_;
  std::string key_;                // scratch, reused per event
  Kind scratch_kind_;              // the kind's rules when the memo is full
  std::vector<uint32_t> scratch_;  // merged candidates
  std::vector<Part> parts_;        // scratch: the lists an event meets
  std::vector<Fixed> fixed_;       // scratch: what each of parts_ proved, for a merged selection
  bool code_parts_ = true;         // rule indices leave room for kPartBits
};

}  // namespace vigil::rules
