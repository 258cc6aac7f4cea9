#pragma once
// Tokens of the equation language. Newlines end statements except inside
// parentheses; '#' starts a comment that runs to the end of the line.
#include <string>
#include <string_view>
#include <utility>
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
  TextOrigin() = default;
  TextOrigin(std::string file_name, int line, int column)
      : file(std::move(file_name)), first_line(line), first_column(column) {}

  std::string file;
  int first_line = 1;    // file line of the text's first line
  int first_column = 1;  // file column of the text's first character (first line only)
  // Where each byte of the text is in the file (line, column), and one more entry
  // for its end; empty: counted from first_line and first_column. Needed where the
  // text is not the file's characters one for one (TOML escapes, a TOML
  // line-ending backslash that joins two lines).
  std::vector<std::pair<int, int>> positions;
};

const char* describe(TokenKind kind);

// Splits text into tokens; throws UserError at the first character that cannot start a token.
std::vector<Token> tokenize(std::string_view text, const TextOrigin& origin);

}  // namespace psst::lang
