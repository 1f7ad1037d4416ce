// Layout: where a lakehouse target puts a table's files and how it names them, as DMS does.
//
//   <BucketFolder>/<schema>/<table>/LOAD00000001.csv        full load, hex counter, 8 digits
//   <BucketFolder>/<schema>/<table>/20261205-013015123.csv  CDC, named by the time it was
//                                                           started (UTC, ms)
//   <BucketFolder>/<schema>/<table>/2026/12/05/2026...csv   CDC with DatePartitionEnabled
// ".csv.gz" with CompressionType GZIP. Every row ends with cutover_position (RowPosition).
//
// With PreserveTransactions (DMS's "CDC including transaction order"), CDC rows of every table
// go instead, in commit order, into transaction files named by the time they were started:
//   <BucketFolder>/<CdcPath>/CDC_TXN-20261205013015123.csv   (UTC: YYYYMMDDHHMMSS + ms)
// always CSV, as DMS writes them whatever DataFormat is (".csv.gz" with GZIP). Each row:
//   Op, table, schema, [timestamp column], the table's columns, cutover_position
// (DMS's "operation,table_name,database_schema_name,field_value,..."; the names are where the
// row lands, as for the table folders).
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/position.h"
#include "engine/core/schema.h"
#include "engine/lakehouse/lakehouse_settings.h"

namespace cutover::lakehouse {

// "<BucketFolder>/<schema>/<table>" (no BucketFolder: "<schema>/<table>").
std::string TableFolder(const LakehouseSettings& s, const TableName& table);
// ".csv", ".csv.gz", ".parquet".
std::string FileExtension(const LakehouseSettings& s);
std::string LoadFileKey(const LakehouseSettings& s, const TableName& table, uint32_t counter);
// The CDC file started at `unix_micros`; `bump_ms` added to its time to make the name unique.
std::string CdcFileKey(const LakehouseSettings& s, const TableName& table, int64_t unix_micros);

// "<BucketFolder>/<CdcPath>" (no BucketFolder: "<CdcPath>").
std::string TransactionFolder(const LakehouseSettings& s);
// ".csv" or ".csv.gz": transaction files are CSV whatever DataFormat is.
std::string TransactionFileExtension(const LakehouseSettings& s);
// The transaction file started at `unix_micros` (named to the millisecond).
std::string TransactionFileKey(const LakehouseSettings& s, int64_t unix_micros);

// A row's source position as text that sorts as the source's order: the transaction's position
// (major, minor) and the change's order within it (`seq`, 0 for full-load rows, which come
// before any change of the transaction at the snapshot's position), fixed-width hex:
// "000000000169a2b8.0000000000000000.00000001".
std::string RowPosition(const Position& txn, uint32_t seq);

// "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) of µs since the epoch: the TimestampColumnName values.
std::string TimestampText(int64_t unix_micros);

}  // namespace cutover::lakehouse
