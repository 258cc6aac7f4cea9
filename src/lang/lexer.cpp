#include "lang/lexer.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace psst::lang {

const char* describe(TokenKind kind) {
  switch (kind) {
    case TokenKind::Number: return "a number";
    case TokenKind::Identifier: return "a name";
    case TokenKind::Plus: return "'+'";
    case TokenKind::Minus: return "'-'";
    case TokenKind::Star: return "'*'";
    case TokenKind::Slash: return "'/'";
    case TokenKind::Caret: return "'^'";
    case TokenKind::LeftParen: return "'('";
    case TokenKind::RightParen: return "')'";
    case TokenKind::Comma: return "','";
    case TokenKind::Assign: return "'='";
    case TokenKind::Less: return "'<'";
    case TokenKind::LessEqual: return "'<='";
    case TokenKind::Greater: return "'>'";
    case TokenKind::GreaterEqual: return "'>='";
    case TokenKind::EqualEqual: return "'=='";
    case TokenKind::NotEqual: return "'!='";
    case TokenKind::AndAnd: return "'and'";
    case TokenKind::OrOr: return "'or'";
    case TokenKind::Bang: return "'not'";
    case TokenKind::Question: return "'?'";
    case TokenKind::Colon: return "':'";
    case TokenKind::Newline: return "end of line";
    case TokenKind::End: return "end of text";
  }
  return "?";
}

namespace {

class Lexer {
 public:
  Lexer(std::string_view text, const TextOrigin& origin) : text_(text), origin_(origin) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') advance();
        continue;
      }
      if (c == ';' && depth == 0) {  // statement separator, like a newline
        tokens.push_back(make(TokenKind::Newline, ";"));
        advance();
        continue;
      }
      if (c == '\n') {
        // Inside parentheses a newline continues the statement.
        if (depth == 0) tokens.push_back(make(TokenKind::Newline, "\\n"));
        advance();
        continue;
      }
      if (c == '\\' && next_is_line_end()) {  // explicit line continuation
        while (text_[pos_] != '\n') advance();
        advance();
        continue;
      }
      if (std::isspace(static_cast<unsigned char>(c))) {
        advance();
        continue;
      }
      SourceLocation start = here();
      if (std::isdigit(static_cast<unsigned char>(c)) ||
          (c == '.' && pos_ + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_ + 1])))) {
        tokens.push_back(number(start));
        continue;
      }
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::size_t begin = pos_;
        while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
          advance();
        std::string word(text_.substr(begin, pos_ - begin));
        TokenKind kind = TokenKind::Identifier;
        if (word == "and") kind = TokenKind::AndAnd;
        if (word == "or") kind = TokenKind::OrOr;
        if (word == "not") kind = TokenKind::Bang;
        tokens.push_back(Token{kind, word, 0.0, start});
        continue;
      }
      TokenKind kind = symbol(depth);
      tokens.push_back(Token{kind, std::string(text_.substr(symbol_begin_, pos_ - symbol_begin_)), 0.0, start});
    }
    tokens.push_back(make(TokenKind::Newline, "\\n"));
    tokens.push_back(make(TokenKind::End, ""));
    return tokens;
  }

 private:
  bool next_is_line_end() const {
    std::size_t p = pos_ + 1;
    while (p < text_.size() && (text_[p] == ' ' || text_[p] == '\t' || text_[p] == '\r')) ++p;
    return p < text_.size() && text_[p] == '\n';
  }

  SourceLocation here() const {
    if (!origin_.positions.empty()) {
      const auto& [line, column] = origin_.positions[std::min(pos_, origin_.positions.size() - 1)];
      return SourceLocation{origin_.file, line, column};
    }
    return SourceLocation{origin_.file, origin_.first_line + line_, line_ == 0 ? origin_.first_column + column_ : 1 + column_};
  }

  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
    ++pos_;
  }

  Token make(TokenKind kind, std::string text) { return Token{kind, std::move(text), 0.0, here()}; }

  Token number(const SourceLocation& start) {
    std::size_t begin = pos_;
    auto digits = [&] {
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) advance();
    };
    digits();
    if (pos_ < text_.size() && text_[pos_] == '.') {
      advance();
      digits();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      std::size_t save = pos_;
      int save_column = column_;
      advance();
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) advance();
      if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        digits();
      } else {
        pos_ = save;  // "2e" is the number 2 followed by the name e
        column_ = save_column;
      }
    }
    std::string spelling(text_.substr(begin, pos_ - begin));
    double value = 0.0;
    auto result = std::from_chars(spelling.data(), spelling.data() + spelling.size(), value);
    if (result.ec != std::errc() || result.ptr != spelling.data() + spelling.size())
      throw UserError(start, fmt::format("'{}' is not a valid number", spelling));
    if (pos_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      throw UserError(here(), fmt::format("unexpected '{}' right after the number {}; put an operator between them "
                                          "(e.g. '2*x', not '2x')", text_[pos_], spelling));
    return Token{TokenKind::Number, spelling, value, start};
  }

  TokenKind symbol(int& depth) {
    symbol_begin_ = pos_;
    char c = text_[pos_];
    char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    auto two = [&](TokenKind kind) {
      advance();
      advance();
      return kind;
    };
    auto one = [&](TokenKind kind) {
      advance();
      return kind;
    };
    switch (c) {
      case '+': return one(TokenKind::Plus);
      case '-': return one(TokenKind::Minus);
      case '*': return n == '*' ? two(TokenKind::Caret) : one(TokenKind::Star);
      case '/': return one(TokenKind::Slash);
      case '^': return one(TokenKind::Caret);
      case '(': ++depth; return one(TokenKind::LeftParen);
      case ')': --depth; return one(TokenKind::RightParen);
      case ',': return one(TokenKind::Comma);
      case '?': return one(TokenKind::Question);
      case ':': return one(TokenKind::Colon);
      case '<': return n == '=' ? two(TokenKind::LessEqual) : one(TokenKind::Less);
      case '>': return n == '=' ? two(TokenKind::GreaterEqual) : one(TokenKind::Greater);
      case '=': return n == '=' ? two(TokenKind::EqualEqual) : one(TokenKind::Assign);
      case '!': return n == '=' ? two(TokenKind::NotEqual) : one(TokenKind::Bang);
      case '&':
        if (n == '&') return two(TokenKind::AndAnd);
        break;
      case '|':
        if (n == '|') return two(TokenKind::OrOr);
        break;
      default: break;
    }
    // A printable ASCII character as it is; a UTF-8 character (a multiplication sign, say) whole; any other byte in hex.
    const auto byte = static_cast<unsigned char>(c);
    std::string shown = std::isprint(byte) ? std::string(1, c) : fmt::format("\\x{:02x}", byte);
    if (byte >= 0xc2 && byte <= 0xf4) {
      std::size_t length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      std::size_t have = 1;
      while (have < length && pos_ + have < text_.size() &&
             (static_cast<unsigned char>(text_[pos_ + have]) & 0xc0) == 0x80)
        ++have;
      if (have == length) shown = std::string(text_.substr(pos_, length));
    }
    throw UserError(here(), fmt::format("unexpected character '{}' in equation; expected a number, a name, an operator "
                                        "(+ - * / ^ ** < <= > >= == != and or not ? :) or parentheses", shown));
  }

  std::string_view text_;
  const TextOrigin& origin_;
  std::size_t pos_ = 0;
  std::size_t symbol_begin_ = 0;
  int line_ = 0;
  int column_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view text, const TextOrigin& origin) { return Lexer(text, origin).run(); }

}  // namespace psst::lang
