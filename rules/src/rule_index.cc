#include "rule_index.h"

#include <algorithm>
#include <map>
#include <variant>

#include "vigil/ecs_fields.h"

namespace vigil::rules {
namespace {

void SortUnique(std::vector<uint32_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

void Append(std::vector<uint32_t>& to, const std::vector<uint32_t>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

RuleIndex::RuleList& RuleIndex::ActionMap::At(uint64_t hash) {
  if (const RuleList* found = Find(hash)) return const_cast<RuleList&>(*found);
  if ((lists_.size() + 1) * 2 > slots_.size()) {
    slots_.assign(slots_.empty() ? 8 : slots_.size() * 2, Slot{});
    for (uint32_t l = 0; l < lists_.size(); ++l) {
      Place(hashes_[l], l + 1);
    }
  }
  lists_.emplace_back();
  hashes_.push_back(hash);
  Place(hash, static_cast<uint32_t>(lists_.size()));
  return lists_.back();
}

void RuleIndex::ActionMap::Place(uint64_t hash, uint32_t list) {
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].list != 0) i = (i + 1) & mask;
  slots_[i] = {hash, list};
}

void RuleIndex::Bucket::Add(uint32_t rule, const KindConstraint& k, uint64_t seed) {
  if (!k.action) {
    any.push_back(rule);
    return;
  }
  for (const std::string& a : k.action->exact) {
    // Rules come in ascending order; two actions of one hash file a rule once.
    RuleList& list = by_action.At(HashString(a, seed));
    if (list.all.empty() || list.all.back() != rule) list.all.push_back(rule);
    if (!list.action_collided) {
      if (!list.action) {
        list.action = a;
      } else if (*list.action != a) {
        list.action_collided = true;  // a match of the hash proves neither action
        list.action.reset();
      }
    }
  }
}

void RuleIndex::RuleList::Split(const std::vector<const KindConstraint*>& kinds, uint64_t seed) {
  split = false;
  by_value.clear();
  value_rules.clear();
  values.clear();
  rest.clear();
  std::map<FieldId, size_t> naming;  // field → rules of this list that require a value of it
  for (uint32_t r : all) {
    for (const auto& [field, values] : kinds[r]->equals) ++naming[field];
  }
  size_t best = 0;
  for (const auto& [field, n] : naming) {
    if (n > best) {  // ties: the lowest field id (a std::map iterates in order)
      best = n;
      key = field;
    }
  }
  if (best < kMinSplit) return;
  split = true;
  std::vector<std::pair<uint64_t, uint32_t>> filed;  // (value hash, rule)
  std::map<uint64_t, std::optional<std::string>> value_of;  // hash → its one value, or nullopt
  for (uint32_t r : all) {
    auto it = kinds[r]->equals.find(key);
    if (it == kinds[r]->equals.end()) {
      rest.push_back(r);
      continue;
    }
    for (const std::string& v : it->second) {
      const uint64_t h = HashString(v, seed);
      filed.emplace_back(h, r);
      auto [at, fresh] = value_of.try_emplace(h, v);
      if (!fresh && at->second && *at->second != v) at->second.reset();  // collided
    }
  }
  // By hash, then rule: each hash's rules ascending, without repeats (a rule filed under two
  // values of one hash, or values of one hash merged).
  std::sort(filed.begin(), filed.end());
  filed.erase(std::unique(filed.begin(), filed.end()), filed.end());
  for (const auto& [hash, r] : filed) {
    if (by_value.empty() || by_value.back().hash != hash) {
      const auto at = static_cast<uint32_t>(value_rules.size());
      by_value.push_back({hash, at, at});
      values.push_back(value_of[hash]);
    }
    value_rules.push_back(r);
    ++by_value.back().end;
  }
}

void RuleIndex::RuleList::NarrowSplit(const Event& event, uint64_t seed, Fixed fixed, std::vector<Part>& parts) const {
  if (!rest.empty()) parts.push_back({rest, fixed});
  // The key is a declared string field, so an event holds a string there or nothing; without
  // it no rule filed by value can match.
  const std::string* v = event.GetString(key);
  if (v == nullptr) return;
  const uint64_t h = HashString(*v, seed);
  auto it = std::lower_bound(by_value.begin(), by_value.end(), h,
                             [](const ValueRules& e, uint64_t x) { return e.hash < x; });
  if (it != by_value.end() && it->hash == h) {
    // The value is proved when it is the one value of its hash: one comparison for the list,
    // not one per rule.
    const std::optional<std::string>& value = values[static_cast<size_t>(it - by_value.begin())];
    if (value && value->size() == v->size() && SameBytes(value->data(), v->data(), v->size())) fixed.key = key;
    parts.push_back({{value_rules.data() + it->begin, it->end - it->begin}, fixed});
  }
}

void RuleIndex::Build(const std::vector<const KindConstraint*>& kinds, const std::vector<bool>& enabled) {
  kinds_ = kinds;
  code_parts_ = kinds.size() <= (UINT32_MAX >> kPartBits);
  for (uint32_t i = 0; i < kinds.size(); ++i) {
    if (!enabled[i]) continue;
    const KindConstraint& k = *kinds[i];
    if (k.never) continue;
    if (k.dataset) {
      for (const auto& d : k.dataset->exact) by_dataset_[d].Add(i, k, seed_);
      for (const auto& p : k.dataset->prefixes) {
        auto it = std::find_if(by_dataset_prefix_.begin(), by_dataset_prefix_.end(),
                               [&](const auto& e) { return e.first == p; });
        if (it == by_dataset_prefix_.end()) {
          by_dataset_prefix_.push_back({p, {}});
          it = by_dataset_prefix_.end() - 1;
        }
        it->second.Add(i, k, seed_);
      }
    } else if (k.category) {
      for (const auto& c : k.category->exact) by_category_[c].Add(i, k, seed_);
    } else {
      catch_all_.Add(i, k, seed_);
    }
  }
  auto split_actions = [&](Bucket& b) {
    for (RuleList& list : b.by_action.lists()) list.Split(kinds_, seed_);
  };
  for (auto& [name, b] : by_dataset_) split_actions(b);
  for (auto& [prefix, b] : by_dataset_prefix_) split_actions(b);
  for (auto& [name, b] : by_category_) split_actions(b);
  split_actions(catch_all_);
  catch_all_kind_.any.all = catch_all_.any;
  catch_all_kind_.any.Split(kinds_, seed_);
  if (!catch_all_.by_action.empty()) catch_all_kind_.actions.push_back(&catch_all_.by_action);
}

void RuleIndex::Compute(const std::string* dataset, const StringList* categories, Kind* out) const {
  out->any.all.clear();
  out->actions.clear();
  auto add = [out](const Bucket& b) {
    Append(out->any.all, b.any);
    if (!b.by_action.empty()) out->actions.push_back(&b.by_action);
  };
  add(catch_all_);
  if (dataset) {
    if (const Bucket* b = by_dataset_.Find(*dataset)) add(*b);
    for (const auto& [prefix, bucket] : by_dataset_prefix_) {
      if (dataset->starts_with(prefix)) add(bucket);
    }
  }
  if (categories) {
    for (const std::string& c : *categories) {
      if (const Bucket* b = by_category_.Find(c)) add(*b);
    }
  }
  SortUnique(out->any.all);
  out->any.Split(kinds_, seed_);
  std::sort(out->actions.begin(), out->actions.end());
  out->actions.erase(std::unique(out->actions.begin(), out->actions.end()), out->actions.end());
}

// The candidates of an event of kind `kind`: its "any action" rules, and those its action's,
// each narrowed by its split field.
RuleIndex::Selection RuleIndex::Select(const Kind& kind, const Event& event) {
  parts_.clear();
  kind.any.Narrow(event, seed_, Fixed{}, parts_);
  if (!kind.actions.empty()) {
    if (const Value* v = event.Get(ecs::kEventAction)) {
      // event.action is declared a string, so collectors never set anything else; were it a
      // list, a rule's `event.action = x` would match any element: every rule is a candidate.
      const auto* action = std::get_if<std::string>(v);
      const uint64_t hash = action ? HashString(*action, seed_) : 0;
      for (const ActionMap* map : kind.actions) {
        if (action) {
          if (const RuleList* list = map->Find(hash)) {
            Fixed fixed;
            const std::optional<std::string>& filed = list->action;
            if (filed && filed->size() == action->size() && SameBytes(filed->data(), action->data(), action->size())) {
              fixed.action = ecs::kEventAction;
            }
            list->Narrow(event, seed_, fixed, parts_);
          }
        } else {
          for (const RuleList& list : map->lists()) {
            if (!list.all.empty()) parts_.push_back({list.all, Fixed{}});
          }
        }
      }
    }
  }
  if (parts_.empty()) return {};
  if (parts_.size() == 1) return {parts_[0].rules, parts_[0].fixed, false, {}};
  // Several lists: merged in rule order, each entry remembering the list it came from (any
  // one of a rule's lists will do: what each proves holds of the event).
  scratch_.clear();
  fixed_.clear();
  if (!code_parts_) {
    for (const Part& p : parts_) scratch_.insert(scratch_.end(), p.rules.begin(), p.rules.end());
    SortUnique(scratch_);
    return {scratch_, Fixed{}, false, {}};
  }
  for (const Part& p : parts_) {
    const auto code = static_cast<uint32_t>(std::min<size_t>(fixed_.size(), kPartMask));
    for (uint32_t r : p.rules) scratch_.push_back(r << kPartBits | code);
    if (fixed_.size() < kPartMask) fixed_.push_back(p.fixed);
  }
  fixed_.push_back(Fixed{});  // code kPartMask: the lists beyond the first kPartMask
  std::sort(scratch_.begin(), scratch_.end());
  scratch_.erase(std::unique(scratch_.begin(), scratch_.end(),
                             [](uint32_t a, uint32_t b) { return a >> kPartBits == b >> kPartBits; }),
                 scratch_.end());
  return {scratch_, Fixed{}, true, fixed_};
}

RuleIndex::Selection RuleIndex::Candidates(const Event& event) {
  const std::string* dataset = event.GetString(ecs::kEventDataset);
  const StringList* categories = event.GetList(ecs::kEventCategory);
  if (!dataset && (!categories || categories->empty())) return Select(catch_all_kind_, event);
  // The memo key must name exactly one (dataset, categories) pair: the values come from the
  // event (a log line, a packet, a JSON document), so a separator alone would let a crafted
  // dataset such as "a\x1fb" collide with dataset "a" plus category "b" and hand one event
  // the other's cached candidates, hiding rules. Each part is tagged and length-prefixed.
  // (event.action is not part of the key: it selects inside the memoized entry.)
  key_.clear();
  auto append = [this](char tag, const std::string& s) {
    key_ += tag;
    const auto n = static_cast<uint32_t>(s.size());
    key_.append(reinterpret_cast<const char*>(&n), sizeof n);
    key_ += s;
  };
  if (dataset) append('d', *dataset);
  if (categories) {
    for (const std::string& c : *categories) append('c', c);
  }
  if (const Kind* known = memo_.Find(key_)) return Select(*known, event);
  if (memo_.size() >= kMaxMemo) {
    Compute(dataset, categories, &scratch_kind_);
    return Select(scratch_kind_, event);
  }
  Kind kind;
  Compute(dataset, categories, &kind);
  return Select(*memo_.Emplace(key_, std::move(kind)).first, event);
}

}  // namespace vigil::rules
