#include "rule_index.h"

#include <algorithm>
#include <iterator>
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

void RuleIndex::Bucket::MergeFrom(const Bucket& other) {
  Append(any, other.any);
  for (const auto& [action, rules] : other.by_action) Append(by_action[action], rules);
}

void RuleIndex::Bucket::Normalize() {
  SortUnique(any);
  for (auto& [action, rules] : by_action) SortUnique(rules);
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
  catch_all_.Normalize();
}

void RuleIndex::Compute(const std::string* dataset, const StringList* categories, Bucket* out) const {
  *out = catch_all_;
  if (dataset) {
    if (auto it = by_dataset_.find(*dataset); it != by_dataset_.end()) out->MergeFrom(it->second);
    for (const auto& [prefix, rules] : by_dataset_prefix_) {
      if (dataset->starts_with(prefix)) out->MergeFrom(rules);
    }
  }
  if (categories) {
    for (const std::string& c : *categories) {
      if (auto it = by_category_.find(c); it != by_category_.end()) out->MergeFrom(it->second);
    }
  }
  out->Normalize();
}

// The candidates of an event of kind `kind`: its "any action" rules, and those of its action.
const std::vector<uint32_t>& RuleIndex::Select(const Bucket& kind, const Event& event) {
  if (kind.by_action.empty()) return kind.any;
  const Value* v = event.Get(ecs::kEventAction);
  if (v == nullptr) return kind.any;
  if (const auto* action = std::get_if<std::string>(v)) {
    auto it = kind.by_action.find(*action);
    if (it == kind.by_action.end()) return kind.any;
    if (kind.any.empty()) return it->second;
    scratch_.clear();
    std::merge(kind.any.begin(), kind.any.end(), it->second.begin(), it->second.end(),
               std::back_inserter(scratch_));
    return scratch_;
  }
  // event.action is declared a string, so collectors never set anything else; were it a
  // list, a rule's `event.action = x` would match any element: every rule is a candidate.
  scratch_ = kind.any;
  for (const auto& [action, rules] : kind.by_action) Append(scratch_, rules);
  SortUnique(scratch_);
  return scratch_;
}

const std::vector<uint32_t>& RuleIndex::Candidates(const Event& event) {
  const std::string* dataset = event.GetString(ecs::kEventDataset);
  const StringList* categories = event.GetList(ecs::kEventCategory);
  if (!dataset && (!categories || categories->empty())) return Select(catch_all_, event);
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
  Bucket kind;
  Compute(dataset, categories, &kind);
  return Select(memo_.emplace(key_, std::move(kind)).first->second, event);
}

}  // namespace vigil::rules
