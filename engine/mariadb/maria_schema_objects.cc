// MariaSink's schema objects (engine/core/schema_objects.h; rules in docs/types.md, "Schema
// objects"): the plan of each table's objects on a MariaDB target, the column clauses of CREATE
// TABLE (defaults, ON UPDATE, AUTO_INCREMENT), one ALTER TABLE per table for its indexes and
// checks after its data, and the foreign keys before CDC, added by a session with
// foreign_key_checks = 0 (InnoDB then adds them in place, without reading the rows).
#include <cctype>
#include <set>

#include "engine/core/generated_columns.h"
#include "engine/core/log.h"
#include "engine/core/naming.h"
#include "engine/mariadb/maria_sink.h"
#include "engine/mariadb/maria_sink_internal.h"

namespace cutover::mariadb {

namespace {

constexpr size_t kMaxIdent = 64;
constexpr int kKeyBytes = 3072;  // InnoDB's longest index key

std::string Ident(const std::string& name) {
  return MariaConn::QuoteIdent(name);
}

std::string Quote(const std::string& s) {
  ColumnDefault d;
  d.literal = s;
  d.quoted = true;
  return DefaultLiteralSql(d, /*backslashes=*/true);
}

bool SameEngine(const TableSchema& t) {
  return t.engine == "mariadb";
}

SchemaObjectEntry Entry(std::string kind, std::string name, SchemaFate fate,
                        std::string note = "") {
  return {std::move(kind), std::move(name), fate, std::move(note)};
}

bool StartsWith(const std::string& s, const char* p) {
  return s.rfind(p, 0) == 0;
}

bool IsIntegerDdl(std::string ddl) {
  for (char& c : ddl) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* p : {"TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT"})
    if (StartsWith(ddl, p)) return true;
  return false;
}

// Whether an index on a column of this target type needs a prefix length (BLOB/TEXT types).
bool NeedsPrefix(const std::string& ddl) {
  return StartsWith(ddl, "LONGTEXT") || StartsWith(ddl, "LONGBLOB") || StartsWith(ddl, "TEXT") ||
         StartsWith(ddl, "BLOB") || StartsWith(ddl, "JSON") || StartsWith(ddl, "MEDIUMTEXT");
}

// Bytes an index part on this target type takes (utf8mb4: 4 per character).
int KeyBytes(const MariaTargetColumn& tc, int prefix) {
  if (prefix > 0) return prefix * 4;
  if (tc.max_chars > 0) return static_cast<int>(tc.max_chars) * 4;
  if (tc.max_bytes > 0) return static_cast<int>(tc.max_bytes);
  if (NeedsPrefix(tc.ddl_type)) return kKeyBytes + 1;
  return 8;
}

// "(6)" of the target column's "DATETIME(6)": CURRENT_TIMESTAMP at the column's precision.
std::string Fsp(const MariaTargetColumn& tc) {
  size_t open = tc.ddl_type.find('(');
  if (open == std::string::npos) return "";
  return tc.ddl_type.substr(open, tc.ddl_type.find(')', open) - open + 1);
}

struct ColumnPlan {
  std::string clause;
  std::vector<PlannedObject> objects;
};

ColumnPlan PlanColumn(const TableSchema& t, const Column& c, const MariaTargetColumn& tc) {
  ColumnPlan out;
  const std::string name = TableObjectName(t, c.name);
  auto add = [&](SchemaObjectEntry e) {
    PlannedObject p;
    p.entry = std::move(e);
    out.objects.push_back(std::move(p));
  };
  if (c.identity != Identity::kNone) {
    if (!IsIntegerDdl(tc.ddl_type)) {
      add(Entry("identity", name, SchemaFate::kNotCarried,
                "the column's target type " + tc.ddl_type + " cannot be AUTO_INCREMENT"));
    } else {
      out.clause += " AUTO_INCREMENT";
      add(SameEngine(t) ? Entry("identity", name, SchemaFate::kCarried)
                        : Entry("identity", name, SchemaFate::kTranslated, "AUTO_INCREMENT"));
    }
    if (c.identity != Identity::kAutoIncrement) return out;  // its default is the sequence
  }
  const bool timestamp =
      c.type.family == TypeFamily::kTimestamp || c.type.family == TypeFamily::kTimestampTz;
  const ColumnDefault& d = c.default_value;
  switch (d.kind) {
    case DefaultKind::kNone:
      break;
    case DefaultKind::kSequence:
    case DefaultKind::kExpression:
      if (SameEngine(t)) {
        out.clause += " DEFAULT (" + d.source_text + ")";
        add(Entry("default", name, SchemaFate::kCarried));
      } else {
        add(Entry("default", name, SchemaFate::kNotCarried,
                  "the expression " + d.source_text + " is not translated"));
      }
      break;
    case DefaultKind::kCurrentTimestamp:
      if (SameEngine(t)) {
        out.clause += " DEFAULT " + d.source_text;
        add(Entry("default", name, SchemaFate::kCarried));
      } else if (timestamp) {
        out.clause += " DEFAULT CURRENT_TIMESTAMP" + Fsp(tc);
        add(Entry("default", name, SchemaFate::kTranslated, "CURRENT_TIMESTAMP" + Fsp(tc)));
      } else {
        add(Entry("default", name, SchemaFate::kNotCarried,
                  "CURRENT_TIMESTAMP on a column of type " + tc.ddl_type));
      }
      break;
    case DefaultKind::kLiteral:
      if (SameEngine(t)) {
        out.clause += " DEFAULT " + d.source_text;
        add(Entry("default", name, SchemaFate::kCarried));
      } else if (c.type.family == TypeFamily::kTimestampTz ||
                 (c.kind == ValueKind::kOther &&
                  !(c.user_type && c.user_type->kind == UserType::Kind::kEnum))) {
        add(Entry(
            "default", name, SchemaFate::kNotCarried,
            "the literal " + d.source_text + " of type " + c.type_name + " is not translated"));
      } else {
        out.clause += " DEFAULT " + DefaultLiteralSql(d, /*backslashes=*/true);
        add(Entry("default", name, SchemaFate::kCarried));
      }
      break;
  }
  if (c.on_update_current_timestamp) {
    out.clause += " ON UPDATE CURRENT_TIMESTAMP" + Fsp(tc);
    add(Entry("on update", name, SchemaFate::kCarried));
  }
  return out;
}

// The checks a column of a PostgreSQL enum or domain becomes (the type itself is not recreated).
void PlanTypeChecks(const TableSchema& t, const Column& c, const std::string& table,
                    std::vector<PlannedObject>& out) {
  if (!c.user_type || SameEngine(t)) return;
  const UserType& u = *c.user_type;
  const std::string kind = u.kind == UserType::Kind::kEnum ? "enum" : "domain";
  if (u.kind == UserType::Kind::kEnum) {
    std::string list;
    for (const std::string& l : u.labels) list += (list.empty() ? "" : ", ") + Quote(l);
    PlannedObject p;
    p.target_name = (c.name + "_in_" + u.name.name).substr(0, kMaxIdent);
    p.entry =
        Entry("enum", u.name.ToString() + " (" + TableObjectName(t, c.name) + ")",
              SchemaFate::kTranslated, "the column's labels, checked by CHECK " + p.target_name);
    p.phase = PlannedObject::Phase::kAfterData;
    p.statements.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + Ident(p.target_name) +
                           " CHECK (" + Ident(c.name) + " IN (" + list + "))");
    out.push_back(std::move(p));
    return;
  }
  PlannedObject p;
  p.entry = Entry("domain", u.name.ToString() + " (" + TableObjectName(t, c.name) + ")",
                  SchemaFate::kTranslated, "its base type " + u.base_type);
  out.push_back(std::move(p));
  for (const CheckConstraint& ck : u.checks) {
    PlannedObject q;
    q.entry.kind = "check";
    q.entry.name = u.name.ToString() + "." + ck.name + " (" + TableObjectName(t, c.name) + ")";
    auto expr = TranslateCondition(t, ck.expression, "mariadb", c.name);
    if (!expr.ok()) {
      q.entry.fate = SchemaFate::kNotCarried;
      q.entry.note = expr.status().message();
      out.push_back(std::move(q));
      continue;
    }
    q.target_name = (c.name + "_" + ck.name).substr(0, kMaxIdent);
    q.entry.fate = SchemaFate::kTranslated;
    q.entry.note = "CHECK " + q.target_name + " on the column";
    q.phase = PlannedObject::Phase::kAfterData;
    q.statements.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + Ident(q.target_name) +
                           " CHECK (" + *expr + ")");
    out.push_back(std::move(q));
  }
}

PlannedObject PlanIndex(const TableSchema& t, const Index& ix, const TablePlan& plan) {
  PlannedObject p;
  p.entry.kind = ix.constraint ? "unique constraint" : "index";
  p.entry.name = TableObjectName(t, ix.name);
  auto not_carried = [&](std::string why) {
    p.entry.fate = SchemaFate::kNotCarried;
    p.entry.note = std::move(why);
    return p;
  };
  std::string kind = ix.unique ? "UNIQUE INDEX" : "INDEX";
  std::vector<std::string> notes;
  if (SameEngine(t)) {
    if (ix.method == "fulltext") kind = "FULLTEXT INDEX";
    if (ix.method == "spatial") kind = "SPATIAL INDEX";
  } else {
    if (ix.method == "hash") {
      notes.push_back("a hash index becomes a BTREE index");
    } else if (ix.method != "btree") {
      return not_carried("a " + ix.method + " index has no MariaDB equivalent");
    }
    if (!ix.where.empty()) {
      if (ix.unique)
        return not_carried(
            "MariaDB has no partial indexes, and a full unique index would "
            "refuse rows the partial one allows");
      notes.push_back("the partial index covers every row (MariaDB has no partial indexes)");
    }
  }
  std::vector<int> prefixes;
  int bytes = 0;
  for (const IndexPart& part : ix.parts) {
    if (!part.column)
      return not_carried("MariaDB 10.11 has no expression indexes (" + part.expression + ")");
    prefixes.push_back(part.prefix);
    bytes += KeyBytes(plan.columns[*part.column], part.prefix);
  }
  bool hash = false;
  if (bytes > kKeyBytes) {
    if (ix.unique) {
      hash = true;  // MariaDB checks a long unique key through a hidden hash
      notes.push_back("a unique key longer than 3072 bytes, checked USING HASH");
    } else {
      // Each long part gets an equal share of the key.
      int share = kKeyBytes / 4 / static_cast<int>(ix.parts.size());
      for (size_t i = 0; i < ix.parts.size(); ++i) {
        const MariaTargetColumn& tc = plan.columns[*ix.parts[i].column];
        if (prefixes[i] < 0 && (NeedsPrefix(tc.ddl_type) || tc.max_chars * 4 > 3072u / 2))
          prefixes[i] = share;
      }
      notes.push_back("long text parts indexed on their first " + std::to_string(share) +
                      " characters");
    }
  }
  std::string parts;
  for (size_t i = 0; i < ix.parts.size(); ++i) {
    parts += (parts.empty() ? "" : ", ") + Ident(t.columns[*ix.parts[i].column].name);
    if (prefixes[i] > 0 && !hash) parts += "(" + std::to_string(prefixes[i]) + ")";
    if (ix.parts[i].descending) parts += " DESC";
  }
  p.target_name = ix.name.substr(0, kMaxIdent);
  p.phase = PlannedObject::Phase::kAfterData;
  p.entry.fate = SameEngine(t) && notes.empty() ? SchemaFate::kCarried
                 : notes.empty()                ? SchemaFate::kCarried
                                                : SchemaFate::kTranslated;
  for (const auto& n : notes) p.entry.note += (p.entry.note.empty() ? "" : "; ") + n;
  p.statements.push_back("ALTER TABLE " + plan.qualified + " ADD " + kind + " " +
                         Ident(p.target_name) + " (" + parts + ")" + (hash ? " USING HASH" : ""));
  return p;
}

PlannedObject PlanCheck(const TableSchema& t, const CheckConstraint& ck, const TablePlan& plan) {
  PlannedObject p;
  p.entry.kind = "check";
  p.entry.name = TableObjectName(t, ck.name);
  auto expr = TranslateCondition(t, ck.expression, "mariadb");
  if (!expr.ok()) {
    p.entry.fate = SchemaFate::kNotCarried;
    p.entry.note = expr.status().message();
    return p;
  }
  p.entry.fate = SameEngine(t) ? SchemaFate::kCarried : SchemaFate::kTranslated;
  p.target_name = ck.name.substr(0, kMaxIdent);
  p.phase = PlannedObject::Phase::kAfterData;
  p.statements.push_back("ALTER TABLE " + plan.qualified + " ADD CONSTRAINT " +
                         Ident(p.target_name) + " CHECK (" + *expr + ")");
  return p;
}

PlannedObject PlanForeignKey(const TableSchema& t, const ForeignKey& fk,
                             const std::vector<TableSchemaPtr>& tables, const TablePlan& plan,
                             const std::string& db) {
  PlannedObject p;
  p.entry.kind = "foreign key";
  p.entry.name = TableObjectName(t, fk.name);
  const TableSchema* parent = FindTable(tables, fk.parent);
  if (!parent) {
    p.entry.fate = SchemaFate::kNotCarried;
    p.entry.note = "its parent table " + fk.parent.ToString() + " is not in the task";
    return p;
  }
  if (fk.on_delete == ReferentialAction::kSetDefault ||
      fk.on_update == ReferentialAction::kSetDefault) {
    p.entry.fate = SchemaFate::kNotCarried;
    p.entry.note = "InnoDB has no SET DEFAULT action";
    return p;
  }
  std::string cols, pcols;
  for (size_t i : fk.columns) cols += (cols.empty() ? "" : ", ") + Ident(t.columns[i].name);
  for (const auto& pc : fk.parent_columns) pcols += (pcols.empty() ? "" : ", ") + Ident(pc);
  p.target_name = fk.name.substr(0, kMaxIdent);
  p.entry.fate = SameEngine(t) ? SchemaFate::kCarried : SchemaFate::kTranslated;
  if (!SameEngine(t)) p.entry.note = "with its ON DELETE / ON UPDATE actions";
  p.phase = PlannedObject::Phase::kForeignKey;
  p.statements.push_back("ALTER TABLE " + plan.qualified + " ADD CONSTRAINT " +
                         Ident(p.target_name) + " FOREIGN KEY (" + cols + ") REFERENCES " +
                         MariaConn::QualifiedName(TableName{db, LandingTableName(*parent)}) + " (" +
                         pcols + ")" + ReferentialActionsSql(fk));
  return p;
}

// Index and constraint names `table` has on the target.
Result<std::set<std::string>> ExistingObjectNames(MariaConn& conn, const TableName& table) {
  std::string where = "TABLE_SCHEMA = " + conn.QuoteLiteral(table.schema) +
                      " AND TABLE_NAME = " + conn.QuoteLiteral(table.name);
  ASSIGN_OR_RETURN(
      MariaRows r,
      conn.Query("SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE " + where +
                     " UNION SELECT CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS "
                     "WHERE CONSTRAINT_SCHEMA = " +
                     conn.QuoteLiteral(table.schema) +
                     " AND TABLE_NAME = " + conn.QuoteLiteral(table.name),
                 "target table " + table.ToString() + ": reading its indexes and constraints"));
  std::set<std::string> out;
  for (const auto& row : r.rows) out.insert(row[0].value_or(""));
  return out;
}

std::string Database(const std::string& uri) {
  auto u = ParseMariaUri(uri);
  return u.ok() ? u->database : "";
}

}  // namespace

std::string MariaColumnClause(const TableSchema& t, size_t i, const TablePlan& plan) {
  return PlanColumn(t, t.columns[i], plan.columns[i]).clause;
}

std::vector<PlannedObject> MariaSink::PlanSchemaObjects(
    const TableSchema& t, const std::vector<TableSchemaPtr>& tables) const {
  const std::string db = Database(uri_);
  TablePlan plan = MakePlan(t, db);
  std::vector<PlannedObject> out;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    for (auto& o : PlanColumn(t, t.columns[i], plan.columns[i]).objects) out.push_back(o);
    PlanTypeChecks(t, t.columns[i], plan.qualified, out);
  }
  for (const Index& ix : t.indexes) out.push_back(PlanIndex(t, ix, plan));
  for (const CheckConstraint& ck : t.checks) out.push_back(PlanCheck(t, ck, plan));
  for (const ForeignKey& fk : t.foreign_keys)
    out.push_back(PlanForeignKey(t, fk, tables, plan, db));
  for (PlannedObject& p :
       PlanTriggers(t, SameEngine(t),
                    "created by cutover switch (MariaDB cannot keep a trigger from firing on the "
                    "rows cutover replicates)"))
    out.push_back(std::move(p));
  return out;
}

Status MariaSink::CreateTableObjects(const std::string& task, const TableSchema& t,
                                     const std::vector<TableSchemaPtr>& tables) {
  (void)task;
  std::vector<PlannedObject> plan = PlanSchemaObjects(t, tables);
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "schema", /*writes_rows=*/false));
  TablePlan tp = MakePlan(t, conn->uri().database);
  ASSIGN_OR_RETURN(std::set<std::string> existing, ExistingObjectNames(*conn, tp.target));
  // One ALTER TABLE for all of them: InnoDB builds the indexes in one pass over the rows.
  const std::string head = "ALTER TABLE " + tp.qualified + " ";
  std::vector<const PlannedObject*> todo;
  std::string combined;
  for (const PlannedObject& p : plan) {
    if (p.phase != PlannedObject::Phase::kAfterData || existing.count(p.target_name)) continue;
    todo.push_back(&p);
    for (const std::string& sql : p.statements)
      combined += (combined.empty() ? head : ", ") + sql.substr(head.size());
  }
  if (todo.empty()) return Status::Ok();
  if (conn->Exec(combined, "target table " + tp.target.ToString() + ": schema objects").ok())
    return Status::Ok();
  // One at a time, to name the one that fails; the others are still built.
  for (const PlannedObject* p : todo) {
    for (const std::string& sql : p->statements) {
      Status s = conn->Exec(
          sql, "target table " + tp.target.ToString() + ": " + p->entry.kind + " " + p->entry.name);
      if (!s.ok()) {
        Log(LogLevel::kWarn, "schema: could not create {} {}: {}", p->entry.kind, p->entry.name,
            s.message());
        break;
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> MariaSink::CreateForeignKeys(
    const std::string& task, const std::vector<TableSchemaPtr>& tables) {
  (void)task;
  // foreign_key_checks = 0: InnoDB adds the key in place without reading the rows (the source
  // enforced it on them), and the task's apply sessions do not enforce it either.
  ASSIGN_OR_RETURN(auto conn, ConnectTarget(uri_, options_, "schema", /*writes_rows=*/true));
  for (const TableSchemaPtr& t : tables) {
    std::vector<PlannedObject> plan = PlanSchemaObjects(*t, tables);
    bool any = false;
    for (const PlannedObject& p : plan) any = any || p.phase == PlannedObject::Phase::kForeignKey;
    if (!any) continue;
    TablePlan tp = MakePlan(*t, conn->uri().database);
    ASSIGN_OR_RETURN(std::set<std::string> existing, ExistingObjectNames(*conn, tp.target));
    for (const PlannedObject& p : plan) {
      if (p.phase != PlannedObject::Phase::kForeignKey || existing.count(p.target_name)) continue;
      for (const std::string& sql : p.statements) {
        Status s = conn->Exec(
            sql, "target table " + tp.target.ToString() + ": foreign key " + p.target_name);
        if (!s.ok()) {
          Log(LogLevel::kWarn, "schema: could not create foreign key {}: {}", p.entry.name,
              s.message());
          break;
        }
      }
    }
  }
  return std::vector<std::string>{};
}

Status MariaSink::CreateSourceObject(const SourceObject& o) {
  ASSIGN_OR_RETURN(auto conn,
                   ConnectTarget(uri_, options_, "cutover-schema", /*writes_rows=*/false));
  return conn->Exec(o.definition, o.entry.kind + " " + o.entry.name);
}

}  // namespace cutover::mariadb
