// Independent Parquet readers for cutover's tests: prints what DuckDB or hyparquet reads from a
// Parquet file, so a test can compare it with what cutover wrote (never cutover's own reader).
//
//   node read.mjs duckdb FILE...     DuckDB (@duckdb/node-api, DuckDB's own engine)
//   node read.mjs hyparquet FILE...  hyparquet (a pure-JavaScript reader) + hyparquet-compressors
//   node read.mjs duckdb-write FILE   DuckDB writes a small file of many types (for cutover's
//                                  reader on a foreign file), then prints it as `duckdb` does
//   node read.mjs duckdb-write-v2 FILE   the same with PARQUET_VERSION v2 (DELTA encodings)
//   node read.mjs duckdb-sql FILE SQL...   runs each SQL in DuckDB with the file as view `t`
//                                  and prints {"rows": [...]} for each (filters that DuckDB
//                                  prunes by statistics)
//
// Output: one line per FILE (several files share one start of node and DuckDB), each a JSON
// document {"columns": [{"name", "type"}], "rows": [[value, ...], ...]} where
// every value is null or a string in one neutral form, whatever the reader's JS type:
// booleans "true"/"false"; integers and decimals in decimal text (hyparquet turns decimals into
// JS numbers, so its decimals are only as exact as a double); floats in JavaScript's shortest
// round-trip form ("NaN", "Infinity", "-0"); strings as they are; binary as lower-case hex;
// DATE as days since 1970-01-01; TIME and TIMESTAMP as microseconds.
// Exit status 1 with the reader's error (naming the file) on stderr when it refuses a file.
import { readFileSync } from 'node:fs';

function num(v) {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function render(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' || typeof v === 'bigint') return num(v);
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return hex(v);
  throw new Error(`unexpected JS value ${Object.prototype.toString.call(v)}`);
}

async function duckdb(file, writeFirst) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const path = `'${file.replaceAll("'", "''")}'`;
  if (writeFirst) {
    await conn.run(`COPY (SELECT i::INTEGER AS id,
        (i % 2 = 0) AS b, (i - 2)::TINYINT AS i8, i::UTINYINT AS u8, (i * 1000)::SMALLINT AS i16,
        (i * 100000)::BIGINT AS i64, (i * 4000000000)::UBIGINT AS u64,
        (i / 8)::FLOAT AS f32, (i / 3)::DOUBLE AS f64,
        (i * 1.25)::DECIMAL(5,2) AS d5_2, (i * 123456789.1234)::DECIMAL(18,4) AS d18_4,
        ('-12345678901234567890123456.' || i)::DECIMAL(38,10) AS d38_10,
        CASE WHEN i = 3 THEN NULL ELSE 'text ' || (i % 3) END AS s,
        ('\\x0' || i)::BLOB AS bin, (DATE '1969-12-30' + i::INTEGER) AS dt,
        (TIME '00:00:01' + INTERVAL (i) SECOND) AS tm,
        (TIMESTAMP '1969-12-31 23:59:59.999999' + INTERVAL (i) SECOND) AS ts,
        (TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (i) MINUTE) AS tstz,
        ('00000000-0000-4000-8000-00000000000' || i)::UUID AS id_uuid
      FROM range(0, 7) t(i)) TO ${path} (FORMAT parquet${writeFirst === 'v2' ? ', PARQUET_VERSION v2' : ''})`);
  }
  const described = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${path})`);
  const columns = described.getRowsJS().map((r) => ({ name: r[0], type: r[1] }));
  const exprs = columns.map(({ name, type }) => {
    const c = `"${name.replaceAll('"', '""')}"`;
    if (type === 'DATE') return `CAST(${c} - DATE '1970-01-01' AS BIGINT)`;
    if (type === 'TIME') return `datediff('microsecond', TIME '00:00:00', ${c})`;
    if (type.startsWith('TIMESTAMP')) return `epoch_us(${c})`;
    if (type === 'BLOB') return `lower(hex(${c}))`;
    if (type === 'FLOAT' || type === 'DOUBLE') return `CAST(${c} AS DOUBLE)`;
    if (type === 'VARCHAR') return c;
    return `CAST(${c} AS VARCHAR)`;
  });
  const result = await conn.runAndReadAll(`SELECT ${exprs.join(', ')} FROM read_parquet(${path})`);
  const rows = result.getRowsJS().map((r) => r.map(render));
  return { columns, rows };
}

async function hyparquet(file) {
  const { parquetReadObjects, parquetMetadata } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const buf = readFileSync(file);
  const arrayBuffer = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const metadata = parquetMetadata(arrayBuffer);
  const leaves = metadata.schema.slice(1);
  const columns = leaves.map((e) => ({
    name: e.name,
    type: [e.type, e.logical_type?.type ?? e.converted_type].filter(Boolean).join('/'),
  }));
  const objects = await parquetReadObjects({
    file: arrayBuffer,
    metadata,
    compressors,
    utf8: false, // unannotated BYTE_ARRAY stays binary; STRING columns still decode
    parsers: {
      dateFromDays: (d) => String(d),
      timestampFromMilliseconds: (ms) => (BigInt(ms) * 1000n).toString(),
      timestampFromMicroseconds: (us) => BigInt(us).toString(),
      timestampFromNanoseconds: (ns) => { throw new Error(`nanosecond timestamp ${ns}`); },
      jsonFromBytes: (b) => b && new TextDecoder().decode(b),
    },
  });
  const rows = objects.map((o) => leaves.map((e) => render(o[e.name])));
  return { columns, rows };
}

async function duckdbSql(file, queries) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(`CREATE VIEW t AS SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
  const out = [];
  for (const sql of queries) {
    const result = await conn.runAndReadAll(sql);
    out.push({ rows: result.getRowsJS().map((r) => r.map(render)) });
  }
  return out;
}

const [mode, ...args] = process.argv.slice(2);
if (args.length === 0 || !['duckdb', 'hyparquet', 'duckdb-write', 'duckdb-write-v2', 'duckdb-sql'].includes(mode)) {
  console.error('usage: node read.mjs duckdb|hyparquet FILE... | duckdb-write[-v2] FILE | duckdb-sql FILE SQL...');
  process.exit(2);
}
// One JSON line per FILE (per SQL for duckdb-sql), in order.
let current = args[0];
try {
  let docs;
  if (mode === 'duckdb-sql') {
    docs = await duckdbSql(args[0], args.slice(1));
  } else {
    docs = [];
    for (const file of args) {
      current = file;
      const write = mode === 'duckdb-write' ? 'v1' : mode === 'duckdb-write-v2' ? 'v2' : null;
      docs.push(mode === 'hyparquet' ? await hyparquet(file) : await duckdb(file, write));
    }
  }
  process.stdout.write(docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
} catch (e) {
  console.error(`${mode}: ${current}: ${e.message ?? e}`);
  process.exit(1);
}
