#include "condition_parser.h"

#include <optional>

#include "condition_lexer.h"

namespace vigil::rules {
namespace {

struct OpSpelling {
  std::string_view text;
  Op op;
};
constexpr OpSpelling kWordOps[] = {
    {"exists", Op::kExists},         {"in", Op::kIn},           {"contains", Op::kContains},
    {"icontains", Op::kIContains},   {"startswith", Op::kStartsWith},
    {"endswith", Op::kEndsWith},     {"glob", Op::kGlob},       {"regex", Op::kRegex},
};
constexpr OpSpelling kCompareOps[] = {
    {"=", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt}, {"<=", Op::kLe}, {">", Op::kGt}, {">=", Op::kGe},
};

bool IsKeyword(std::string_view w) { return w == "and" || w == "or" || w == "not"; }

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : toks_(std::move(tokens)) {}

  std::unique_ptr<AstNode> Parse(ConditionError* error) {
    auto node = Expr(0);
    if (node && Peek().kind != TokenKind::kEnd) {
      Fail(Peek().offset, Peek().kind == TokenKind::kRParen
                              ? "unbalanced ')'"
                              : "expected 'and', 'or' or the end of the condition, found " + Describe(Peek()));
      node.reset();
    }
    if (!node) *error = error_;
    return node;
  }

 private:
  const Token& Peek() const { return toks_[pos_]; }
  const Token& Next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool PeekWord(std::string_view w) const { return Peek().kind == TokenKind::kWord && Peek().text == w; }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::kEnd: return "the end of the condition";
      case TokenKind::kString: return "string '" + t.text + "'";
      default: return "'" + t.text + "'";
    }
  }

  std::nullptr_t Fail(size_t offset, std::string message, std::string code = "E205") {
    if (error_.message.empty()) error_ = {std::move(code), std::move(message), offset};
    return nullptr;
  }

  std::unique_ptr<AstNode> Expr(int depth) {
    if (depth > kMaxDepth) {
      return Fail(Peek().offset, "condition nests deeper than " + std::to_string(kMaxDepth) + " levels", "E214");
    }
    return Binary(depth, /*or_level=*/true);
  }

  std::unique_ptr<AstNode> Binary(int depth, bool or_level) {
    const char* word = or_level ? "or" : "and";
    auto first = or_level ? Binary(depth, false) : Unary(depth);
    if (!first || !PeekWord(word)) return first;
    auto node = std::make_unique<AstNode>();
    node->kind = or_level ? AstNode::Kind::kOr : AstNode::Kind::kAnd;
    node->offset = first->offset;
    node->children.push_back(std::move(first));
    while (PeekWord(word)) {
      Next();
      auto rhs = or_level ? Binary(depth, false) : Unary(depth);
      if (!rhs) return nullptr;
      node->children.push_back(std::move(rhs));
    }
    return node;
  }

  std::unique_ptr<AstNode> Unary(int depth) {
    if (PeekWord("not")) {
      if (depth + 1 > kMaxDepth) {
        return Fail(Peek().offset, "condition nests deeper than " + std::to_string(kMaxDepth) + " levels", "E214");
      }
      auto node = std::make_unique<AstNode>();
      node->kind = AstNode::Kind::kNot;
      node->offset = Next().offset;
      auto child = Unary(depth + 1);
      if (!child) return nullptr;
      node->children.push_back(std::move(child));
      return node;
    }
    return Primary(depth);
  }

  std::unique_ptr<AstNode> Primary(int depth) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kLParen) {
      const size_t open = Next().offset;
      auto inner = Expr(depth + 1);
      if (!inner) return nullptr;
      if (Peek().kind != TokenKind::kRParen) {
        return Fail(Peek().offset, "expected ')' to close the '(' at offset " + std::to_string(open + 1) +
                                       ", found " + Describe(Peek()));
      }
      Next();
      return inner;
    }
    if (t.kind != TokenKind::kWord || IsKeyword(t.text)) {
      return Fail(t.offset, "expected a field, a macro or '(', found " + Describe(t));
    }
    const Token& name = Next();
    auto node = std::make_unique<AstNode>();
    node->name = name.text;
    node->offset = name.offset;
    std::optional<Op> op;
    const Token& o = Peek();
    if (o.kind == TokenKind::kCompare) {
      for (const auto& s : kCompareOps) if (o.text == s.text) op = s.op;
    } else if (o.kind == TokenKind::kWord) {
      for (const auto& s : kWordOps) if (o.text == s.text) op = s.op;
    }
    if (!op) {
      node->kind = AstNode::Kind::kMacroRef;
      return node;
    }
    node->kind = AstNode::Kind::kPredicate;
    node->op = *op;
    node->op_offset = Next().offset;
    if (*op == Op::kExists) return node;
    const Token& v = Peek();
    if (v.kind == TokenKind::kLParen) {
      Next();
      node->parenthesized = true;
      while (true) {
        const Token& item = Peek();
        if (item.kind != TokenKind::kWord && item.kind != TokenKind::kString) {
          return Fail(item.offset, "expected a value in the list, found " + Describe(item));
        }
        node->operands.push_back({item.text, item.kind == TokenKind::kString, item.offset});
        Next();
        if (Peek().kind == TokenKind::kComma) {
          Next();
          continue;
        }
        if (Peek().kind == TokenKind::kRParen) {
          Next();
          break;
        }
        return Fail(Peek().offset, "expected ',' or ')' in the value list, found " + Describe(Peek()));
      }
      return node;
    }
    if (v.kind != TokenKind::kWord && v.kind != TokenKind::kString) {
      return Fail(v.offset, "expected a value after '" + std::string(OpName(*op)) + "', found " + Describe(v));
    }
    if (v.kind == TokenKind::kWord && IsKeyword(v.text)) {
      return Fail(v.offset, "expected a value after '" + std::string(OpName(*op)) + "', found keyword '" +
                                v.text + "' (quote it to use it as a value)");
    }
    node->operands.push_back({v.text, v.kind == TokenKind::kString, v.offset});
    node->list_name = *op == Op::kIn && v.kind == TokenKind::kWord;
    if (*op == Op::kIn && !node->list_name) {
      return Fail(v.offset, "'in' takes a list name or a parenthesized list of values");
    }
    Next();
    return node;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  ConditionError error_;
};

}  // namespace

std::string_view OpName(Op op) {
  for (const auto& s : kWordOps) if (s.op == op) return s.text;
  for (const auto& s : kCompareOps) if (s.op == op) return s.text;
  return "?";
}

std::unique_ptr<AstNode> ParseCondition(std::string_view text, ConditionError* error) {
  std::vector<Token> tokens;
  if (!Tokenize(text, &tokens, error)) return nullptr;
  if (tokens.size() == 1) {
    *error = {"E205", "the condition is empty", 0};
    return nullptr;
  }
  Parser p(std::move(tokens));
  return p.Parse(error);
}

}  // namespace vigil::rules
