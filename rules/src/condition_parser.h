// ConditionParser: tokens → an untyped syntax tree (recursive descent).
//
// Grammar (lowest precedence first):
//   expr      := and_expr ('or' and_expr)*
//   and_expr  := unary ('and' unary)*
//   unary     := 'not' unary | primary
//   primary   := '(' expr ')' | predicate | MACRO
//   predicate := FIELD 'exists'
//              | FIELD COMPARE value                      (= != < <= > >=)
//              | FIELD 'in' (LIST_NAME | '(' values ')')
//              | FIELD STRING_OP (value | LIST_NAME in parens | '(' values ')')
//   STRING_OP := contains | icontains | startswith | endswith | glob | regex
// A bare word that is not followed by an operator is a macro reference. Names are not
// resolved here: the compiler checks fields, macros and lists against what was declared.
// Nesting (parentheses and `not`) is limited to kMaxDepth (E214).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "condition_error.h"

namespace vigil::rules {

inline constexpr int kMaxDepth = 64;

enum class Op {
  kExists, kEq, kNe, kLt, kLe, kGt, kGe, kIn,
  kContains, kIContains, kStartsWith, kEndsWith, kGlob, kRegex,
};
std::string_view OpName(Op op);

struct AstOperand {
  std::string text;
  bool quoted = false;
  size_t offset = 0;
};

struct AstNode {
  enum class Kind { kAnd, kOr, kNot, kPredicate, kMacroRef };
  Kind kind = Kind::kPredicate;
  size_t offset = 0;  // first token of the node
  std::vector<std::unique_ptr<AstNode>> children;
  // kPredicate (field) and kMacroRef (name):
  std::string name;
  Op op = Op::kExists;
  size_t op_offset = 0;
  std::vector<AstOperand> operands;
  bool parenthesized = false;  // operands came from '( ... )'
  bool list_name = false;      // the one operand is a bare list name (`in admins`)
};

// Parses `text`; on failure returns nullptr and sets *error.
std::unique_ptr<AstNode> ParseCondition(std::string_view text, ConditionError* error);

}  // namespace vigil::rules
