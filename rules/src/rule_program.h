// RuleProgram: a candidate rule's condition as a flat run of conjuncts, what RuleSet::Evaluate
// runs for each candidate the index hands it (RuleSet::Impl::Candidate).
//
// The conjuncts are the predicates of the condition's top-level `and` (nested `and`s
// flattened; a condition that is not an `and` is one conjunct), minus those the rule's index
// entry guarantees: an `event.dataset` test that holds for every dataset the rule is filed
// under (it is filed only under exact datasets, and an event meets it only when its dataset is
// one of them, found by exact string compare). Cheap conjuncts come first (numbers, addresses,
// `exists`, then string `=`/`in`/`!=`, then other string operators, then `or`/`not`
// subtrees); `and` has no side effects, so the order changes no result. The last `tagged`
// conjuncts are tests of event.action or of another string field that hold for every value
// the rule is filed under in the index (RuleIndex); they are skipped when the index proved
// that field's value on the way to the candidate (RuleIndex::Fixed), tested otherwise.
//
// The common predicates (an int compare with one value; string `=`/`!=` with one needle of
// at most kInlineNeedle bytes) are held inline, with their field, and evaluated without a
// virtual call or a read of their node; any value of another type than the one the inline
// form expects is handed to the node, so the result is always the node's.
//
// Conjuncts point at nodes of the rule's compiled condition, which must outlive them.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "compiled_condition.h"
#include "compiled_rule.h"
#include "flat_string_map.h"  // SameBytes
#include "rule_index.h"
#include "vigil/event.h"

namespace vigil::rules {

// The fields an event's candidates read, each looked up in the event once (Event::Get scans
// the event's fields) rather than once per candidate: a direct-mapped cache by field id, made
// per event. Rebind() when the event may have moved (an alert may take it over).
class FieldCache {
 public:
  explicit FieldCache(const Event& e) : event_(&e) { ids_.fill(kNoField); }
  void Rebind(const Event& e) {
    if (&e == event_) return;
    event_ = &e;
    ids_.fill(kNoField);
  }
  const Event& event() const { return *event_; }
  const Value* Get(FieldId id) {
    const size_t slot = id & (kSlots - 1);
    if (ids_[slot] == id) return values_[slot];
    const Value* v = event_->Get(id);
    ids_[slot] = id;
    values_[slot] = v;
    return v;
  }

 private:
  static constexpr size_t kSlots = 8;
  static constexpr FieldId kNoField = 0xFFFF;
  const Event* event_;
  std::array<FieldId, kSlots> ids_;
  std::array<const Value*, kSlots> values_;
};

struct Conjunct {
  static constexpr size_t kInlineNeedle = 16;
  enum class Kind : uint8_t { kNode, kInt, kString };

  const ConditionNode* node = nullptr;
  FieldId tag = RuleIndex::Fixed::kNone;  // the field of a tagged conjunct
  FieldId field = 0;                      // kInt, kString: the field tested
  Kind kind = Kind::kNode;
  Op op = Op::kEq;                        // kInt: the comparison
  bool negate = false;                    // kString: `!=`
  uint8_t size = 0;                       // kString: the needle's length
  union {
    int64_t value;                        // kInt
    char needle[kInlineNeedle];           // kString
  };

  Conjunct() : value(0) {}

  bool Eval(FieldCache& fields) const {
    const Event& e = fields.event();
    if (kind == Kind::kNode) return node->Eval(e);
    const Value* v = fields.Get(field);
    if (v == nullptr) return false;
    if (kind == Kind::kInt) {
      const auto* x = std::get_if<int64_t>(v);
      if (x == nullptr) return node->Eval(e);
      switch (op) {
        case Op::kEq: return *x == value;
        case Op::kNe: return *x != value;
        case Op::kLt: return *x < value;
        case Op::kLe: return *x <= value;
        case Op::kGt: return *x > value;
        default: return *x >= value;  // kGe
      }
    }
    const auto* s = std::get_if<std::string>(v);
    if (s == nullptr) return node->Eval(e);
    return (s->size() == size && SameBytes(s->data(), needle, size)) != negate;
  }
};

// Whether all of program[0, size) hold; the last `tagged` are skipped when `fixed` names
// their tag. `first` is program[0] (a copy kept beside the caller's other data: a candidate
// rejected by its first conjunct reads no other cache line).
inline bool AllHold(const Conjunct& first, const Conjunct* program, uint32_t size, uint32_t tagged, FieldCache& e,
                    RuleIndex::Fixed fixed) {
  if (size == 0) return true;
  const Conjunct* const plain_end = program + (size - tagged);
  const Conjunct* const end = program + size;
  const auto skipped = [&fixed](const Conjunct& c) { return c.tag == fixed.action || c.tag == fixed.key; };
  if (program < plain_end ? !first.Eval(e) : !skipped(first) && !first.Eval(e)) return false;
  const Conjunct* p = program + 1;
  for (; p < plain_end; ++p) {
    if (!p->Eval(e)) return false;
  }
  for (; p < end; ++p) {
    if (!skipped(*p) && !p->Eval(e)) return false;
  }
  return true;
}

// Appends rule `cr`'s conjuncts to `programs`; returns how many, and how many of them are
// tagged (the last ones).
std::pair<size_t, size_t> AppendProgram(const CompiledRule& cr, std::vector<Conjunct>& programs);

}  // namespace vigil::rules
