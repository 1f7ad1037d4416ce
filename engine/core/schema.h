// TableName, Column, TableSchema: what a table looks like, in engine-neutral terms.
//
// A schema comes from the source's catalog (or a CDC relation message) and travels with every
// change as a shared pointer, so a sink can build statements without asking the source again.
// `type_name` keeps the source engine's own type text ("numeric(12,2)", "varchar(40)") so a
// same-engine target can recreate the column exactly; `kind` (what its values are) and `type`
// (what the column can hold, engine-neutral: engine/core/column_type.h) are what cross engines.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/column_type.h"
#include "engine/core/value.h"

namespace cutover {

struct TableName {
  std::string schema;  // PostgreSQL schema; MariaDB database; SQLite "main"
  std::string name;

  std::string ToString() const { return schema + "." + name; }
  bool operator==(const TableName& o) const { return schema == o.schema && name == o.name; }
  bool operator<(const TableName& o) const {
    return schema != o.schema ? schema < o.schema : name < o.name;
  }
};

struct Column {
  std::string name;
  ValueKind kind = ValueKind::kText;  // logical kind values of this column take
  bool nullable = true;
  std::string type_name;  // source engine's type text, e.g. "numeric(12,2)"
  uint32_t type_id = 0;   // source engine's type id (PostgreSQL type OID)
  // What the column can hold, described by its source in engine-neutral terms; targets of
  // another engine choose their column type from this alone.
  ColumnType type;
  // A generated column: its expression as the source engine writes it (PostgreSQL
  // pg_get_expr, MariaDB GENERATION_EXPRESSION, SQLite's CREATE TABLE text); empty for an
  // ordinary column. In TableSchema::columns such a column's source values travel like any
  // other and the target stores them in a plain column; in TableSchema::computed they do not
  // travel and the target computes them (docs/types.md, "Generated columns").
  std::string generated;
  bool generated_stored = true;  // STORED (true) or VIRTUAL
};

// What a foreign key does to the referencing rows when the referenced row is deleted or its
// key updated.
enum class ReferentialAction { kNoAction, kRestrict, kCascade, kSetNull, kSetDefault };

// A foreign key of the source table (the referencing side), as its catalog describes it.
struct ForeignKey {
  std::string name;
  std::vector<size_t> columns;  // indexes into the referencing table's `columns`
  TableName parent;             // the referenced table
  std::vector<std::string> parent_columns;
  ReferentialAction on_delete = ReferentialAction::kNoAction;
  ReferentialAction on_update = ReferentialAction::kNoAction;

  // Whether deleting or re-keying a parent row changes rows of this table (CASCADE, SET NULL,
  // SET DEFAULT). A target table cutover creates gets an index on `columns` for such a key (as
  // InnoDB has one for every foreign key), so the actions cutover reproduces find the child rows
  // by key (engine/pipeline/referential_actions.h).
  bool HasAction() const {
    auto acts = [](ReferentialAction a) {
      return a == ReferentialAction::kCascade || a == ReferentialAction::kSetNull ||
             a == ReferentialAction::kSetDefault;
    };
    return acts(on_delete) || acts(on_update);
  }
};

struct TableSchema {
  TableName name;
  std::vector<Column> columns;
  std::vector<size_t> key;      // indexes into `columns`: the primary key (or replica identity)
  std::string engine;           // "postgresql", "mariadb", "sqlite": who `type_name` belongs to
  int64_t estimated_rows = -1;  // catalog estimate for progress; -1 when unknown
  // Foreign keys of this table, when the source's catalog reports them (may be empty).
  std::vector<ForeignKey> foreign_keys;
  // Where a task's table mapping puts the table (DMS transformation rules, TargetSchema); empty:
  // the target engine's default (engine/core/naming.h). Set by the pipeline, never by a source.
  std::string target_schema;
  std::string target_table;
  // Generated columns whose values the source does not deliver (PostgreSQL: pgoutput and COPY
  // leave them out). They are not in `columns`, so no row, reader, change or batch ever holds
  // a value for them and no loader or applier can write them: the target creates them as
  // generated columns and computes them (engine/core/generated_columns.h), or the task refuses to
  // start. Each has `generated` set.
  std::vector<Column> computed;

  bool IsKeyColumn(size_t i) const {
    for (size_t k : key)
      if (k == i) return true;
    return false;
  }
};

using TableSchemaPtr = std::shared_ptr<const TableSchema>;

}  // namespace cutover
