// PgSource's catalog of schema objects (pg_source_internal.h): column defaults and identity,
// enums and domains, secondary indexes, CHECK constraints, foreign keys and triggers of the
// task's tables, and the other objects of their schemas (views, functions, free sequences),
// read from pg_catalog in a few queries (docs/types.md, "Schema objects").
#include <cctype>
#include <map>
#include <memory>

#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_source.h"
#include "engine/pg/pg_source_internal.h"
#include "engine/pg/pg_types.h"

namespace cutover::pg {

namespace {

ReferentialAction PgAction(std::string_view code) {
  if (code == "r") return ReferentialAction::kRestrict;
  if (code == "c") return ReferentialAction::kCascade;
  if (code == "n") return ReferentialAction::kSetNull;
  if (code == "d") return ReferentialAction::kSetDefault;
  return ReferentialAction::kNoAction;
}

// "CHECK ((a > 0)) NOT VALID" -> "(a > 0)": the text inside CHECK's parentheses.
std::string CheckExpression(const std::string& def) {
  size_t open = def.find('(');
  if (open == std::string::npos) return def;
  int depth = 0;
  bool quoted = false;
  for (size_t i = open; i < def.size(); ++i) {
    char c = def[i];
    if (c == '\'') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return def.substr(open + 1, i - open - 1);
  }
  return def.substr(open + 1);
}

// "{a,b}" (a text[] / name[] as text) -> {"a", "b"}; quoted elements unquoted.
std::vector<std::string> TextArrayItems(std::string_view a) {
  std::vector<std::string> out;
  if (a.size() < 2) return out;
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 1; i + 1 < a.size(); ++i) {
    char c = a[i];
    if (quoted) {
      if (c == '\\' && i + 2 < a.size()) {
        cur += a[++i];
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = any = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any || !cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace

ColumnDefault ParsePgDefault(const std::string& text, ValueKind kind) {
  ColumnDefault d;
  d.source_text = text;
  if (text.empty()) return d;
  auto starts = [&](const char* p) { return text.rfind(p, 0) == 0; };
  if (starts("nextval(")) {
    d.kind = DefaultKind::kSequence;
    size_t q = text.find('\'');
    size_t e = q == std::string::npos ? q : text.find('\'', q + 1);
    if (e != std::string::npos) d.literal = text.substr(q + 1, e - q - 1);
    return d;
  }
  if (text == "now()" || text == "CURRENT_TIMESTAMP" || text == "LOCALTIMESTAMP" ||
      text == "transaction_timestamp()") {
    d.kind = DefaultKind::kCurrentTimestamp;
    return d;
  }
  if (starts("NULL::") || text == "NULL") return ColumnDefault{DefaultKind::kNone, "", false, text};
  if (text == "true" || text == "false") {
    d.kind = DefaultKind::kLiteral;
    d.literal = text;
    return d;
  }
  bool numeric_kind = kind == ValueKind::kInt64 || kind == ValueKind::kDecimal ||
                      kind == ValueKind::kFloat64 || kind == ValueKind::kUInt64;
  auto is_number = [](const std::string& s) {
    if (s.empty()) return false;
    size_t i = s[0] == '-' ? 1 : 0;
    bool digits = false;
    for (; i < s.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(s[i])))
        digits = true;
      else if (s[i] != '.')
        return false;
    }
    return digits;
  };
  // A bare number, possibly in parentheses or with a cast: "0", "(-1)", "0.00".
  std::string bare = text;
  if (size_t cast = bare.find("::"); cast != std::string::npos && bare[0] != '\'')
    bare = bare.substr(0, cast);
  while (bare.size() > 2 && bare.front() == '(' && bare.back() == ')')
    bare = bare.substr(1, bare.size() - 2);
  if (is_number(bare)) {
    d.kind = DefaultKind::kLiteral;
    d.literal = bare;
    return d;
  }
  // 'text'::type: the literal, unescaped; a number quoted by a cast stays a number.
  if (starts("'")) {
    std::string lit;
    size_t i = 1;
    for (; i < text.size(); ++i) {
      if (text[i] == '\'') {
        if (i + 1 < text.size() && text[i + 1] == '\'') {
          lit += '\'';
          ++i;
          continue;
        }
        break;
      }
      lit += text[i];
    }
    std::string rest = text.substr(std::min(i + 1, text.size()));
    if (rest.empty() ||
        (rest.rfind("::", 0) == 0 && rest.find_first_of("|+-*/'") == std::string::npos)) {
      d.kind = DefaultKind::kLiteral;
      d.literal = lit;
      d.quoted = !(numeric_kind && is_number(lit));
      return d;
    }
  }
  d.kind = DefaultKind::kExpression;
  return d;
}

Status ReadPgUserTypes(PgConn& conn, const std::map<uint32_t, std::vector<Column*>>& by_type) {
  if (by_type.empty()) return Status::Ok();
  std::string arr = "{";
  for (const auto& [oid, cols] : by_type) arr += (arr.size() > 1 ? "," : "") + std::to_string(oid);
  arr += "}";
  ASSIGN_OR_RETURN(
      auto types,
      conn.ExecParams("SELECT t.oid, n.nspname, t.typname, t.typtype, t.typbasetype, "
                      "format_type(t.typbasetype, t.typtypmod), t.typnotnull, "
                      "coalesce(t.typdefault, ''), "
                      "coalesce((SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) "
                      "FROM pg_enum e WHERE e.enumtypid = t.oid), '{}') "
                      "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                      "WHERE t.oid = ANY($1::oid[]) AND t.typtype IN ('e', 'd')",
                      {arr.c_str()}, "reading the source's enums and domains"));
  ASSIGN_OR_RETURN(auto checks,
                   conn.ExecParams("SELECT contypid, conname, pg_get_constraintdef(oid) FROM "
                                   "pg_constraint WHERE contypid = ANY($1::oid[]) AND contype = "
                                   "'c' ORDER BY contypid, conname",
                                   {arr.c_str()}, "reading the source's domain constraints"));
  for (int r = 0; r < types.rows(); ++r) {
    uint32_t oid = static_cast<uint32_t>(std::stoul(types.str(r, 0)));
    auto ut = std::make_shared<UserType>();
    ut->name = TableName{types.str(r, 1), types.str(r, 2)};
    ut->kind = types.get(r, 3) == "e" ? UserType::Kind::kEnum : UserType::Kind::kDomain;
    ut->labels = TextArrayItems(types.get(r, 8));
    ut->base_type = types.str(r, 5);
    ut->not_null = types.get(r, 6) == "t";
    ut->default_text = types.str(r, 7);
    for (int c = 0; c < checks.rows(); ++c) {
      if (checks.str(c, 0) != types.str(r, 0)) continue;
      ut->checks.push_back({checks.str(c, 1), CheckExpression(checks.str(c, 2))});
    }
    uint32_t base = ut->kind == UserType::Kind::kDomain
                        ? static_cast<uint32_t>(std::stoul(types.str(r, 4)))
                        : 0;
    for (Column* col : by_type.at(oid)) {
      col->user_type = ut;
      if (base != 0) {  // a domain's values are its base type's
        col->kind = KindForTypeOid(base);
        col->type = DescribePgColumnType(base, ut->base_type, col->kind);
      }
    }
  }
  return Status::Ok();
}

Status ReadPgSchemaObjects(PgConn& conn, const std::string& oids,
                           const std::unordered_map<uint32_t, TableSchema*>& tables) {
  auto table_of = [&](const PgResult& r, int row) -> TableSchema* {
    auto it = tables.find(static_cast<uint32_t>(std::stoul(r.str(row, 0))));
    return it == tables.end() ? nullptr : it->second;
  };
  auto column_index = [](const TableSchema& t, std::string_view name) -> std::optional<size_t> {
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].name == name) return i;
    return std::nullopt;
  };

  // Secondary indexes, one row per key part.
  ASSIGN_OR_RETURN(
      auto idx,
      conn.ExecParams(
          "SELECT i.indrelid, ci.relname, i.indisunique, am.amname, pg_get_indexdef(i.indexrelid), "
          "coalesce(pg_get_expr(i.indpred, i.indrelid), ''), coalesce(con.contype, ''), "
          "coalesce(pg_get_constraintdef(con.oid), ''), k.ord, coalesce(a.attname, ''), "
          "pg_get_indexdef(i.indexrelid, k.ord::int, true), (i.indoption[k.ord - 1] & 1) = 1 "
          "FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid "
          "JOIN pg_am am ON am.oid = ci.relam "
          "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = "
          "i.indrelid AND con.contype IN ('u', 'x') "
          "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
          "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
          "AND k.attnum > 0 "
          "WHERE i.indrelid = ANY($1::oid[]) AND NOT i.indisprimary "
          "AND k.ord <= i.indnkeyatts ORDER BY i.indrelid, ci.relname, k.ord",
          {oids.c_str()}, "reading source indexes"));
  for (int r = 0; r < idx.rows(); ++r) {
    TableSchema* t = table_of(idx, r);
    if (!t) continue;
    if (t->indexes.empty() || t->indexes.back().name != idx.str(r, 1) || idx.get(r, 8) == "1") {
      Index ix;
      ix.name = idx.str(r, 1);
      ix.unique = idx.get(r, 2) == "t";
      ix.method = idx.str(r, 3);
      std::string def = idx.str(r, 4);
      size_t using_at = def.find(" USING ");
      ix.source_text = using_at == std::string::npos ? def : def.substr(using_at + 1);
      ix.where = idx.str(r, 5);
      std::string contype = idx.str(r, 6);
      if (!contype.empty()) {
        ix.constraint = true;
        ix.source_text = idx.str(r, 7);  // "UNIQUE (a, b)", "EXCLUDE USING gist (...)"
        if (contype == "x") ix.method = "exclude";
      }
      t->indexes.push_back(std::move(ix));
    }
    IndexPart part;
    if (!idx.str(r, 9).empty()) part.column = column_index(*t, idx.get(r, 9));
    if (!part.column) part.expression = idx.str(r, 10);
    part.descending = idx.get(r, 11) == "t";
    t->indexes.back().parts.push_back(std::move(part));
  }

  // CHECK constraints and foreign keys.
  ASSIGN_OR_RETURN(
      auto cons,
      conn.ExecParams(
          "SELECT c.conrelid, c.conname, c.contype, pg_get_constraintdef(c.oid), "
          "pn.nspname, pc.relname, c.confdeltype, c.confupdtype, "
          "(SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY "
          "k(n, ord) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n), "
          "(SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY "
          "k(n, ord) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) "
          "FROM pg_constraint c LEFT JOIN pg_class pc ON pc.oid = c.confrelid "
          "LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
          "WHERE c.conrelid = ANY($1::oid[]) AND c.contype IN ('c', 'f') "
          "ORDER BY c.conrelid, c.conname",
          {oids.c_str()}, "reading source constraints"));
  for (int r = 0; r < cons.rows(); ++r) {
    TableSchema* t = table_of(cons, r);
    if (!t) continue;
    if (cons.get(r, 2) == "c") {
      t->checks.push_back({cons.str(r, 1), CheckExpression(cons.str(r, 3))});
      continue;
    }
    ForeignKey fk;
    fk.name = cons.str(r, 1);
    fk.source_text = cons.str(r, 3);
    fk.parent = TableName{cons.str(r, 4), cons.str(r, 5)};
    fk.on_delete = PgAction(cons.get(r, 6));
    fk.on_update = PgAction(cons.get(r, 7));
    bool complete = true;
    for (const std::string& c : TextArrayItems(cons.get(r, 8))) {
      auto i = column_index(*t, c);
      if (!i) complete = false;  // a generated column: the target computes it
      if (i) fk.columns.push_back(*i);
    }
    fk.parent_columns = TextArrayItems(cons.get(r, 9));
    if (complete) t->foreign_keys.push_back(std::move(fk));
  }

  // Triggers, with their definitions and firing modes (carried to a PostgreSQL target:
  // docs/types.md, "Views, functions and triggers").
  ASSIGN_OR_RETURN(auto trg,
                   conn.ExecParams("SELECT tgrelid, tgname, pg_get_triggerdef(oid), tgenabled "
                                   "FROM pg_trigger WHERE NOT tgisinternal "
                                   "AND tgrelid = ANY($1::oid[]) ORDER BY tgrelid, tgname",
                                   {oids.c_str()}, "reading source triggers"));
  for (int r = 0; r < trg.rows(); ++r) {
    if (TableSchema* t = table_of(trg, r))
      t->triggers.push_back(Trigger{trg.str(r, 1), trg.str(r, 2), trg.str(r, 3)});
  }
  return Status::Ok();
}

Result<std::vector<SourceObject>> PgSource::ListOtherObjects(
    const std::vector<TableSchemaPtr>& tables) {
  std::string schemas = "{";
  for (const auto& t : tables) {
    std::string q = "\"" + t->name.schema + "\"";
    if (schemas.find(q) == std::string::npos) schemas += (schemas.size() > 1 ? "," : "") + q;
  }
  schemas += "}";
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  // Definitions as a PostgreSQL target recreates them: names qualified (an empty search_path
  // makes pg_get_viewdef and pg_get_functiondef qualify every name), views and functions
  // replaced when they exist, materialized views left alone; the tables a view reads (its rewrite
  // rule's dependencies), to tell those that read a table outside the task.
  RETURN_IF_ERROR(conn->ExecOk("SET search_path = ''", "qualifying object definitions"));
  Result<PgResult> listed = conn->ExecParams(
      "SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' "
      "ELSE 'sequence' END, n.nspname || '.' || c.relname, CASE c.relkind "
      "WHEN 'v' THEN 'CREATE OR REPLACE VIEW ' || c.oid::regclass::text || ' AS ' || "
      "pg_get_viewdef(c.oid) WHEN 'm' THEN 'CREATE MATERIALIZED VIEW IF NOT EXISTS ' || "
      "c.oid::regclass::text || ' AS ' || rtrim(pg_get_viewdef(c.oid), ';') END, "
      "(SELECT array_agg(DISTINCT u.nspname || '.' || t.relname) FROM pg_rewrite w "
      "JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = w.oid "
      "AND d.refclassid = 'pg_class'::regclass JOIN pg_class t ON t.oid = d.refobjid "
      "AND t.relkind IN ('r', 'p') JOIN pg_namespace u ON u.oid = t.relnamespace "
      "WHERE w.ev_class = c.oid) FROM pg_class c "
      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1::text[]) "
      "AND (c.relkind IN ('v', 'm') OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM "
      "pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND "
      "d.deptype IN ('a', 'i')))) "
      "AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e') "
      "UNION ALL SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' "
      "ELSE 'function' END, n.nspname || '.' || p.proname || '(' || "
      "pg_get_function_identity_arguments(p.oid) || ')', CASE WHEN p.prokind IN ('f', 'p') "
      "THEN pg_get_functiondef(p.oid) END, NULL FROM pg_proc p JOIN pg_namespace n "
      "ON n.oid = p.pronamespace WHERE n.nspname = ANY($1::text[]) AND NOT EXISTS (SELECT 1 "
      "FROM pg_depend e WHERE e.objid = p.oid AND e.deptype = 'e') ORDER BY 1, 2",
      {schemas.c_str()}, "listing the source's views, functions and sequences");
  (void)conn->ExecOk("RESET search_path", "restoring the search path");
  ASSIGN_OR_RETURN(PgResult r, std::move(listed));
  std::vector<SourceObject> out;
  for (int i = 0; i < r.rows(); ++i) {
    SourceObject o;
    o.entry = {r.str(i, 0), r.str(i, 1), SchemaFate::kNotCarried,
               r.get(i, 2).empty()
                   ? "cutover does not carry it; recreate it on the target (PostgreSQL: "
                     "pg_dump --schema-only with -t/-n for it)"
                   : "a PostgreSQL " + r.str(i, 0) +
                         " is carried to a PostgreSQL target only; recreate it there"};
    o.definition = r.str(i, 2);
    for (const std::string& used : TextArrayItems(r.get(i, 3))) {
      size_t dot = used.find('.');
      if (dot != std::string::npos) o.uses.push_back({used.substr(0, dot), used.substr(dot + 1)});
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace cutover::pg
