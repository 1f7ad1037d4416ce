#include "engine/core/read_filter.h"

#include "engine/core/log.h"

namespace cutover {

namespace {

// One condition in SQL; nullopt when a literal cannot be written.
std::optional<std::string> ConditionSql(const Column& column, const FilterColumnSql& col,
                                        const ReadFilter::Condition& c,
                                        const ReadFilterDialect& dialect) {
  switch (c.op) {
    case ReadFilterOp::kNull:
      return col.ident + " IS NULL";
    case ReadFilterOp::kNotNull:
      return col.ident + " IS NOT NULL";
    default:
      break;
  }
  if (col.compared.empty()) return std::nullopt;
  auto a = dialect.Literal(column, c.a);
  if (!a) return std::nullopt;
  const std::string& e = col.compared;
  switch (c.op) {
    case ReadFilterOp::kEq:
      return e + " = " + *a;
    case ReadFilterOp::kNotEq:
      return e + " <> " + *a;
    case ReadFilterOp::kLte:
      return e + " <= " + *a;
    case ReadFilterOp::kGte:
      return e + " >= " + *a;
    default:
      break;
  }
  auto b = dialect.Literal(column, c.b);
  if (!b) return std::nullopt;
  if (c.op == ReadFilterOp::kBetween)
    return "(" + e + " >= " + *a + " AND " + e + " <= " + *b + ")";
  return "(" + e + " < " + *a + " OR " + e + " > " + *b + ")";
}

}  // namespace

std::string ReadCondition(const TableSchema& table, const KeyRange* range, const ReadFilter* filter,
                          const ReadFilterDialect& dialect) {
  std::vector<std::string> parts;
  if (range) {
    std::string col = dialect.QuoteIdent(table.columns.at(range->column).name);
    if (range->lo) parts.push_back(col + " >= " + std::to_string(*range->lo));
    if (range->hi) parts.push_back(col + " < " + std::to_string(*range->hi));
  }
  if (!filter) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : " AND ") + p;
    return out;
  }
  std::string pushed;
  std::vector<std::string> kept = filter->kept;
  for (const ReadFilter::Term& t : filter->all_of) {
    const Column& column = table.columns.at(t.column);
    FilterColumnSql col = dialect.ColumnSql(column);
    std::string term;
    bool ok = !t.any_of.empty();
    for (const auto& c : t.any_of) {
      auto sql = ConditionSql(column, col, c, dialect);
      if (!sql) {
        ok = false;
        break;
      }
      term += (term.empty() ? "" : " OR ") + *sql;
    }
    if (!ok) {
      kept.push_back(column.name + ": the source compares its values differently");
      continue;
    }
    if (!col.unsure.empty()) term += " OR " + col.unsure;
    parts.push_back("(" + term + ")");
    pushed += (pushed.empty() ? "" : " AND ") + parts.back();
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " AND ") + p;
  std::string what =
      "table " + table.name.ToString() + (range ? " range " + range->ToString() : "");
  std::string judged;
  for (const auto& k : kept) judged += (judged.empty() ? "" : "; ") + k;
  Log(range ? LogLevel::kDebug : LogLevel::kInfo,
      "{}: source filter pushed into the full-load query: {}{}", what,
      pushed.empty() ? "none" : "WHERE " + pushed,
      judged.empty() ? "" : " (judged by cutover only: " + judged + ")");
  return out;
}

}  // namespace cutover
