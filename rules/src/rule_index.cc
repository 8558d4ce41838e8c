#include "rule_index.h"

#include <algorithm>
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

void RuleIndex::Bucket::Add(uint32_t rule, const KindConstraint& k) {
  if (!k.action) {
    any.push_back(rule);
    return;
  }
  for (const std::string& a : k.action->exact) by_action[a].push_back(rule);
}

void RuleIndex::Build(const std::vector<const KindConstraint*>& kinds, const std::vector<bool>& enabled) {
  for (uint32_t i = 0; i < kinds.size(); ++i) {
    if (!enabled[i]) continue;
    const KindConstraint& k = *kinds[i];
    if (k.never) continue;
    if (k.dataset) {
      for (const auto& d : k.dataset->exact) by_dataset_[d].Add(i, k);
      for (const auto& p : k.dataset->prefixes) {
        auto it = std::find_if(by_dataset_prefix_.begin(), by_dataset_prefix_.end(),
                               [&](const auto& e) { return e.first == p; });
        if (it == by_dataset_prefix_.end()) {
          by_dataset_prefix_.push_back({p, {}});
          it = by_dataset_prefix_.end() - 1;
        }
        it->second.Add(i, k);
      }
    } else if (k.category) {
      for (const auto& c : k.category->exact) by_category_[c].Add(i, k);
    } else {
      catch_all_.Add(i, k);
    }
  }
  catch_all_kind_.any = catch_all_.any;
  if (!catch_all_.by_action.empty()) catch_all_kind_.actions.push_back(&catch_all_.by_action);
}

void RuleIndex::Compute(const std::string* dataset, const StringList* categories, Kind* out) const {
  out->any.clear();
  out->actions.clear();
  auto add = [out](const Bucket& b) {
    Append(out->any, b.any);
    if (!b.by_action.empty()) out->actions.push_back(&b.by_action);
  };
  add(catch_all_);
  if (dataset) {
    if (auto it = by_dataset_.find(*dataset); it != by_dataset_.end()) add(it->second);
    for (const auto& [prefix, bucket] : by_dataset_prefix_) {
      if (dataset->starts_with(prefix)) add(bucket);
    }
  }
  if (categories) {
    for (const std::string& c : *categories) {
      if (auto it = by_category_.find(c); it != by_category_.end()) add(it->second);
    }
  }
  SortUnique(out->any);
  std::sort(out->actions.begin(), out->actions.end());
  out->actions.erase(std::unique(out->actions.begin(), out->actions.end()), out->actions.end());
}

// The candidates of an event of kind `kind`: its "any action" rules, and those its action's.
const std::vector<uint32_t>& RuleIndex::Select(const Kind& kind, const Event& event) {
  if (kind.actions.empty()) return kind.any;
  const Value* v = event.Get(ecs::kEventAction);
  if (v == nullptr) return kind.any;
  const auto* action = std::get_if<std::string>(v);
  // event.action is declared a string, so collectors never set anything else; were it a
  // list, a rule's `event.action = x` would match any element: every rule is a candidate.
  const std::vector<uint32_t>* only = nullptr;  // the one list found, while there is one
  size_t found = 0;
  scratch_.clear();
  for (const ActionMap* map : kind.actions) {
    if (action) {
      auto it = map->find(*action);
      if (it == map->end()) continue;
      if (++found == 1) {
        only = &it->second;
        continue;
      }
      if (found == 2) Append(scratch_, *only);
      Append(scratch_, it->second);
    } else {
      for (const auto& [name, rules] : *map) Append(scratch_, rules);
      found = 2;
    }
  }
  if (found == 0) return kind.any;
  if (found == 1) {
    if (kind.any.empty()) return *only;
    Append(scratch_, *only);
  }
  Append(scratch_, kind.any);
  SortUnique(scratch_);
  return scratch_;
}

const std::vector<uint32_t>& RuleIndex::Candidates(const Event& event) {
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
  if (auto it = memo_.find(std::string_view(key_)); it != memo_.end()) return Select(it->second, event);
  if (memo_.size() >= kMaxMemo) {
    Compute(dataset, categories, &scratch_kind_);
    return Select(scratch_kind_, event);
  }
  Kind kind;
  Compute(dataset, categories, &kind);
  return Select(memo_.emplace(key_, std::move(kind)).first->second, event);
}

}  // namespace vigil::rules
