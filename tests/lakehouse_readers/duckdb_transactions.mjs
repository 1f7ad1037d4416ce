// DuckDB (an independent reader: not cutover's code) over the transaction files cutover writes
// with PreserveTransactions (CDC_TXN-*.csv under <BucketFolder>/<CdcPath>/: each row Op, table,
// schema, the table's columns, cutover_position; no header line; rows of different tables have
// different widths, read with null_padding).
//
// Usage:
// <width>: the widest row of any table (3 + its columns + 1).
//   node duckdb_transactions.mjs rows <cdc-folder> <width> [gzip]
//     every row of the transaction files, in file-name order and row order (the order DMS
//     promises: commit order), one JSON array of <width> texts or nulls per line.
//   node duckdb_transactions.mjs fold <cdc-folder> <table-folder> <schema> <table> <col,...>
//        <key,...> <gzip|plain|parquet> <width>
//     the fold a lakehouse job runs for one table: its LOAD files (CSV without a header, or
//     Parquet) and its rows of the transaction files, ROW_NUMBER() OVER (PARTITION BY key
//     ORDER BY cutover_position DESC) = 1, deletes dropped; one JSON object per current row.
import { readdirSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, cdcFolder, ...rest] = process.argv.slice(2);
const quote = (name) => '"' + name.replaceAll('"', '""') + '"';
const lit = (s) => "'" + s.replaceAll("'", "''") + "'";
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
await conn.run('SET threads = 1');  // rows come back in file order, then row order

function txnSource(width, gzip) {
  const ext = gzip ? '.csv.gz' : '.csv';
  const files = readdirSync(cdcFolder)
    .filter((f) => f.startsWith('CDC_TXN-') && f.endsWith(ext))
    .sort()
    .map((f) => lit(cdcFolder + '/' + f));
  if (files.length === 0) return null;
  const cols = [];
  for (let i = 0; i < width; ++i) cols.push(`'c${i}': 'VARCHAR'`);
  return `read_csv([${files.join(', ')}], header = false, null_padding = true, auto_detect = false,
    columns = {${cols.join(', ')}}, delim = ',', quote = '"', escape = '"', nullstr = '',
    allow_quoted_nulls = false, max_line_size = 8000000)`;
}

if (mode === 'rows') {
  const [width, compression] = rest;
  const src = txnSource(Number(width), compression === 'gzip');
  if (src) {
    const reader = await conn.runAndReadAll(`SELECT * FROM ${src}`);
    for (const row of reader.getRowsJson()) process.stdout.write(JSON.stringify(row) + '\n');
  }
  process.exit(0);
}
if (mode !== 'fold') {
  console.error('usage: duckdb_transactions.mjs rows|fold ...');
  process.exit(2);
}
const [tableFolder, schema, table, colArg, keyArg, compression, widthArg] = rest;
const cols = colArg.split(',');
const keys = keyArg.split(',').map(quote).join(', ');
const parquet = compression === 'parquet';
const gzip = compression === 'gzip';
const loadGlob = lit(tableFolder + (parquet ? '/LOAD*.parquet' : gzip ? '/LOAD*.csv.gz' : '/LOAD*.csv'));
let load;
if (parquet) {
  load = `SELECT 'I' AS "Op", ${cols.map((c) => `CAST(${quote(c)} AS VARCHAR) AS ${quote(c)}`).join(', ')},
    cutover_position FROM read_parquet(${loadGlob})`;
} else {
  const spec = [...cols, 'cutover_position'].map((c) => `${lit(c)}: 'VARCHAR'`).join(', ');
  load = `SELECT 'I' AS "Op", * FROM read_csv(${loadGlob}, header = false, columns = {${spec}},
    delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false)`;
}
// The widest row of any table (the files are read with that many columns).
const src = txnSource(Number(widthArg), gzip);
let all = load;
if (src) {
  const picked = cols.map((c, i) => `c${3 + i} AS ${quote(c)}`).join(', ');
  all += ` UNION ALL SELECT c0 AS "Op", ${picked}, c${3 + cols.length} AS cutover_position
    FROM ${src} WHERE c1 = ${lit(table)} AND c2 = ${lit(schema)}`;
}
const sql = `
  WITH ranked AS (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY ${keys} ORDER BY cutover_position DESC) AS rn
    FROM (${all}))
  SELECT * EXCLUDE (rn, cutover_position, "Op") FROM ranked WHERE rn = 1 AND "Op" <> 'D'`;
const reader = await conn.runAndReadAll(sql);
const names = reader.columnNames();
for (const row of reader.getRowsJson()) {
  const out = {};
  names.forEach((n, i) => (out[n] = row[i]));
  process.stdout.write(JSON.stringify(out) + '\n');
}
