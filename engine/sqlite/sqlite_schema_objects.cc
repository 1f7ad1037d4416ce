// SqliteSink's schema objects (engine/core/schema_objects.h; rules in docs/types.md, "Schema
// objects"). SQLite cannot add a constraint to an existing table, so CHECKs and foreign keys are
// part of CREATE TABLE (the load and apply connections switch both off: `PRAGMA foreign_keys =
// OFF`, `PRAGMA ignore_check_constraints = ON`), with the defaults; indexes are created after
// the table's data, by the writer whose turn it is. A single INTEGER key column is the rowid,
// SQLite's own identity: an INSERT without it gets max + 1.
#include <mutex>
#include <set>

#include "engine/core/generated_columns.h"
#include "engine/core/log.h"
#include "engine/core/naming.h"
#include "engine/sqlite/sqlite_conn.h"
#include "engine/sqlite/sqlite_sink.h"
#include "engine/sqlite/sqlite_sink_internal.h"

namespace cutover::sqlite {

namespace {

bool SameEngine(const TableSchema& t) {
  return t.engine == "sqlite";
}

SchemaObjectEntry Entry(std::string kind, std::string name, SchemaFate fate,
                        std::string note = "") {
  return {std::move(kind), std::move(name), fate, std::move(note)};
}

std::string Quote(const std::string& s) {
  ColumnDefault d;
  d.literal = s;
  d.quoted = true;
  return DefaultLiteralSql(d, /*backslashes=*/false);
}

void Add(std::vector<PlannedObject>& out, SchemaObjectEntry e,
         PlannedObject::Phase phase = PlannedObject::Phase::kNone) {
  PlannedObject p;
  p.entry = std::move(e);
  p.phase = phase;
  out.push_back(std::move(p));
}

}  // namespace

SqliteSchemaPlan PlanSqliteSchema(const TableSchema& t, const std::vector<TableSchemaPtr>& tables,
                                  const TablePlan& plan) {
  SqliteSchemaPlan out;
  out.column_clauses.resize(t.columns.size());
  const bool rowid = t.key.size() == 1 && plan.columns[t.key[0]].declared == "INTEGER";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const Column& c = t.columns[i];
    const std::string name = TableObjectName(t, c.name);
    std::string& clause = out.column_clauses[i];
    if (c.identity != Identity::kNone) {
      if (rowid && t.key[0] == i) {
        Add(out.objects,
            Entry("identity", name, SameEngine(t) ? SchemaFate::kCarried : SchemaFate::kTranslated,
                  "the INTEGER key is the rowid: an INSERT without it gets max + 1"));
      } else {
        Add(out.objects, Entry("identity", name, SchemaFate::kNotCarried,
                               "only a single INTEGER key column generates values in SQLite"));
      }
      if (c.identity != Identity::kAutoIncrement) continue;  // its default is the sequence
    }
    const ColumnDefault& d = c.default_value;
    switch (d.kind) {
      case DefaultKind::kNone:
        break;
      case DefaultKind::kLiteral:
        if (SameEngine(t)) {
          clause += " DEFAULT " + d.source_text;
          Add(out.objects, Entry("default", name, SchemaFate::kCarried));
        } else if (c.type.family == TypeFamily::kTimestampTz ||
                   c.type.family == TypeFamily::kDate || c.type.family == TypeFamily::kTimestamp ||
                   (c.kind == ValueKind::kOther &&
                    !(c.user_type && c.user_type->kind == UserType::Kind::kEnum))) {
          // Values of these are stored in cutover's own text forms (docs/types.md).
          Add(out.objects, Entry("default", name, SchemaFate::kNotCarried,
                                 "the literal " + d.source_text + " is not translated"));
        } else {
          std::string lit = DefaultLiteralSql(d, false);
          if (c.kind == ValueKind::kDecimal && !d.quoted) lit = Quote(d.literal);  // TEXT digits
          clause += " DEFAULT " + lit;
          Add(out.objects, Entry("default", name, SchemaFate::kCarried));
        }
        break;
      case DefaultKind::kCurrentTimestamp:
        if (SameEngine(t)) {
          clause += " DEFAULT " + d.source_text;
          Add(out.objects, Entry("default", name, SchemaFate::kCarried));
        } else if (c.type.family == TypeFamily::kTimestamp ||
                   c.type.family == TypeFamily::kTimestampTz) {
          // The text form cutover stores timestamps in (docs/types.md, "SQLite as a target").
          const bool tz = c.type.family == TypeFamily::kTimestampTz;
          clause += std::string(" DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')") +
                    (tz ? " || '+00:00'" : "") + ")";
          Add(out.objects, Entry("default", name, SchemaFate::kTranslated,
                                 tz ? "the current instant, in UTC"
                                    : "the current time in UTC (SQLite has no session zone)"));
        } else {
          Add(out.objects, Entry("default", name, SchemaFate::kNotCarried,
                                 "CURRENT_TIMESTAMP on a column of type " + c.type_name));
        }
        break;
      case DefaultKind::kSequence:
      case DefaultKind::kExpression:
        if (SameEngine(t)) {
          clause += " DEFAULT " + d.source_text;
          Add(out.objects, Entry("default", name, SchemaFate::kCarried));
        } else {
          Add(out.objects, Entry("default", name, SchemaFate::kNotCarried,
                                 "the expression " + d.source_text + " is not translated"));
        }
        break;
    }
    if (c.on_update_current_timestamp)
      Add(out.objects,
          Entry("on update", name, SchemaFate::kNotCarried, "SQLite has no ON UPDATE clause"));
    // Enums: the labels as a CHECK; domains: their checks on the column.
    std::vector<std::pair<std::string, std::string>> checks;  // name, condition
    if (c.type.family == TypeFamily::kEnum && !c.type.labels.empty() && !SameEngine(t)) {
      std::string list;
      for (const auto& l : c.type.labels) list += (list.empty() ? "" : ", ") + Quote(l);
      checks.push_back({c.name + "_check", Q(c.name) + " IN (" + list + ")"});
      Add(out.objects, Entry("enum", name, SchemaFate::kTranslated,
                             "text column with CHECK " + c.name + "_check"));
    }
    if (c.user_type && !SameEngine(t)) {
      const UserType& u = *c.user_type;
      if (u.kind == UserType::Kind::kEnum) {
        std::string list;
        for (const auto& l : u.labels) list += (list.empty() ? "" : ", ") + Quote(l);
        checks.push_back({c.name + "_in_" + u.name.name, Q(c.name) + " IN (" + list + ")"});
        Add(out.objects, Entry("enum", u.name.ToString() + " (" + name + ")",
                               SchemaFate::kTranslated, "CHECK " + c.name + "_in_" + u.name.name));
      } else {
        Add(out.objects, Entry("domain", u.name.ToString() + " (" + name + ")",
                               SchemaFate::kTranslated, "its base type " + u.base_type));
        for (const CheckConstraint& ck : u.checks) {
          auto e = TranslateCondition(t, ck.expression, "sqlite", c.name);
          std::string n = u.name.ToString() + "." + ck.name + " (" + name + ")";
          if (!e.ok()) {
            Add(out.objects, Entry("check", n, SchemaFate::kNotCarried, e.status().message()));
            continue;
          }
          checks.push_back({c.name + "_" + ck.name, *e});
          Add(out.objects, Entry("check", n, SchemaFate::kTranslated,
                                 "CHECK " + c.name + "_" + ck.name + " on the column"));
        }
      }
    }
    for (const auto& [n, cond] : checks)
      out.table_constraints += ", CONSTRAINT " + Q(n) + " CHECK (" + cond + ")";
  }
  for (const CheckConstraint& ck : t.checks) {
    auto e = TranslateCondition(t, ck.expression, "sqlite");
    if (!e.ok()) {
      Add(out.objects, Entry("check", TableObjectName(t, ck.name), SchemaFate::kNotCarried,
                             e.status().message()));
      continue;
    }
    out.table_constraints += ", CONSTRAINT " + Q(ck.name) + " CHECK (" + *e + ")";
    Add(out.objects, Entry("check", TableObjectName(t, ck.name),
                           SameEngine(t) ? SchemaFate::kCarried : SchemaFate::kTranslated));
  }
  for (const ForeignKey& fk : t.foreign_keys) {
    const TableSchema* parent = FindTable(tables, fk.parent);
    const std::string name = TableObjectName(t, fk.name);
    if (!parent) {
      Add(out.objects, Entry("foreign key", name, SchemaFate::kNotCarried,
                             "its parent table " + fk.parent.ToString() + " is not in the task"));
      continue;
    }
    std::string cols, pcols;
    for (size_t i : fk.columns) cols += (cols.empty() ? "" : ", ") + Q(t.columns[i].name);
    for (const auto& pc : fk.parent_columns) pcols += (pcols.empty() ? "" : ", ") + Q(pc);
    out.table_constraints += ", CONSTRAINT " + Q(fk.name) + " FOREIGN KEY (" + cols +
                             ") REFERENCES " + Q(LandingTableName(*parent)) + " (" + pcols + ")" +
                             ReferentialActionsSql(fk);
    Add(out.objects, Entry("foreign key", name, SchemaFate::kTranslated,
                           "declared in CREATE TABLE; SQLite enforces it on connections with "
                           "PRAGMA foreign_keys = ON"));
  }
  for (const Index& ix : t.indexes) {
    PlannedObject p;
    p.entry.kind = ix.constraint ? "unique constraint" : "index";
    p.entry.name = TableObjectName(t, ix.name);
    auto not_carried = [&](std::string why) {
      p.entry.fate = SchemaFate::kNotCarried;
      p.entry.note = std::move(why);
      out.objects.push_back(p);
    };
    if (ix.method != "btree" && ix.method != "hash") {
      not_carried("a " + ix.method + " index has no SQLite equivalent");
      continue;
    }
    std::string parts;
    bool ok = true;
    for (const IndexPart& part : ix.parts) {
      if (!part.column && SameEngine(t)) {
        parts += (parts.empty() ? "" : ", ") + part.expression + (part.descending ? " DESC" : "");
        continue;
      }
      if (!part.column) {
        not_carried("the expression " + part.expression + " is not translated");
        ok = false;
        break;
      }
      std::string e = Q(t.columns[*part.column].name);
      if (part.prefix > 0) e = "substr(" + e + ", 1, " + std::to_string(part.prefix) + ")";
      parts += (parts.empty() ? "" : ", ") + e + (part.descending ? " DESC" : "");
    }
    if (!ok) continue;
    std::string where;
    if (!ix.where.empty()) {
      auto e = TranslateCondition(t, ix.where, "sqlite");
      if (!e.ok()) {
        not_carried("its predicate: " + e.status().message());
        continue;
      }
      where = " WHERE " + *e;
    }
    // SQLite index names are per database: another engine's per-table names get the table's.
    p.target_name =
        SameEngine(t) || t.engine == "postgresql" ? ix.name : LandingTableName(t) + "_" + ix.name;
    p.entry.fate = SameEngine(t) ? SchemaFate::kCarried : SchemaFate::kTranslated;
    if (!SameEngine(t)) p.entry.note = "index " + p.target_name;
    p.phase = PlannedObject::Phase::kAfterData;
    p.statements.push_back(std::string("CREATE ") + (ix.unique ? "UNIQUE " : "") +
                           "INDEX IF NOT EXISTS " + Q(p.target_name) + " ON " + plan.quoted + " (" +
                           parts + ")" + where);
    out.objects.push_back(std::move(p));
  }
  for (PlannedObject& p :
       PlanTriggers(t, SameEngine(t),
                    "created by cutover switch (SQLite cannot keep a trigger from firing on the "
                    "rows cutover replicates)"))
    out.objects.push_back(std::move(p));
  return out;
}

std::vector<PlannedObject> SqliteSink::PlanSchemaObjects(
    const TableSchema& t, const std::vector<TableSchemaPtr>& tables) const {
  if (task_tables_.empty()) task_tables_ = tables;  // see task_tables_
  return PlanSqliteSchema(t, tables, MakePlan(t)).objects;
}

Status SqliteSink::CreateTableObjects(const std::string& task, const TableSchema& t,
                                      const std::vector<TableSchemaPtr>& tables) {
  (void)task;
  TablePlan plan = MakePlan(t);
  SqliteSchemaPlan schema = PlanSqliteSchema(t, tables, plan);
  std::unique_lock<std::mutex> lock(*write_mu_);  // one writer per file
  ASSIGN_OR_RETURN(auto conn, OpenWriter("schema"));
  for (const PlannedObject& p : schema.objects) {
    if (p.phase != PlannedObject::Phase::kAfterData) continue;
    for (const std::string& sql : p.statements) {
      Status s = conn->Exec(
          sql, "target table " + plan.target.ToString() + ": " + p.entry.kind + " " + p.entry.name);
      if (!s.ok())
        Log(LogLevel::kWarn, "schema: could not create {} {}: {}", p.entry.kind, p.entry.name,
            s.message());
    }
  }
  return Status::Ok();
}

// A view is created when the file has none of its name, then read once: SQLite accepts a view
// over a table that is not there and fails only when it is used, so a view that cannot be read
// is dropped again and named.
Status SqliteSink::CreateSourceObject(const SourceObject& o) {
  const std::string name = o.entry.name.substr(o.entry.name.find('.') + 1);
  std::unique_lock<std::mutex> lock(*write_mu_);  // one writer per file
  ASSIGN_OR_RETURN(auto conn, OpenWriter("schema"));
  ASSIGN_OR_RETURN(auto st, conn->Prepare("SELECT 1 FROM sqlite_schema WHERE name = ?1",
                                          "looking up " + o.entry.name));
  RETURN_IF_ERROR(st->BindText(1, name));
  ASSIGN_OR_RETURN(bool exists, st->Step());
  st.reset();
  if (exists) return Status::Ok();
  RETURN_IF_ERROR(conn->Exec(o.definition, o.entry.kind + " " + o.entry.name));
  if (o.entry.kind != "view") return Status::Ok();
  auto probe = conn->Prepare("SELECT * FROM " + Q(name) + " LIMIT 0", "reading " + o.entry.name);
  if (probe.ok()) return Status::Ok();
  (void)conn->Exec("DROP VIEW IF EXISTS " + Q(name), "dropping " + o.entry.name);
  return probe.status();
}

}  // namespace cutover::sqlite
