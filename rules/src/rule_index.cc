#include "rule_index.h"

#include <algorithm>

#include "vigil/ecs_fields.h"

namespace vigil::rules {

void RuleIndex::Build(const std::vector<const KindConstraint*>& kinds, const std::vector<bool>& enabled) {
  for (uint32_t i = 0; i < kinds.size(); ++i) {
    if (!enabled[i]) continue;
    const KindConstraint& k = *kinds[i];
    if (k.never) continue;
    if (k.dataset) {
      for (const auto& d : k.dataset->exact) by_dataset_[d].push_back(i);
      for (const auto& p : k.dataset->prefixes) {
        auto it = std::find_if(by_dataset_prefix_.begin(), by_dataset_prefix_.end(),
                               [&](const auto& e) { return e.first == p; });
        if (it == by_dataset_prefix_.end()) {
          by_dataset_prefix_.push_back({p, {}});
          it = by_dataset_prefix_.end() - 1;
        }
        it->second.push_back(i);
      }
    } else if (k.category) {
      for (const auto& c : k.category->exact) by_category_[c].push_back(i);
    } else {
      catch_all_.push_back(i);
    }
  }
}

void RuleIndex::Compute(const std::string* dataset, const StringList* categories,
                        std::vector<uint32_t>* out) const {
  out->assign(catch_all_.begin(), catch_all_.end());
  if (dataset) {
    if (auto it = by_dataset_.find(*dataset); it != by_dataset_.end()) {
      out->insert(out->end(), it->second.begin(), it->second.end());
    }
    for (const auto& [prefix, rules] : by_dataset_prefix_) {
      if (dataset->starts_with(prefix)) out->insert(out->end(), rules.begin(), rules.end());
    }
  }
  if (categories) {
    for (const std::string& c : *categories) {
      if (auto it = by_category_.find(c); it != by_category_.end()) {
        out->insert(out->end(), it->second.begin(), it->second.end());
      }
    }
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

const std::vector<uint32_t>& RuleIndex::Candidates(const Event& event) {
  const std::string* dataset = event.GetString(ecs::kEventDataset);
  const StringList* categories = event.GetList(ecs::kEventCategory);
  if (!dataset && (!categories || categories->empty())) return catch_all_;
  // The memo key must name exactly one (dataset, categories) pair: the values come from the
  // event (a log line, a packet, a JSON document), so a separator alone would let a crafted
  // dataset such as "a\x1fb" collide with dataset "a" plus category "b" and hand one event
  // the other's cached candidates, hiding rules. Each part is tagged and length-prefixed.
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
  if (auto it = memo_.find(std::string_view(key_)); it != memo_.end()) return it->second;
  if (memo_.size() >= kMaxMemo) {
    Compute(dataset, categories, &scratch_);
    return scratch_;
  }
  std::vector<uint32_t> c;
  Compute(dataset, categories, &c);
  return memo_.emplace(key_, std::move(c)).first->second;
}

}  // namespace vigil::rules
