// The lakehouse fold, run by DuckDB (an independent reader: not cutover's code) over the CSV
// files cutover wrote for one table, as a lakehouse job runs it:
//
//   ROW_NUMBER() OVER (PARTITION BY <key> ORDER BY cutover_position DESC) = 1, deletes dropped
//
// Usage: node duckdb_fold.mjs <table-folder> <key-column>[,<key-column>...] [gzip|plain|parquet] [--duplicates]
// Reads every *.csv (or *.csv.gz) under the folder (recursively: date partitions), all columns as
// text, with a header line (the tests write AddColumnName=true), NULL as the unquoted empty
// field and "" as the empty string. Prints one JSON line per current row: {"column": "text" or
// null, ...} without Op, the timestamp column and cutover_position; then nothing else.
// --duplicates: prints instead {"rows": N, "duplicates": D}, D = rows whose (key,
// cutover_position) another row has too: a change written twice (exactly once means D = 0).
import { DuckDBInstance } from '@duckdb/node-api';

const [folder, keyArg, compression, mode] = process.argv.slice(2);
if (!folder || !keyArg) {
  console.error('usage: duckdb_fold.mjs <table-folder> <key,...> [gzip]');
  process.exit(2);
}
const quote = (name) => '"' + name.replaceAll('"', '""') + '"';
const keys = keyArg.split(',').map(quote).join(', ');
const parquet = compression === 'parquet';
const glob = folder.replaceAll("'", "''") +
  (parquet ? '/**/*.parquet' : compression === 'gzip' ? '/**/*.csv.gz' : '/**/*.csv');
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
let files = `read_csv('${glob}', header = true, all_varchar = true, union_by_name = true,
  delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false,
  max_line_size = 8000000)`;
if (parquet) {
  const raw = `read_parquet('${glob}', union_by_name = true)`;
  const types = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${raw}`)).getRowsJson();
  const exprs = types.map(([name, type]) => {
    const c = quote(name);
    if (type === 'BLOB') return `lower(hex(${c})) AS ${c}`;
    if (type === 'TIMESTAMP WITH TIME ZONE')
      return `CAST(make_timestamp(epoch_us(${c})) AS VARCHAR) AS ${c}`;
    if (type === 'FLOAT') return `CAST(CAST(${c} AS DOUBLE) AS VARCHAR) AS ${c}`;
    return `CAST(${c} AS VARCHAR) AS ${c}`;
  });
  files = `(SELECT ${exprs.join(', ')} FROM ${raw})`;
}
// Full-load files without IncludeOpForFullLoad have no Op column; until a CDC file exists,
// neither has the union.
const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${files}`);
const hasOp = described.getRowsJson().some((r) => r[0] === 'Op');
const notDeleted = hasOp ? `coalesce("Op", 'I') <> 'D'` : 'true';
const sql = `
  WITH ranked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY ${keys} ORDER BY cutover_position DESC) AS rn
    FROM ${files})
  SELECT * EXCLUDE (rn, cutover_position) FROM ranked
  WHERE rn = 1 AND ${notDeleted}`;
if (mode === '--duplicates') {
  const dup = await conn.runAndReadAll(`
    SELECT count(*)::VARCHAR, (count(*) - count(DISTINCT (${keys}, cutover_position)))::VARCHAR
    FROM ${files}`);
  const [rows, duplicates] = dup.getRowsJson()[0];
  process.stdout.write(JSON.stringify({ rows, duplicates }) + '\n');
  process.exit(0);
}
const reader = await conn.runAndReadAll(sql);
const names = reader.columnNames();
for (const row of reader.getRowsJson()) {
  const out = {};
  names.forEach((n, i) => {
    if (n !== 'Op' && n !== process.env.TIMESTAMP_COLUMN) out[n] = row[i];
  });
  process.stdout.write(JSON.stringify(out) + '\n');
}
