#include "rule_program.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <span>
#include <string_view>

#include "vigil/ecs_fields.h"

namespace vigil::rules {
namespace {

// The conjuncts of `n`: the children of its `and` (nested `and`s flattened), or `n` itself.
void Flatten(const ConditionNode& n, std::vector<const ConditionNode*>& out) {
  const std::span<const NodePtr> children = n.AndChildren();
  if (children.empty()) {
    out.push_back(&n);
    return;
  }
  for (const NodePtr& c : children) Flatten(*c, out);
}

// A conjunct of `node`, inline when its form allows.
Conjunct Make(const ConditionNode& node, FieldId tag) {
  Conjunct c;
  c.node = &node;
  c.tag = tag;
  std::string_view needle;
  if (node.IntCompare(&c.field, &c.op, &c.value)) {
    c.kind = Conjunct::Kind::kInt;
  } else if (node.StringEquals(&c.field, &c.negate, &needle) && needle.size() <= Conjunct::kInlineNeedle) {
    c.kind = Conjunct::Kind::kString;
    c.size = static_cast<uint8_t>(needle.size());
    std::memcpy(c.needle, needle.data(), needle.size());
  }
  return c;
}

// Whether `conjunct`, which reads only `field`, holds whenever the field equals any of `values`
// (and there is at least one): decided on an event holding that field alone.
bool HoldsForEach(const ConditionNode& conjunct, FieldId field, const std::set<std::string>& values) {
  if (values.empty()) return false;
  for (const std::string& v : values) {
    Event e;
    e.Set(field, v);
    if (!conjunct.Eval(e)) return false;
  }
  return true;
}

}  // namespace

std::pair<size_t, size_t> AppendProgram(const CompiledRule& cr, std::vector<Conjunct>& programs) {
  std::vector<const ConditionNode*> conjuncts;
  Flatten(*cr.condition, conjuncts);
  const KindConstraint& k = cr.kinds;
  std::vector<Conjunct> plain;
  std::vector<Conjunct> tagged;
  for (const ConditionNode* c : conjuncts) {
    const std::optional<FieldId> field = c->OnlyField();
    if (field == ecs::kEventDataset) {
      // The rule is filed only under exact datasets (no prefix, so no category or catch-all
      // bucket either), and an event meets it only when its dataset is one of them.
      if (k.dataset && k.dataset->prefixes.empty() && HoldsForEach(*c, *field, k.dataset->exact)) continue;
    } else if (field == ecs::kEventAction) {
      // Filed under each of k.action's values: a proved action is one of them.
      if (k.action && HoldsForEach(*c, *field, k.action->exact)) {
        tagged.push_back(Make(*c, *field));
        continue;
      }
    } else if (field) {
      // Filed by split lists under each of these values: a proved value is one of them.
      auto it = k.equals.find(*field);
      if (it != k.equals.end() && HoldsForEach(*c, *field, it->second)) {
        tagged.push_back(Make(*c, *field));
        continue;
      }
    }
    plain.push_back(Make(*c, RuleIndex::Fixed::kNone));
  }
  const auto by_cost = [](const Conjunct& a, const Conjunct& b) {
    return a.node->cost() < b.node->cost();
  };
  std::stable_sort(plain.begin(), plain.end(), by_cost);
  std::stable_sort(tagged.begin(), tagged.end(), by_cost);
  if (plain.size() + tagged.size() > UINT16_MAX) {  // the whole condition, as one conjunct
    programs.push_back(Make(*cr.condition, RuleIndex::Fixed::kNone));
    return {1, 0};
  }
  programs.insert(programs.end(), plain.begin(), plain.end());
  programs.insert(programs.end(), tagged.begin(), tagged.end());
  return {plain.size() + tagged.size(), tagged.size()};
}

}  // namespace vigil::rules
