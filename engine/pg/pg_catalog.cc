// PgSource's catalog (pg_source.h): which tables a selection names, with their columns, keys,
// replica identity, partitioning and foreign keys, read from pg_catalog in a few queries.
#include <set>

#include "engine/core/log.h"
#include "engine/core/table_pattern.h"
#include "engine/pg/pg_conn.h"
#include "engine/pg/pg_source.h"
#include "engine/pg/pg_source_internal.h"
#include "engine/pg/pg_types.h"

namespace cutover::pg {

namespace {

std::string OidArray(const std::vector<uint32_t>& oids) {
  std::string s = "{";
  for (size_t i = 0; i < oids.size(); ++i) s += (i ? "," : "") + std::to_string(oids[i]);
  return s + "}";
}

}  // namespace

Result<std::vector<TableSchemaPtr>> PgSource::DiscoverTables(const TableSelection& patterns,
                                                             StartReport& problems) {
  ASSIGN_OR_RETURN(auto conn, PgConn::Connect(uri_, ConnMode::kNormal, "cutover"));
  ASSIGN_OR_RETURN(
      auto rels, conn->Exec("SELECT c.oid, n.nspname, c.relname, c.relkind, c.relreplident, "
                            "greatest(c.reltuples, 0)::bigint FROM pg_class c "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
                            "AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'cutover') "
                            "AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 2, 3",
                            "listing source tables"));
  struct Candidate {
    uint32_t oid;
    std::shared_ptr<TableSchema> schema;
    char replident;
    bool refused = false;
  };
  std::vector<Candidate> chosen;
  TablePatterns selection(patterns);
  for (int r = 0; r < rels.rows(); ++r) {
    TableName name{rels.str(r, 1), rels.str(r, 2)};
    if (!selection.Select(name)) continue;
    auto schema = std::make_shared<TableSchema>();
    schema->name = name;
    schema->engine = "postgresql";
    schema->estimated_rows = std::stoll(rels.str(r, 5));
    if (rels.get(r, 3) == "p") partitioned_.insert(name);
    chosen.push_back({static_cast<uint32_t>(std::stoul(rels.str(r, 0))), schema,
                      rels.get(r, 4).empty() ? 'd' : rels.get(r, 4)[0]});
  }
  selection.ReportUnused(problems);
  if (chosen.empty()) {
    if (!problems.empty()) return std::vector<TableSchemaPtr>{};  // the report says why
    return NotFound("the source database has no user tables to replicate");
  }

  std::vector<uint32_t> oids;
  std::unordered_map<uint32_t, Candidate*> by_oid;
  for (auto& c : chosen) {
    oids.push_back(c.oid);
    by_oid[c.oid] = &c;
  }
  std::string arr = OidArray(oids);
  ASSIGN_OR_RETURN(
      auto cols,
      conn->ExecParams("SELECT a.attrelid, a.attname, a.atttypid, "
                       "format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated, "
                       "pg_get_expr(d.adbin, d.adrelid), a.attidentity, t.typtype, "
                       "coalesce(pg_get_serial_sequence(a.attrelid::regclass::text, "
                       "a.attname), ''), a.atttypmod FROM pg_attribute a "
                       "JOIN pg_type t ON t.oid = a.atttypid "
                       "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                       "WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped "
                       "ORDER BY a.attrelid, a.attnum",
                       {arr.c_str()}, "reading source columns"));
  std::set<uint32_t> user_typed;  // enum and domain types of the columns
  for (int r = 0; r < cols.rows(); ++r) {
    Candidate* c = by_oid[static_cast<uint32_t>(std::stoul(cols.str(r, 0)))];
    Column col;
    col.name = cols.str(r, 1);
    col.type_id = static_cast<uint32_t>(std::stoul(cols.str(r, 2)));
    col.kind = KindForTypeOid(col.type_id);
    col.type_name = cols.str(r, 3);
    col.type_mod = std::stoi(cols.str(r, 10));
    col.type = DescribePgColumnType(col.type_id, col.type_name, col.kind);
    col.nullable = cols.get(r, 4) != "t";
    if (!cols.get(r, 5).empty()) {
      // A generated column: pgoutput and COPY leave it out, so the target computes it.
      col.generated = cols.str(r, 6);
      col.generated_stored = cols.get(r, 5) == "s";
      c->schema->computed.push_back(std::move(col));
      continue;
    }
    col.default_value = ParsePgDefault(cols.str(r, 6), col.kind);
    col.identity_sequence = cols.str(r, 9);
    if (cols.get(r, 7) == "a") col.identity = Identity::kAlways;
    if (cols.get(r, 7) == "d") col.identity = Identity::kByDefault;
    if (col.default_value.kind == DefaultKind::kSequence) {
      col.identity = Identity::kSerial;
      if (col.identity_sequence.empty()) col.identity_sequence = col.default_value.literal;
    }
    if (cols.get(r, 8) == "e" || cols.get(r, 8) == "d") user_typed.insert(col.type_id);
    c->schema->columns.push_back(std::move(col));
  }
  // Enums and domains: pointers into the columns are taken once every column is in place.
  std::map<uint32_t, std::vector<Column*>> by_type;
  for (auto& c : chosen) {
    for (Column& col : c.schema->columns)
      if (user_typed.count(col.type_id)) by_type[col.type_id].push_back(&col);
  }
  RETURN_IF_ERROR(ReadPgUserTypes(*conn, by_type));
  // Key: the replica identity index when the table uses one, else the primary key.
  ASSIGN_OR_RETURN(
      auto keys,
      conn->ExecParams("SELECT i.indrelid, i.indisprimary, i.indisreplident, a.attname "
                       "FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY "
                       "AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
                       "a.attnum = k.attnum WHERE (i.indisprimary OR i.indisreplident) AND "
                       "i.indrelid = ANY($1::oid[]) ORDER BY i.indrelid, i.indexrelid, k.ord",
                       {arr.c_str()}, "reading source keys"));
  for (auto& c : chosen) {
    std::vector<std::string> pk, ri;
    for (int r = 0; r < keys.rows(); ++r) {
      if (static_cast<uint32_t>(std::stoul(keys.str(r, 0))) != c.oid) continue;
      if (keys.get(r, 1) == "t") pk.push_back(keys.str(r, 3));
      if (keys.get(r, 2) == "t") ri.push_back(keys.str(r, 3));
    }
    const auto& names = (c.replident == 'i' && !ri.empty()) ? ri : pk;
    for (const auto& n : names) {
      for (size_t i = 0; i < c.schema->columns.size(); ++i)
        if (c.schema->columns[i].name == n) c.schema->key.push_back(i);
      for (const Column& g : c.schema->computed) {
        if (g.name != n) continue;
        problems.Refuse(
            "column " + c.schema->name.ToString() + "." + n,
            "is a generated column in the table's key: change capture does not "
            "carry its values",
            "leave the table out with --exclude-tables '" + c.schema->name.ToString() + "'");
        c.refused = true;
      }
    }
    if (c.replident == 'n') c.schema->key.clear();  // REPLICA IDENTITY NOTHING: no usable key
  }
  std::unordered_map<uint32_t, TableSchema*> schemas;
  for (auto& c : chosen) schemas[c.oid] = c.schema.get();
  RETURN_IF_ERROR(ReadPgSchemaObjects(*conn, arr, schemas));
  std::vector<TableSchemaPtr> out;
  for (auto& c : chosen) {
    if (c.refused) {
      problems.KeepRefusedTable(c.schema);  // its other problems are named in the same run
    } else {
      out.push_back(c.schema);
    }
  }
  return out;
}

}  // namespace cutover::pg
