// LakehouseSettings: a file target's endpoint settings, read from DMS's S3Settings JSON.
//
// Design: users bring the S3Settings of their DMS endpoint (`aws dms describe-endpoints`, or
// the JSON of a CloudFormation/Terraform definition), so the keys are DMS's, spelled as DMS
// spells them, with DMS's defaults. The file may hold the settings object itself or
// {"S3Settings": {...}}. Every problem is collected (engine/task/json_reader.h) and named with
// file, key and what was expected; an unknown key is an error naming it (with the closest known
// key); a key that only means something to AWS (an IAM role, KMS encryption, Glue catalog...) is
// accepted with one warning line, since a local folder has nothing it could apply to. BucketName
// is the URI's bucket: given, it is only checked against nothing and warned about.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/status.h"

namespace cutover::lakehouse {

enum class DataFormat { kCsv, kParquet };

struct LakehouseSettings {
  DataFormat format = DataFormat::kCsv;
  std::string bucket_folder;  // prefix inside the target ("" = the URI's folder itself)
  bool gzip = false;          // CompressionType GZIP
  // CompressionType as written ("NONE", "GZIP"; for Parquet also cutover's "SNAPPY", "ZSTD").
  std::string compression = "NONE";
  std::string csv_delimiter = ",";
  std::string csv_row_delimiter = "\n";
  std::string csv_null_value;  // unquoted; an empty string value is written as "" (quoted)
  bool add_column_name = false;
  bool include_op_for_full_load = false;
  std::string timestamp_column;  // "" = no timestamp column
  bool cdc_inserts_only = false;
  bool cdc_inserts_and_updates = false;
  bool date_partition = false;
  std::string date_partition_sequence = "YYYYMMDD";
  std::string date_partition_delimiter = "SLASH";
  int64_t cdc_max_batch_interval_s = 60;
  int64_t cdc_min_file_size_kb = 32000;
  int64_t max_file_size_kb = 1048576;
  // Parquet (DataFormat parquet; parquet_row_file.cc).
  std::string parquet_version = "parquet-1-0";
  bool enable_statistics = true;
  int64_t row_group_length = 10000;
  int64_t data_page_size = 1048576;
  bool parquet_timestamp_in_millisecond = false;
  // PreserveTransactions + CdcPath: the CDC rows of every table go, in commit order, into
  // transaction files under <BucketFolder>/<CdcPath>/ (lakehouse_layout.h); the table folders
  // hold the full load only. `cdc_path` is "" unless preserve_transactions.
  bool preserve_transactions = false;
  std::string cdc_path;
  // cutover's own key MultipartPartSizeMiB: the part size of s3:// multipart uploads (5..5120).
  int64_t multipart_part_size_mib = 8;
};

// DMS's defaults.
inline LakehouseSettings DefaultSettings() {
  return {};
}

// Reads `path`. Errors: kInvalidArgument, one line per problem ("FILE: $.KEY: what"). Warnings
// (cloud-only keys) are appended to `warnings`, one line each.
Result<LakehouseSettings> ReadSettingsFile(const std::string& path,
                                           std::vector<std::string>& warnings);

// The folder of a date partition for `unix_seconds` (UTC), as DatePartitionSequence and
// DatePartitionDelimiter say ("2026/12/05"); "" when partitioning is off.
std::string DatePartitionFolder(const LakehouseSettings& s, int64_t unix_seconds);

}  // namespace cutover::lakehouse
