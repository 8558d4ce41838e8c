// ConditionLexer: splits condition text into tokens.
//
// Tokens: bare words (field names, keywords, numbers, durations, addresses, CIDRs, glob
// patterns: any run of characters other than blanks and `( ) , ' " = ! < >`), quoted
// strings ('..' or "..", backslash escapes the quote and itself), `(`, `)`, `,` and the
// comparison operators `= != < <= > >=`. Keywords are bare words; the parser decides.
// Every token keeps the byte offset where it starts so that errors point at it.
// Limits: at most kMaxConditionBytes of text and kMaxTokens tokens (E214 beyond).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "condition_error.h"

namespace vigil::rules {

inline constexpr size_t kMaxConditionBytes = 256 * 1024;
inline constexpr size_t kMaxTokens = 20000;

enum class TokenKind { kWord, kString, kLParen, kRParen, kComma, kCompare, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // bare word, unescaped string, or operator spelling
  size_t offset = 0;
};

// The tokens of `text`, ending with one kEnd token; or the first error.
bool Tokenize(std::string_view text, std::vector<Token>* tokens, ConditionError* error);

}  // namespace vigil::rules
