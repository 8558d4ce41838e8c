#include "condition_lexer.h"

namespace vigil::rules {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool IsWordChar(char c) {
  switch (c) {
    case '(': case ')': case ',': case '\'': case '"': case '=': case '!': case '<': case '>':
      return false;
    default:
      return !IsBlank(c);
  }
}

}  // namespace

bool Tokenize(std::string_view text, std::vector<Token>* tokens, ConditionError* error) {
  tokens->clear();
  if (text.size() > kMaxConditionBytes) {
    *error = {"E214", "condition is " + std::to_string(text.size()) + " bytes long; the limit is " +
                          std::to_string(kMaxConditionBytes),
              0};
    return false;
  }
  size_t i = 0;
  while (true) {
    while (i < text.size() && IsBlank(text[i])) ++i;
    if (tokens->size() >= kMaxTokens) {
      *error = {"E214", "condition has more than " + std::to_string(kMaxTokens) + " tokens", i};
      return false;
    }
    if (i == text.size()) {
      tokens->push_back({TokenKind::kEnd, "", i});
      return true;
    }
    const size_t start = i;
    const char c = text[i];
    if (c == '(' || c == ')' || c == ',') {
      tokens->push_back({c == '(' ? TokenKind::kLParen : c == ')' ? TokenKind::kRParen : TokenKind::kComma,
                         std::string(1, c), start});
      ++i;
    } else if (c == '=' || c == '<' || c == '>' || c == '!') {
      std::string op(1, c);
      ++i;
      if (i < text.size() && text[i] == '=' && c != '=') {
        op += '=';
        ++i;
      }
      if (op == "!") {
        *error = {"E205", "'!' must be followed by '=' (use 'not' for negation)", start};
        return false;
      }
      if (op == "=" && i < text.size() && text[i] == '=') ++i;  // accept '==' as '='
      tokens->push_back({TokenKind::kCompare, op, start});
    } else if (c == '\'' || c == '"') {
      std::string value;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char d = text[i];
        if (d == '\\' && i + 1 < text.size() && (text[i + 1] == c || text[i + 1] == '\\')) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (d == c) {
          closed = true;
          ++i;
          break;
        }
        value += d;
        ++i;
      }
      if (!closed) {
        *error = {"E205", std::string("unterminated string (missing closing ") + c + ")", start};
        return false;
      }
      tokens->push_back({TokenKind::kString, std::move(value), start});
    } else {
      while (i < text.size() && IsWordChar(text[i])) ++i;
      tokens->push_back({TokenKind::kWord, std::string(text.substr(start, i - start)), start});
    }
  }
}

}  // namespace vigil::rules
