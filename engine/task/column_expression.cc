#include "engine/task/column_expression.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "engine/core/civil_time.h"

namespace cutover::task {

namespace {

enum class Header {
  kCommitTimestamp,
  kTimestamp,
  kOperation,
  kStreamPosition,
  kTransactionId,
  kSourceSchema,
  kSourceTable
};

enum class Func {
  kUpper,
  kLower,
  kTrim,
  kLTrim,
  kRTrim,
  kSubstr,
  kLength,
  kReplace,
  kCoalesce,
  kIfNull,
  kDatetimeNow,
  kDateNow
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsIdent(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// A number when the whole text reads as one (SQLite's numeric comparison of numeric text).
std::optional<double> Number(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

// UTF-8 characters: the byte offset of character `n` (clamped to the end).
size_t CharOffset(const std::string& s, int64_t n) {
  size_t i = 0;
  while (n > 0 && i < s.size()) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --n;
  }
  return i;
}

int64_t CharCount(const std::string& s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

struct ColumnExpression::Node {
  enum class Kind {
    kLiteral,
    kNull,
    kColumn,
    kHeader,
    kOperation,
    kConcat,
    kCompare,
    kCase,
    kFunc
  };
  Kind kind = Kind::kLiteral;
  std::string text;   // kLiteral; kCompare: the operator
  size_t column = 0;  // kColumn
  Header header = Header::kOperation;
  std::string marks[3];  // kOperation: delete, update, insert
  Func func = Func::kUpper;
  std::vector<std::shared_ptr<const Node>> args;  // operands; kCase: [base] when, then, ..., else
  bool case_base = false, case_else = false;
};

namespace {

using NodePtr = std::shared_ptr<const ColumnExpression::Node>;
using Node = ColumnExpression::Node;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<NodePtr> Whole() {
    ASSIGN_OR_RETURN(NodePtr n, Comparison());
    Skip();
    if (i_ < s_.size()) return Error("unexpected text");
    return n;
  }

  std::vector<std::string> columns;
  bool uses_operation = false;

 private:
  Status Error(const std::string& what) const {
    return InvalidArgument(
        "cannot evaluate expression \"" + std::string(s_) + "\": " + what + " at \"" +
        std::string(s_.substr(i_, 20)) +
        "\" (cutover evaluates quoted strings, numbers, NULL, $column, the $AR_H_ / $AR_M_ header "
        "variables of docs/dms.md, operation_indicator, ||, comparisons, CASE, and the functions "
        "upper, lower, trim, ltrim, rtrim, substr, length, replace, coalesce, ifnull, "
        "datetime('now'), date('now'))");
  }

  void Skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }

  bool Eat(std::string_view tok) {
    Skip();
    if (s_.substr(i_, tok.size()) != tok) return false;
    i_ += tok.size();
    return true;
  }

  // A keyword (case-insensitive, whole word).
  bool Keyword(std::string_view kw) {
    Skip();
    if (i_ + kw.size() > s_.size() || Lower(s_.substr(i_, kw.size())) != kw) return false;
    if (i_ + kw.size() < s_.size() && IsIdent(s_[i_ + kw.size()])) return false;
    i_ += kw.size();
    return true;
  }

  Result<std::string> Quoted() {
    std::string out;
    for (++i_; i_ < s_.size(); ++i_) {
      if (s_[i_] == '\'') {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == '\'') {
          out += '\'';
          ++i_;
          continue;
        }
        ++i_;
        return out;
      }
      out += s_[i_];
    }
    return Error("unterminated string");
  }

  Result<NodePtr> Comparison() {
    ASSIGN_OR_RETURN(NodePtr left, Concat());
    for (const char* op : {"==", "<>", "!=", "<=", ">=", "=", "<", ">"}) {
      if (!Eat(op)) continue;
      ASSIGN_OR_RETURN(NodePtr right, Concat());
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::kCompare;
      n->text = op;
      n->args = {left, right};
      return NodePtr(n);
    }
    return left;
  }

  Result<NodePtr> Concat() {
    ASSIGN_OR_RETURN(NodePtr left, Primary());
    while (Eat("||")) {
      ASSIGN_OR_RETURN(NodePtr right, Primary());
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::kConcat;
      n->args = {left, right};
      left = n;
    }
    return left;
  }

  Result<NodePtr> Primary() {
    Skip();
    if (i_ >= s_.size()) return Error("a value is missing");
    auto n = std::make_shared<Node>();
    char c = s_[i_];
    if (c == '\'') {
      ASSIGN_OR_RETURN(n->text, Quoted());
      return NodePtr(n);
    }
    if (c == '(') {
      ++i_;
      ASSIGN_OR_RETURN(NodePtr inner, Comparison());
      if (!Eat(")")) return Error("')' expected");
      return inner;
    }
    if (c == '$') {
      size_t at = i_;
      size_t j = ++i_;
      while (i_ < s_.size() && IsIdent(s_[i_])) ++i_;
      std::string name(s_.substr(j, i_ - j));
      if (name.empty()) return Error("a column name is missing after $");
      static const std::pair<const char*, Header> kHeaders[] = {
          {"AR_H_COMMIT_TIMESTAMP", Header::kCommitTimestamp},
          {"AR_H_TIMESTAMP", Header::kTimestamp},
          {"AR_H_OPERATION", Header::kOperation},
          {"AR_H_STREAM_POSITION", Header::kStreamPosition},
          {"AR_H_TRANSACTION_ID", Header::kTransactionId},
          {"AR_M_SOURCE_SCHEMA", Header::kSourceSchema},
          {"AR_M_SOURCE_TABLE_NAME", Header::kSourceTable}};
      for (const auto& [h, kind] : kHeaders) {
        if (name != h) continue;
        n->kind = Node::Kind::kHeader;
        n->header = kind;
        return NodePtr(n);
      }
      if (name.rfind("AR_H_", 0) == 0 || name.rfind("AR_M_", 0) == 0) {
        i_ = at;
        return Error("header variable $" + name + " is not supported");
      }
      n->kind = Node::Kind::kColumn;
      auto it = std::find(columns.begin(), columns.end(), name);
      n->column = static_cast<size_t>(it - columns.begin());
      if (it == columns.end()) columns.push_back(name);
      return NodePtr(n);
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') {
      size_t j = i_++;
      while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.'))
        ++i_;
      n->text = std::string(s_.substr(j, i_ - j));
      return NodePtr(n);
    }
    if (Keyword("null")) {
      n->kind = Node::Kind::kNull;
      return NodePtr(n);
    }
    if (Keyword("case")) return Case();
    size_t at = i_;
    size_t j = i_;
    while (i_ < s_.size() && IsIdent(s_[i_])) ++i_;
    std::string name = Lower(s_.substr(j, i_ - j));
    if (name.empty() || !Eat("(")) {
      i_ = at;
      return Error("not a value");
    }
    std::vector<NodePtr> args;
    Skip();
    if (!Eat(")")) {
      for (;;) {
        if (name == "operation_indicator") {
          Skip();
          if (i_ >= s_.size() || s_[i_] != '\'')
            return Error("operation_indicator takes three quoted marks");
          ASSIGN_OR_RETURN(std::string mark, Quoted());
          auto m = std::make_shared<Node>();
          m->text = mark;
          args.push_back(m);
        } else {
          ASSIGN_OR_RETURN(NodePtr a, Comparison());
          args.push_back(a);
        }
        if (Eat(")")) break;
        if (!Eat(",")) return Error("',' or ')' expected");
      }
    }
    auto arity = [&](size_t lo, size_t hi) -> Status {
      if (args.size() < lo || args.size() > hi) {
        i_ = at;
        return Error(name + "() takes " +
                     (lo == hi
                          ? std::to_string(lo)
                          : std::to_string(lo) + " to " + (hi > 99 ? "any" : std::to_string(hi))) +
                     " argument(s)");
      }
      return Status::Ok();
    };
    n->kind = Node::Kind::kFunc;
    n->args = args;
    if (name == "operation_indicator") {
      RETURN_IF_ERROR(arity(3, 3));
      n->kind = Node::Kind::kOperation;
      for (int k = 0; k < 3; ++k) n->marks[k] = args[static_cast<size_t>(k)]->text;
      n->args.clear();
      uses_operation = true;
    } else if (name == "upper" || name == "lower" || name == "length") {
      RETURN_IF_ERROR(arity(1, 1));
      n->func = name == "upper" ? Func::kUpper : name == "lower" ? Func::kLower : Func::kLength;
    } else if (name == "trim" || name == "ltrim" || name == "rtrim") {
      RETURN_IF_ERROR(arity(1, 2));
      n->func = name == "trim" ? Func::kTrim : name == "ltrim" ? Func::kLTrim : Func::kRTrim;
    } else if (name == "substr" || name == "substring") {
      RETURN_IF_ERROR(arity(2, 3));
      n->func = Func::kSubstr;
    } else if (name == "replace") {
      RETURN_IF_ERROR(arity(3, 3));
      n->func = Func::kReplace;
    } else if (name == "coalesce") {
      RETURN_IF_ERROR(arity(2, 1000));
      n->func = Func::kCoalesce;
    } else if (name == "ifnull") {
      RETURN_IF_ERROR(arity(2, 2));
      n->func = Func::kIfNull;
    } else if (name == "datetime" || name == "date") {
      RETURN_IF_ERROR(arity(1, 1));
      if (args[0]->kind != Node::Kind::kLiteral || Lower(args[0]->text) != "now") {
        i_ = at;
        return Error(name + "() is evaluated for 'now' only");
      }
      n->func = name == "datetime" ? Func::kDatetimeNow : Func::kDateNow;
      n->args.clear();
    } else {
      i_ = at;
      return Error("function " + name + "() is not supported");
    }
    return NodePtr(n);
  }

  Result<NodePtr> Case() {
    auto n = std::make_shared<Node>();
    n->kind = Node::Kind::kCase;
    Skip();
    if (!Keyword("when")) {
      ASSIGN_OR_RETURN(NodePtr base, Comparison());
      n->args.push_back(base);
      n->case_base = true;
      if (!Keyword("when")) return Error("WHEN expected");
    }
    do {
      ASSIGN_OR_RETURN(NodePtr cond, Comparison());
      if (!Keyword("then")) return Error("THEN expected");
      ASSIGN_OR_RETURN(NodePtr value, Comparison());
      n->args.push_back(cond);
      n->args.push_back(value);
    } while (Keyword("when"));
    if (Keyword("else")) {
      ASSIGN_OR_RETURN(NodePtr value, Comparison());
      n->args.push_back(value);
      n->case_else = true;
    }
    if (!Keyword("end")) return Error("END expected");
    return NodePtr(n);
  }

  std::string_view s_;
  size_t i_ = 0;
};

using Text = std::optional<std::string>;

// SQLite's truth of a value: a number other than 0 (text reading as one); NULL is not true.
bool Truth(const Text& v) {
  if (!v) return false;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  return end != v->c_str() && d != 0;
}

int Compare(const std::string& a, const std::string& b) {
  auto x = Number(a), y = Number(b);
  if (x && y) return *x < *y ? -1 : *x > *y ? 1 : 0;
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::string Trim(const std::string& s, const std::string& chars, bool left, bool right) {
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && chars.find(s[b]) != std::string::npos) ++b;
  if (right)
    while (e > b && chars.find(s[e - 1]) != std::string::npos) --e;
  return s.substr(b, e - b);
}

// SQLite substr(x, y, z) on characters.
std::string Substr(const std::string& s, int64_t start, std::optional<int64_t> len) {
  int64_t n = CharCount(s);
  int64_t from = start > 0 ? start - 1 : start < 0 ? n + start : 0;
  int64_t count = len ? *len : n;
  if (start == 0 && len) count -= 1;  // position 0 is before the first character
  if (count < 0) {
    from += count;
    count = -count;
  }
  if (from < 0) {
    count += from;
    from = 0;
  }
  if (count <= 0 || from >= n) return "";
  size_t b = CharOffset(s, from), e = CharOffset(s, from + count);
  return s.substr(b, e - b);
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Evaluator {
  const std::function<Text(size_t)>& column;
  const ExpressionContext& ctx;

  Text Eval(const Node& n) const {
    switch (n.kind) {
      case Node::Kind::kLiteral:
        return n.text;
      case Node::Kind::kNull:
        return std::nullopt;
      case Node::Kind::kColumn:
        return column(n.column);
      case Node::Kind::kOperation:
        return n.marks[ctx.op == 'D' ? 0 : ctx.op == 'U' ? 1 : 2];
      case Node::Kind::kHeader:
        return HeaderValue(n.header);
      case Node::Kind::kConcat: {
        Text a = Eval(*n.args[0]);
        if (!a) return std::nullopt;
        Text b = Eval(*n.args[1]);
        if (!b) return std::nullopt;
        return *a + *b;
      }
      case Node::Kind::kCompare: {
        Text a = Eval(*n.args[0]), b = Eval(*n.args[1]);
        if (!a || !b) return std::nullopt;
        int c = Compare(*a, *b);
        const std::string& op = n.text;
        bool r = op == "=" || op == "=="    ? c == 0
                 : op == "<>" || op == "!=" ? c != 0
                 : op == "<"                ? c < 0
                 : op == "<="               ? c <= 0
                 : op == ">"                ? c > 0
                                            : c >= 0;
        return std::string(r ? "1" : "0");
      }
      case Node::Kind::kCase: {
        size_t i = 0;
        Text base;
        if (n.case_base) base = Eval(*n.args[i++]);
        size_t pairs_end = n.args.size() - (n.case_else ? 1 : 0);
        for (; i + 2 <= pairs_end; i += 2) {
          Text w = Eval(*n.args[i]);
          bool hit = n.case_base ? (base && w && Compare(*base, *w) == 0) : Truth(w);
          if (hit) return Eval(*n.args[i + 1]);
        }
        if (n.case_else) return Eval(*n.args.back());
        return std::nullopt;
      }
      case Node::Kind::kFunc:
        return Function(n);
    }
    return std::nullopt;
  }

  Text Function(const Node& n) const {
    auto arg = [&](size_t i) { return Eval(*n.args[i]); };
    switch (n.func) {
      case Func::kUpper:
      case Func::kLower: {
        Text v = arg(0);
        if (!v) return v;
        for (char& c : *v) {
          if (c >= 'a' && c <= 'z' && n.func == Func::kUpper) c = static_cast<char>(c - 32);
          if (c >= 'A' && c <= 'Z' && n.func == Func::kLower) c = static_cast<char>(c + 32);
        }
        return v;
      }
      case Func::kLength: {
        Text v = arg(0);
        if (!v) return v;
        return std::to_string(CharCount(*v));
      }
      case Func::kTrim:
      case Func::kLTrim:
      case Func::kRTrim: {
        Text v = arg(0);
        Text chars = n.args.size() > 1 ? arg(1) : Text(" ");
        if (!v || !chars) return std::nullopt;
        return Trim(*v, *chars, n.func != Func::kRTrim, n.func != Func::kLTrim);
      }
      case Func::kSubstr: {
        Text v = arg(0), start = arg(1);
        Text len = n.args.size() > 2 ? arg(2) : Text();
        if (!v || !start || (n.args.size() > 2 && !len)) return std::nullopt;
        auto num = [](const std::string& s) {
          return static_cast<int64_t>(std::strtoll(s.c_str(), nullptr, 10));
        };
        return Substr(*v, num(*start), len ? std::optional<int64_t>(num(*len)) : std::nullopt);
      }
      case Func::kReplace: {
        Text v = arg(0), from = arg(1), to = arg(2);
        if (!v || !from || !to) return std::nullopt;
        if (from->empty()) return v;
        std::string out;
        size_t pos = 0;
        for (size_t hit; (hit = v->find(*from, pos)) != std::string::npos; pos = hit + from->size())
          out += v->substr(pos, hit - pos) + *to;
        return out + v->substr(pos);
      }
      case Func::kCoalesce:
      case Func::kIfNull:
        for (size_t i = 0; i < n.args.size(); ++i)
          if (Text v = arg(i)) return v;
        return std::nullopt;
      case Func::kDatetimeNow:
        return FormatUtcMicros(NowMicros()).substr(0, 19);
      case Func::kDateNow:
        return FormatUtcMicros(NowMicros()).substr(0, 10);
    }
    return std::nullopt;
  }

  Text HeaderValue(Header h) const {
    switch (h) {
      case Header::kCommitTimestamp:
      case Header::kTimestamp: {
        int64_t t = ctx.full_load ? ctx.now_us : ctx.commit_time_us;
        if (t == 0) return std::nullopt;
        return FormatUtcMicros(t);
      }
      case Header::kOperation:
        return std::string(ctx.full_load || ctx.source_op == 'I' ? "INSERT"
                           : ctx.source_op == 'U'                ? "UPDATE"
                                                                 : "DELETE");
      case Header::kStreamPosition:
        return std::string(ctx.full_load ? "" : ctx.stream_position);
      case Header::kTransactionId:
        return std::string(ctx.full_load ? "" : ctx.transaction_id);
      case Header::kSourceSchema:
        return std::string(ctx.schema);
      case Header::kSourceTable:
        return std::string(ctx.table);
    }
    return std::nullopt;
  }
};

}  // namespace

Result<ColumnExpression> ColumnExpression::Parse(std::string_view text) {
  Parser p(text);
  ColumnExpression e;
  ASSIGN_OR_RETURN(e.root_, p.Whole());
  e.columns_ = std::move(p.columns);
  e.uses_operation_ = p.uses_operation;
  return e;
}

std::optional<std::string> ColumnExpression::Evaluate(
    const std::function<std::optional<std::string>(size_t)>& column,
    const ExpressionContext& ctx) const {
  if (!root_) return std::nullopt;
  return Evaluator{column, ctx}.Eval(*root_);
}

std::string FormatUtcMicros(int64_t micros) {
  int64_t days =
      micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  int64_t s = rest / kMicrosPerSecond;
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}.{:06d}", y, m, d, s / 3600,
                     (s / 60) % 60, s % 60, rest % kMicrosPerSecond);
}

}  // namespace cutover::task
