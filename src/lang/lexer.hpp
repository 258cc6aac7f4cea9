#pragma once
// Tokens of the equation language. Newlines end statements except inside
// parentheses; '#' starts a comment that runs to the end of the line.
#include <string>
#include <string_view>
#include <vector>

#include "model/error.hpp"

namespace psst::lang {

enum class TokenKind {
  Number, Identifier, Plus, Minus, Star, Slash, Caret, LeftParen, RightParen, Comma,
  Assign, Less, LessEqual, Greater, GreaterEqual, EqualEqual, NotEqual, AndAnd, OrOr, Bang,
  Question, Colon, Newline, End
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;
  double number = 0.0;
  SourceLocation where;
};

// Where a piece of equation text sits in its file, so that errors point into it.
struct TextOrigin {
  std::string file;
  int first_line = 1;    // file line of the text's first line
  int first_column = 1;  // file column of the text's first character (first line only)
};

const char* describe(TokenKind kind);

// Splits text into tokens; throws UserError at the first character that cannot start a token.
std::vector<Token> tokenize(std::string_view text, const TextOrigin& origin);

}  // namespace psst::lang
