// ConditionCompiler: syntax tree → typed, compiled tree, checked against declared fields,
// macros and lists.
//
// Checks (each a located diagnostic): field declared (E206), operator allowed for the
// field's type and each literal convertible to it (E207), macro or list known (E208),
// regex accepted by RE2 (E209), macros not recursive (E210), expansion within limits (E214).
// Each macro is validated once on its own, where its errors are reported; a condition that
// uses a broken macro fails without repeating them.
//
// Also derives the KindConstraint of a condition: which event.dataset / event.category /
// event.action values (and values of other string fields tested with `=`/`in`) an event must
// have for the condition to be true (used by RuleIndex).
// The constraint is an over-approximation: `and` intersects, `or` unites (a branch without
// a constraint on a dimension leaves the whole `or` unconstrained on it), and `not` drops
// every constraint, so a rule can only be kept from events it provably cannot match.
//
// Not thread-safe; used while loading.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "compiled_condition.h"
#include "condition_parser.h"
#include "scalar_location.h"
#include "vigil/diagnostic.h"
#include "vigil/field.h"

namespace vigil::rules {

inline constexpr size_t kMaxCompiledNodes = 100000;  // per condition, after macro expansion

// The values one string field may take: equal to one of `exact` or starting with one of
// `prefixes`.
struct ValueSet {
  std::set<std::string> exact;
  std::set<std::string> prefixes;
  bool Matches(std::string_view v) const;
};

struct KindConstraint {
  std::optional<ValueSet> dataset;   // nullopt: any dataset
  std::optional<ValueSet> category;  // nullopt: any category
  std::optional<ValueSet> action;    // nullopt: any event.action (or none); exact values only
  // Other string (not list) fields the condition requires to equal one of some values, from
  // `=` and `in`: RuleIndex may file the rule under those values. Same algebra as above.
  std::map<FieldId, std::set<std::string>> equals;
  bool never = false;                // provably matches no event kind
};

struct ListDef {
  std::string name;
  SourceLocation location;
  std::vector<std::string> items;  // other lists already expanded
  bool used = false;
};

struct MacroDef {
  enum class State { kUnchecked, kChecking, kValid, kInvalid };
  // A condition given with `append: true` in a later item: the macro is the `or` of its own
  // condition and each of these, in load order.
  struct Appended {
    std::string text;
    ScalarLocator where;
    std::unique_ptr<AstNode> ast;  // null when the text did not parse
  };
  std::string name;
  SourceLocation location;
  std::string text;
  ScalarLocator where;
  std::unique_ptr<AstNode> ast;  // null when the text did not parse
  std::vector<Appended> appended;
  State state = State::kUnchecked;
  bool used = false;
};

struct CompiledCondition {
  NodePtr node;
  KindConstraint kinds;
  // Compile() only: the condition in a normal form, after macro and list expansion: an
  // s-expression of fields, operators and length-prefixed values. Two conditions with the
  // same text test the same thing, however they were written (spacing, quoting, macros,
  // lists). Used for rule fingerprints (state kept across reloads).
  std::string text;
};

class ConditionCompiler {
 public:
  ConditionCompiler(const FieldRegistry& fields, std::map<std::string, ListDef, std::less<>>& lists,
                    std::map<std::string, MacroDef, std::less<>>& macros, Diagnostics& diags)
      : fields_(fields), lists_(lists), macros_(macros), diags_(diags) {}

  // Parses and compiles `text`; errors are reported at `where`. nullopt on any error.
  std::optional<CompiledCondition> Compile(std::string_view text, const ScalarLocator& where);
  // Validates a macro on its own (once); reports its errors.
  void CheckMacro(MacroDef& macro);

 private:
  struct Frame;
  std::optional<CompiledCondition> Node(const AstNode& n, Frame& f);
  std::optional<CompiledCondition> Predicate(const AstNode& n, Frame& f);
  std::optional<CompiledCondition> MacroRef(const AstNode& n, Frame& f);
  // The operand values, with list names expanded; false on error.
  bool Values(const AstNode& n, Frame& f, std::vector<AstOperand>* out);
  void Error(Frame& f, size_t offset, std::string code, std::string message);
  static void Write(Frame& f, std::string_view s);

  const FieldRegistry& fields_;
  std::map<std::string, ListDef, std::less<>>& lists_;
  std::map<std::string, MacroDef, std::less<>>& macros_;
  Diagnostics& diags_;
  std::vector<std::string> macro_stack_;
};

}  // namespace vigil::rules
