#include "engine/core/generated_columns.h"

#include <strings.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <vector>

#include "engine/core/log.h"

namespace cutover {
namespace {

// What an expression yields, as far as the translation needs to know.
enum class Kind { kInteger, kDecimal, kFloat, kText, kNull, kOther };

bool Numeric(Kind k) {
  return k == Kind::kInteger || k == Kind::kDecimal || k == Kind::kFloat;
}

Kind KindOfColumn(const Column& c) {
  switch (c.kind) {
    case ValueKind::kInt64:
    case ValueKind::kUInt64:  // MariaDB unsigned columns, in conditions (TranslateCondition)
      return Kind::kInteger;
    case ValueKind::kDecimal:
      return Kind::kDecimal;
    case ValueKind::kFloat64:
      // PostgreSQL real is single precision; MariaDB and SQLite would compute in double.
      return c.type_name == "real" ? Kind::kOther : Kind::kFloat;
    case ValueKind::kText:
      return Kind::kText;
    default:
      return Kind::kOther;
  }
}

struct Token {
  enum Type { kIdent, kQuotedIdent, kNumber, kString, kOp, kEnd } type = kEnd;
  std::string text;
};

// Tokens of PostgreSQL expression text as pg_get_expr prints it. `conditions`: comparison
// operators and ARRAY brackets are tokens too (TranslateCondition); a generated column's
// expression refuses them.
// `mariadb`: MariaDB's text (CHECK_CLAUSE): names quoted with backticks, backslash escapes in
// string literals.
Result<std::vector<Token>> Tokenize(const std::string& s, bool conditions = false,
                                    bool mariadb = false) {
  std::vector<Token> out;
  size_t i = 0;
  const char ident_quote = mariadb ? '`' : '"';
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == ident_quote) {
      std::string id;
      for (++i;; ++i) {
        if (i >= s.size()) return InvalidArgument("unterminated quoted name");
        if (s[i] == ident_quote) {
          if (i + 1 < s.size() && s[i + 1] == ident_quote) {
            id += ident_quote;
            ++i;
            continue;
          }
          ++i;
          break;
        }
        id += s[i];
      }
      out.push_back({Token::kQuotedIdent, id});
    } else if (c == '\'') {
      std::string lit;
      for (++i;; ++i) {
        if (i >= s.size()) return InvalidArgument("unterminated string literal");
        if (mariadb && s[i] == '\\' && i + 1 < s.size()) {
          lit += s[++i];
          continue;
        }
        if (s[i] == '\'') {
          if (i + 1 < s.size() && s[i + 1] == '\'') {
            lit += '\'';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        lit += s[i];
      }
      out.push_back({Token::kString, lit});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t b = i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E'))
        return InvalidArgument("the number with an exponent in '" + s.substr(b) + "'");
      out.push_back({Token::kNumber, s.substr(b, i - b)});
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t b = i;
      while (i < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '$'))
        ++i;
      std::string word = s.substr(b, i - b);
      if (i < s.size() && s[i] == '\'')
        return InvalidArgument("the prefixed string literal " + word + "'...'");
      for (char& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back({Token::kIdent, word});
    } else if (s.compare(i, 2, "||") == 0 || s.compare(i, 2, "::") == 0) {
      out.push_back({Token::kOp, s.substr(i, 2)});
      i += 2;
    } else if (std::string_view("+-*/%(),").find(c) != std::string_view::npos) {
      out.push_back({Token::kOp, std::string(1, c)});
      ++i;
    } else if (conditions && (s.compare(i, 2, "<>") == 0 || s.compare(i, 2, "!=") == 0 ||
                              s.compare(i, 2, "<=") == 0 || s.compare(i, 2, ">=") == 0)) {
      out.push_back({Token::kOp, s[i] == '!' ? "<>" : s.substr(i, 2)});
      i += 2;
    } else if (conditions && std::string_view("=<>[]").find(c) != std::string_view::npos) {
      out.push_back({Token::kOp, std::string(1, c)});
      ++i;
    } else {
      // Comparison, bit and other operators, array brackets: outside the translated subset.
      size_t b = i;
      while (i < s.size() &&
             std::string_view("<>=!~@#&|^?[].").find(s[i]) != std::string_view::npos)
        ++i;
      if (i == b) ++i;
      return InvalidArgument("the operator " + s.substr(b, i - b));
    }
  }
  out.push_back({Token::kEnd, ""});
  return out;
}

// An expression, already rendered for the target, with what it yields.
struct Expr {
  std::string text;
  Kind kind = Kind::kOther;
  std::string literal;  // a quoted literal still waiting for its type (`'1'::integer`)
};

class Translator {
 public:
  Translator(const TableSchema& table, std::string target, std::vector<Token> tokens)
      : table_(table), target_(std::move(target)), toks_(std::move(tokens)) {}

  Result<Expr> Run() {
    ASSIGN_OR_RETURN(Expr e, Concat());
    if (Peek().type != Token::kEnd) return InvalidArgument("unexpected '" + Peek().text + "'");
    return e;
  }

  bool used_decimal() const { return used_decimal_; }

  // A whole condition (TranslateCondition). `value_column`: the column VALUE stands for.
  Result<std::string> RunCondition(const std::string& value_column) {
    value_column_ = value_column;
    ASSIGN_OR_RETURN(std::string c, Or());
    if (Peek().type != Token::kEnd) return InvalidArgument("unexpected '" + Peek().text + "'");
    return c;
  }

 private:
  bool maria() const { return target_ == "mariadb"; }
  const Token& Peek() const { return toks_[pos_]; }
  bool IsOp(const char* op) const { return Peek().type == Token::kOp && Peek().text == op; }
  Status Expect(const char* op) {
    if (!IsOp(op)) return InvalidArgument(std::string("expected '") + op + "'");
    ++pos_;
    return Status::Ok();
  }

  std::string QuoteIdent(const std::string& name) const {
    char q = maria() ? '`' : '"';
    std::string out(1, q);
    for (char c : name) {
      out += c;
      if (c == q) out += c;
    }
    return out + q;
  }

  std::string QuoteString(const std::string& s) const {
    std::string out = "'";
    for (char c : s) {
      if (c == '\'') out += '\'';
      if (c == '\\' && maria()) out += '\\';  // MariaDB reads backslash escapes in literals
      out += c;
    }
    return out + "'";
  }

  bool IsWord(const char* w) const { return Peek().type == Token::kIdent && Peek().text == w; }

  Result<std::string> Or() {
    ASSIGN_OR_RETURN(std::string left, And());
    while (IsWord("or")) {
      ++pos_;
      ASSIGN_OR_RETURN(std::string right, And());
      left = "(" + left + " OR " + right + ")";
    }
    return left;
  }

  Result<std::string> And() {
    ASSIGN_OR_RETURN(std::string left, Not());
    while (IsWord("and")) {
      ++pos_;
      ASSIGN_OR_RETURN(std::string right, Not());
      left = "(" + left + " AND " + right + ")";
    }
    return left;
  }

  Result<std::string> Not() {
    if (IsWord("not")) {
      ++pos_;
      ASSIGN_OR_RETURN(std::string c, Not());
      return "(NOT " + c + ")";
    }
    return Predicate();
  }

  static bool Comparable(const Expr& a, const Expr& b) {
    if (a.kind == Kind::kNull || b.kind == Kind::kNull) return true;
    if (Numeric(a.kind) && Numeric(b.kind)) return true;
    return a.kind == Kind::kText && b.kind == Kind::kText;
  }

  // One operand of a comparison: a value expression (a quoted literal untyped is text).
  Result<Expr> Operand() {
    ASSIGN_OR_RETURN(Expr e, Concat());
    if (e.kind == Kind::kOther && !e.literal.empty()) e.kind = Kind::kText;
    if (e.kind == Kind::kOther) return InvalidArgument("the comparison of " + e.text);
    return e;
  }

  Result<std::string> Predicate() {
    // A parenthesised condition, or a parenthesised value expression starting a comparison.
    if (IsOp("(")) {
      size_t save = pos_;
      ++pos_;
      auto inner = Or();
      if (inner.ok() && IsOp(")")) {
        ++pos_;
        if (!(Peek().type == Token::kOp && Peek().text != ")" && Peek().text != ",") &&
            !IsWord("is") && !IsWord("in") && !IsWord("between") && !IsWord("not"))
          return inner->front() == '(' ? *inner : "(" + *inner + ")";  // each is parenthesised
      }
      pos_ = save;
    }
    // A boolean column on its own (`WHERE active`).
    if ((Peek().type == Token::kIdent || Peek().type == Token::kQuotedIdent)) {
      const Token& next = toks_[pos_ + 1];
      bool alone = next.type == Token::kEnd || (next.type == Token::kOp && next.text == ")") ||
                   (next.type == Token::kIdent && (next.text == "and" || next.text == "or"));
      for (const Column& c : table_.columns) {
        if (alone && c.name == Peek().text && c.kind == ValueKind::kBool) {
          ++pos_;
          return QuoteIdent(c.name);
        }
      }
    }
    ASSIGN_OR_RETURN(Expr left, Operand());
    if (IsWord("is")) {
      ++pos_;
      bool negated = IsWord("not");
      if (negated) ++pos_;
      if (!IsWord("null")) return InvalidArgument("IS without NULL");
      ++pos_;
      return "(" + left.text + (negated ? " IS NOT NULL)" : " IS NULL)");
    }
    bool negated = IsWord("not");
    if (negated) ++pos_;
    if (IsWord("in")) {
      ++pos_;
      RETURN_IF_ERROR(Expect("("));
      ASSIGN_OR_RETURN(std::string list, List(left, ")"));
      return "(" + left.text + (negated ? " NOT IN (" : " IN (") + list + "))";
    }
    if (IsWord("between")) {
      ++pos_;
      ASSIGN_OR_RETURN(Expr lo, Operand());
      if (!IsWord("and")) return InvalidArgument("BETWEEN without AND");
      ++pos_;
      ASSIGN_OR_RETURN(Expr hi, Operand());
      if (!Comparable(left, lo) || !Comparable(left, hi))
        return InvalidArgument("BETWEEN of values of different types");
      return "(" + left.text + (negated ? " NOT BETWEEN " : " BETWEEN ") + lo.text + " AND " +
             hi.text + ")";
    }
    if (negated) return InvalidArgument("NOT after a value");
    static const char* kCmp[] = {"=", "<>", "<", "<=", ">", ">="};
    for (const char* op : kCmp) {
      if (!IsOp(op)) continue;
      ++pos_;
      // PostgreSQL prints IN lists as `x = ANY (ARRAY[...])`.
      if (std::string(op) == "=" && IsWord("any")) {
        ++pos_;
        RETURN_IF_ERROR(Expect("("));
        int depth = 0;  // ANY ((ARRAY[...])::text[])
        for (; IsOp("("); ++pos_) ++depth;
        if (!IsWord("array")) return InvalidArgument("ANY of anything but an ARRAY[...] list");
        ++pos_;
        RETURN_IF_ERROR(Expect("["));
        ASSIGN_OR_RETURN(std::string list, List(left, "]"));
        for (;;) {
          if (IsOp("::")) {  // ARRAY[...]::text[]: the elements' casts decide
            ++pos_;
            while (Peek().type == Token::kIdent) ++pos_;
            if (IsOp("[")) {
              ++pos_;
              RETURN_IF_ERROR(Expect("]"));
            }
          } else if (depth > 0 && IsOp(")")) {
            ++pos_;
            --depth;
          } else {
            break;
          }
        }
        RETURN_IF_ERROR(Expect(")"));
        return "(" + left.text + " IN (" + list + "))";
      }
      ASSIGN_OR_RETURN(Expr right, Operand());
      if (!Comparable(left, right))
        return InvalidArgument("the comparison of values of different types (" + left.text + ", " +
                               right.text + ")");
      return "(" + left.text + " " + op + " " + right.text + ")";
    }
    return InvalidArgument("a value where a condition was expected (" + left.text + ")");
  }

  // "a, b, c" up to `close` (consumed), each comparable with `left`.
  Result<std::string> List(const Expr& left, const char* close) {
    std::string list;
    for (;;) {
      ASSIGN_OR_RETURN(Expr item, Operand());
      if (!Comparable(left, item))
        return InvalidArgument("a list of values of another type than " + left.text);
      list += (list.empty() ? "" : ", ") + item.text;
      if (!IsOp(",")) break;
      ++pos_;
    }
    RETURN_IF_ERROR(Expect(close));
    return list;
  }

  Result<Expr> Concat() {
    ASSIGN_OR_RETURN(Expr left, Additive());
    while (IsOp("||")) {
      ++pos_;
      ASSIGN_OR_RETURN(Expr right, Additive());
      for (const Expr* e : {&left, &right}) {
        if (e->kind != Kind::kText)
          return InvalidArgument("|| on a value that is not text (" + e->text + ")");
      }
      left.text = maria() ? "CONCAT(" + left.text + ", " + right.text + ")"
                          : "(" + left.text + " || " + right.text + ")";
    }
    return left;
  }

  static Kind Arithmetic(Kind a, Kind b) {
    if (a == Kind::kFloat || b == Kind::kFloat) return Kind::kFloat;
    if (a == Kind::kDecimal || b == Kind::kDecimal) return Kind::kDecimal;
    return Kind::kInteger;
  }

  Result<Expr> Binary(Expr left, const std::string& op, Expr right) {
    if (op == "/")
      return InvalidArgument(
          "division (integer division and decimal scale differ between "
          "engines)");
    if (op == "%") return InvalidArgument("the modulo operator");
    for (const Expr* e : {&left, &right}) {
      if (!Numeric(e->kind))
        return InvalidArgument("arithmetic on a value that is not a number (" + e->text + ")");
    }
    Expr out{"(" + left.text + " " + op + " " + right.text + ")",
             Arithmetic(left.kind, right.kind)};
    if (out.kind == Kind::kDecimal) used_decimal_ = true;
    return out;
  }

  Result<Expr> Additive() {
    ASSIGN_OR_RETURN(Expr left, Multiplicative());
    while (IsOp("+") || IsOp("-")) {
      std::string op = toks_[pos_++].text;
      ASSIGN_OR_RETURN(Expr right, Multiplicative());
      ASSIGN_OR_RETURN(left, Binary(std::move(left), op, std::move(right)));
    }
    return left;
  }

  Result<Expr> Multiplicative() {
    ASSIGN_OR_RETURN(Expr left, Unary());
    while (IsOp("*") || IsOp("/") || IsOp("%")) {
      std::string op = toks_[pos_++].text;
      ASSIGN_OR_RETURN(Expr right, Unary());
      ASSIGN_OR_RETURN(left, Binary(std::move(left), op, std::move(right)));
    }
    return left;
  }

  Result<Expr> Unary() {
    if (IsOp("-")) {
      ++pos_;
      ASSIGN_OR_RETURN(Expr e, Unary());
      if (!Numeric(e.kind)) return InvalidArgument("minus on a value that is not a number");
      return Expr{"(- " + e.text + ")", e.kind};
    }
    return Postfix();
  }

  // `expr::type`: kept only when the cast cannot change the value, and then left out.
  Result<Expr> Postfix() {
    ASSIGN_OR_RETURN(Expr e, Primary());
    while (IsOp("::")) {
      ++pos_;
      std::string type;
      while (Peek().type == Token::kIdent) type += (type.empty() ? "" : " ") + toks_[pos_++].text;
      if (type.empty()) return InvalidArgument("a cast to a quoted or unknown type");
      if (IsOp("(")) return InvalidArgument("the cast to " + type + "(...) (it rounds or cuts)");
      ASSIGN_OR_RETURN(e, Cast(std::move(e), type));
    }
    return e;
  }

  Result<Expr> Cast(Expr e, const std::string& type) {
    bool to_int = type == "integer" || type == "bigint" || type == "smallint";
    bool to_dec = type == "numeric";
    bool to_float = type == "double precision";
    bool to_text = type == "text" || type == "character varying";
    if (e.kind == Kind::kNull) return e;
    if (e.kind == Kind::kOther && !e.literal.empty()) {  // a quoted literal, typed by the cast
      if (to_text) return Expr{QuoteString(e.literal), Kind::kText};
      if (to_int || to_dec) {
        std::string digits = e.literal;
        size_t b = digits.size() > 1 && digits[0] == '-' ? 1 : 0;
        bool plain = b < digits.size();
        int dots = 0;
        for (size_t i = b; i < digits.size(); ++i) {
          if (digits[i] == '.')
            ++dots;
          else if (!std::isdigit(static_cast<unsigned char>(digits[i])))
            plain = false;
        }
        if (plain && dots <= (to_dec ? 1 : 0)) {
          return Expr{b ? "(" + digits + ")" : digits, to_dec ? Kind::kDecimal : Kind::kInteger};
        }
      }
      return InvalidArgument("the literal '" + e.literal + "'::" + type);
    }
    if (to_int && e.kind == Kind::kInteger) return e;
    if (to_dec && (e.kind == Kind::kInteger || e.kind == Kind::kDecimal)) {
      e.kind = Kind::kDecimal;
      return e;
    }
    if (to_float && e.kind == Kind::kFloat) return e;
    if (to_text && e.kind == Kind::kText) return e;
    return InvalidArgument("the cast of " + e.text + " to " + type + " (it may change the value)");
  }

  Result<Expr> Primary() {
    Token t = toks_[pos_];
    if (t.type == Token::kNumber) {
      ++pos_;
      bool dec = t.text.find('.') != std::string::npos;
      return Expr{t.text, dec ? Kind::kDecimal : Kind::kInteger};
    }
    if (t.type == Token::kString) {
      ++pos_;
      Expr e{QuoteString(t.text), Kind::kOther};
      e.literal = t.text;
      if (!IsOp("::")) e.kind = Kind::kText;  // an untyped literal is text
      return e;
    }
    if (IsOp("(")) {
      ++pos_;
      ASSIGN_OR_RETURN(Expr e, Concat());
      RETURN_IF_ERROR(Expect(")"));
      return e;
    }
    if (t.type == Token::kIdent && toks_[pos_ + 1].type == Token::kOp &&
        toks_[pos_ + 1].text == "(")
      return Call(t.text);
    if (t.type == Token::kIdent && t.text == "null") {
      ++pos_;
      return Expr{"NULL", Kind::kNull};
    }
    if (t.type == Token::kIdent && t.text == "value" && !value_column_.empty()) {
      ++pos_;
      for (const Column& c : table_.columns) {
        if (c.name == value_column_) return Expr{QuoteIdent(c.name), KindOfColumn(c)};
      }
    }
    if (t.type == Token::kIdent && (t.text == "true" || t.text == "false")) {
      return InvalidArgument("the boolean literal " + t.text);
    }
    if (t.type == Token::kIdent || t.type == Token::kQuotedIdent) {
      ++pos_;
      for (const Column& c : table_.columns) {
        if (c.name == t.text) return Expr{QuoteIdent(c.name), KindOfColumn(c)};
      }
      return InvalidArgument("the name " + t.text + " (not a replicated column of the table)");
    }
    return InvalidArgument(t.type == Token::kEnd ? "an incomplete expression"
                                                 : "unexpected '" + t.text + "'");
  }

  Result<Expr> Call(const std::string& name) {
    pos_ += 2;  // name (
    std::vector<Expr> args;
    if (!IsOp(")")) {
      for (;;) {
        ASSIGN_OR_RETURN(Expr a, Concat());
        args.push_back(std::move(a));
        if (!IsOp(",")) break;
        ++pos_;
      }
    }
    RETURN_IF_ERROR(Expect(")"));
    auto one_text = [&]() -> Status {
      if (args.size() != 1 || args[0].kind != Kind::kText)
        return InvalidArgument(name + "() of anything but one text value");
      return Status::Ok();
    };
    if (name == "coalesce") {
      if (args.empty()) return InvalidArgument("coalesce()");
      Kind kind = Kind::kNull;
      std::string list;
      for (const Expr& a : args) {
        if (a.kind == Kind::kOther) return InvalidArgument("coalesce() of " + a.text);
        if (a.kind != Kind::kNull) {
          if (kind != Kind::kNull && (Numeric(kind) != Numeric(a.kind)))
            return InvalidArgument("coalesce() of values of different types");
          kind = kind == Kind::kNull ? a.kind : (Numeric(kind) ? Arithmetic(kind, a.kind) : kind);
        }
        list += (list.empty() ? "" : ", ") + a.text;
      }
      return Expr{(maria() ? "COALESCE(" : "coalesce(") + list + ")", kind};
    }
    if (name == "length" || name == "char_length") {
      RETURN_IF_ERROR(one_text());
      return Expr{(maria() ? "CHAR_LENGTH(" : "length(") + args[0].text + ")", Kind::kInteger};
    }
    if (name == "lower" || name == "upper") {
      RETURN_IF_ERROR(one_text());
      if (!maria())
        return InvalidArgument(name + "() (SQLite changes the case of ASCII letters only)");
      return Expr{(name == "lower" ? "LOWER(" : "UPPER(") + args[0].text + ")", Kind::kText};
    }
    return InvalidArgument("the function " + name + "()");
  }

  const TableSchema& table_;
  std::string target_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  bool used_decimal_ = false;
  std::string value_column_;
};

// (precision, scale) of "numeric(p,s)"; {-1, -1} without a typmod.
std::pair<int, int> NumericTypmod(const std::string& type_name) {
  size_t open = type_name.find('(');
  if (open == std::string::npos) return {-1, -1};
  int p = std::atoi(type_name.c_str() + open + 1);
  size_t comma = type_name.find(',', open);
  int s = comma == std::string::npos ? 0 : std::atoi(type_name.c_str() + comma + 1);
  return {p, s};
}

}  // namespace

Result<std::string> TranslateGeneratedExpression(const TableSchema& table, const Column& column,
                                                 const std::string& target_engine) {
  if (target_engine == table.engine) return column.generated;
  if (table.engine != "postgresql")
    return FailedPrecondition("only PostgreSQL expressions are translated to other engines");
  if (target_engine != "mariadb" && target_engine != "sqlite")
    return FailedPrecondition("no translation to " + target_engine);
  auto tokens = Tokenize(column.generated);
  if (!tokens.ok())
    return InvalidArgument(target_engine + " cannot compute " + tokens.status().message());
  Translator tr(table, target_engine, std::move(*tokens));
  auto e = tr.Run();
  if (!e.ok()) return InvalidArgument(target_engine + " cannot compute " + e.status().message());
  Kind result = KindOfColumn(column);
  if (result == Kind::kOther)
    return InvalidArgument("the column's type " + column.type_name + " is outside the subset");
  if (Numeric(result) != Numeric(e->kind) && e->kind != Kind::kNull)
    return InvalidArgument("the expression's type does not match the column's " + column.type_name);
  std::string text = e->text;
  if (target_engine == "sqlite" && (tr.used_decimal() || result == Kind::kDecimal)) {
    // SQLite computes in binary floating point. Rounded to the column's scale, a result of at
    // most 15 significant digits is exact (a double holds 15 decimal digits), and PostgreSQL
    // also rounds to the column's scale, half away from zero, as SQLite's round() does.
    auto [precision, scale] = NumericTypmod(column.type_name);
    if (result != Kind::kDecimal || precision < 1 || precision > 15)
      return InvalidArgument(
          "sqlite cannot compute exact decimals: it calculates in binary floating point (only a "
          "numeric(p,s) column with p <= 15 is computed, rounded to its scale)");
    text = "round(" + text + ", " + std::to_string(scale) + ")";
  }
  return text;
}

Result<std::string> TranslateCondition(const TableSchema& table, const std::string& expression,
                                       const std::string& target_engine,
                                       const std::string& value_column) {
  if (target_engine == table.engine && value_column.empty()) return expression;
  if (table.engine != "postgresql" && table.engine != "mariadb" && table.engine != "sqlite")
    return FailedPrecondition("only PostgreSQL, MariaDB and SQLite conditions are translated");
  if (target_engine != "mariadb" && target_engine != "sqlite" && target_engine != "postgresql")
    return FailedPrecondition("no translation to " + target_engine);
  auto tokens = Tokenize(expression, /*conditions=*/true, table.engine == "mariadb");
  if (!tokens.ok())
    return InvalidArgument(target_engine + " cannot check " + tokens.status().message());
  Translator tr(table, target_engine, std::move(*tokens));
  auto c = tr.RunCondition(value_column);
  if (!c.ok()) return InvalidArgument(target_engine + " cannot check " + c.status().message());
  if (target_engine == "sqlite" && tr.used_decimal())
    return InvalidArgument("sqlite cannot check decimal arithmetic exactly");
  return *c;
}

namespace {

std::string Described(const TableSchema& t, const Column& c) {
  return "column " + t.name.ToString() + "." + c.name;
}

const TargetColumn* FindTarget(const std::vector<TargetColumn>& columns, const std::string& name,
                               bool case_insensitive) {
  for (const TargetColumn& c : columns)
    if (c.name == name) return &c;
  if (case_insensitive) {
    for (const TargetColumn& c : columns)
      if (strcasecmp(c.name.c_str(), name.c_str()) == 0) return &c;
  }
  return nullptr;
}

}  // namespace

void CheckGeneratedColumns(const std::vector<TableSchemaPtr>& tables,
                           const std::string& target_engine, bool target_creates_tables,
                           StartReport& problems) {
  if (!target_creates_tables) return;
  for (const TableSchemaPtr& t : tables) {
    for (const Column& c : t->computed) {
      auto e = TranslateGeneratedExpression(*t, c, target_engine);
      if (e.ok()) continue;
      problems.Refuse(Described(*t, c),
                      "is generated on the source as (" + c.generated +
                          ") and change capture does not carry its values, so the target must "
                          "compute it, but " +
                          e.status().message(),
                      "leave the table out with --exclude-tables '" + t->name.ToString() +
                          "', or create the target table yourself with that column generated "
                          "by an equivalent expression and use --table-prep truncate or "
                          "do-nothing");
    }
  }
}

void AnnounceGeneratedColumns(const std::vector<TableSchemaPtr>& tables,
                              const std::string& target_engine, bool target_creates_tables) {
  for (const TableSchemaPtr& t : tables) {
    for (const Column& c : t->computed) {
      if (!target_creates_tables) {
        Log(LogLevel::kInfo,
            "table {}: column {} is generated on the source ({}); the target table's own "
            "generated column computes it",
            t->name.ToString(), c.name, c.generated);
        continue;
      }
      auto e = TranslateGeneratedExpression(*t, c, target_engine);
      Log(LogLevel::kInfo,
          "table {}: column {} is generated on the source ({}); the target "
          "computes it as ({})",
          t->name.ToString(), c.name, c.generated, e.ok() ? *e : "?");
    }
    for (const Column& c : t->columns) {
      if (c.generated.empty()) continue;
      Log(LogLevel::kInfo,
          "table {}: column {} is generated on the source ({}); its source values are carried "
          "into a plain target column",
          t->name.ToString(), c.name, c.generated);
    }
  }
}

void CheckPrecreatedColumns(const TableSchema& source, const TableName& target,
                            const std::vector<TargetColumn>& columns, bool case_insensitive,
                            StartReport& problems) {
  if (columns.empty()) return;  // no such table yet: the load reports it
  const std::string where = "target table " + target.ToString();
  const std::string prep_remedy =
      " on the target, or let cutover create the table (--table-prep drop-and-create), or leave "
      "the table out with --exclude-tables '" +
      source.name.ToString() + "'";
  for (const Column& c : source.computed) {
    const TargetColumn* tc = FindTarget(columns, c.name, case_insensitive);
    if (tc && tc->generated) continue;
    problems.Refuse(Described(source, c),
                    "is generated on the source as (" + c.generated + ") and " + where +
                        (tc ? " has it as a plain column: change capture does not carry "
                              "generated columns' values, so it would never be filled"
                            : " has no such column: its values would be lost"),
                    "make it a generated column with an equivalent expression" + prep_remedy);
  }
  for (const Column& c : source.columns) {
    const TargetColumn* tc = FindTarget(columns, c.name, case_insensitive);
    if (!tc || !tc->generated) continue;
    problems.Refuse(Described(source, c),
                    "is a generated column in " + where +
                        ", which refuses the source's values cutover writes into it",
                    "make it a plain column" + prep_remedy);
  }
}

}  // namespace cutover
