// Compiled conditions: the typed tree a rule's condition becomes at load time.
//
// Every node reads fields by FieldId and compares against values converted once at load
// (numbers parsed, CIDRs parsed, needles lowercased for icontains, RE2 programs built), so
// evaluating a node compares no field names and allocates nothing. A predicate on a field
// the event does not have is false, for every operator except `exists` (so `a != "x"` is
// false when `a` is absent, while `not a = "x"` is true).
//
// Threading: a compiled tree is immutable after construction; Eval() is const and may be
// called from any number of threads at once.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "condition_parser.h"
#include "vigil/event.h"
#include "vigil/ip_address.h"

namespace vigil::rules {

class ConditionNode;
using NodePtr = std::unique_ptr<ConditionNode>;

class ConditionNode {
 public:
  // How costly a node is to evaluate, roughly, for ordering the conjuncts of a rule: a
  // comparison of a number, time, bool or address (or `exists`) first, then string `=`/`in`
  // and `!=`, then the other string operators, then `or`/`not` subtrees.
  enum class Cost : uint8_t { kScalar, kStringEq, kString, kTree };

  virtual ~ConditionNode() = default;
  virtual bool Eval(const Event& event) const = 0;
  // The children of an `and` node; empty for any other node.
  virtual std::span<const NodePtr> AndChildren() const { return {}; }
  // The one field a predicate reads (its value alone decides it); nullopt for `and`, `or`, `not`.
  virtual std::optional<FieldId> OnlyField() const { return std::nullopt; }
  virtual Cost cost() const { return Cost::kTree; }
  // The inline forms RuleProgram evaluates without the node. An int field compared (=, !=,
  // <, <=, >, >=, or `in` one value) with one value:
  virtual bool IntCompare(FieldId* /*field*/, Op* /*op*/, int64_t* /*value*/) const { return false; }
  // A string field equal (or, `negate`, not equal) to one needle:
  virtual bool StringEquals(FieldId* /*field*/, bool* /*negate*/, std::string_view* /*needle*/) const {
    return false;
  }
};

NodePtr MakeAnd(std::vector<NodePtr> children);
NodePtr MakeOr(std::vector<NodePtr> children);
NodePtr MakeNot(NodePtr child);
NodePtr MakeExists(FieldId field);

// Matches one string against a set of needles with one of the string operators
// (kEq/kIn: equal to any, kContains, kIContains, kStartsWith, kEndsWith, kGlob, kRegex).
class StringMatcher {
 public:
  // For kRegex, `regexes` holds the compiled programs (needles are ignored).
  StringMatcher(Op op, std::vector<std::string> needles, std::vector<std::unique_ptr<RE2>> regexes);
  bool Match(std::string_view s) const;
  // `=`/`in` (also for `!=`, whose predicate negates the match): needles compared whole.
  bool equality() const { return op_ == Op::kEq; }
  // kEq/kIn with exactly one needle: that needle; else null.
  const std::string* single() const { return single_ ? &only_ : nullptr; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Needles of every other form, kept apart so that the node of the common predicate stays
  // small (one cache line with its StringPredicate) when rules are evaluated one after another.
  struct Needles {
    std::vector<std::string> list;  // lowercased for kIContains
    std::unordered_set<std::string, Hash, std::equal_to<>> set;  // kEq/kIn with many needles
    std::vector<std::unique_ptr<RE2>> regexes;
  };
  Op op_;
  // kEq/kIn with exactly one needle (the most common predicate, `field = value`): the needle
  // kept here, inside the node, so a match reads no other allocation for short values.
  bool single_ = false;
  std::string only_;
  std::unique_ptr<Needles> many_;  // null when single_
};

// A string operator on a string field, or on a list field (true when any element matches).
// `negate` (for !=) inverts the match of a present field.
NodePtr MakeStringPredicate(FieldId field, bool negate, StringMatcher matcher);

// Comparisons on int, double, bool, time and duration fields. kIn: equal to any value.
template <typename T>
NodePtr MakeOrderedPredicate(FieldId field, Op op, std::vector<T> values);
extern template NodePtr MakeOrderedPredicate<int64_t>(FieldId, Op, std::vector<int64_t>);
extern template NodePtr MakeOrderedPredicate<double>(FieldId, Op, std::vector<double>);
extern template NodePtr MakeOrderedPredicate<bool>(FieldId, Op, std::vector<bool>);
extern template NodePtr MakeOrderedPredicate<Timestamp>(FieldId, Op, std::vector<Timestamp>);
extern template NodePtr MakeOrderedPredicate<Duration>(FieldId, Op, std::vector<Duration>);

// An ip field inside any of `networks` (a bare address is a /32 or /128); negated for !=.
NodePtr MakeIpPredicate(FieldId field, bool negate, std::vector<IpNetwork> networks);

}  // namespace vigil::rules
