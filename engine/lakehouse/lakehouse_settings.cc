#include "engine/lakehouse/lakehouse_settings.h"

#include <cctype>
#include <ctime>
#include <map>
#include <optional>

#include "engine/task/json_reader.h"

namespace cutover::lakehouse {
namespace {

const std::vector<std::string>& KnownKeys() {
  static const std::vector<std::string> keys = {
      "DataFormat", "BucketFolder", "CompressionType", "CsvDelimiter", "CsvRowDelimiter",
      "CsvNullValue", "AddColumnName", "IncludeOpForFullLoad", "TimestampColumnName",
      "CdcInsertsOnly", "CdcInsertsAndUpdates", "DatePartitionEnabled", "DatePartitionSequence",
      "DatePartitionDelimiter", "CdcMaxBatchInterval", "CdcMinFileSize", "MaxFileSize",
      "ParquetVersion", "EnableStatistics", "RowGroupLength", "DataPageSize",
      "ParquetTimestampInMillisecond", "PreserveTransactions", "CdcPath", "Rfc4180",
      "MultipartPartSizeMiB",  // cutover's own: s3:// part size
      // Cloud-only: accepted with a warning (see CloudOnly()).
      "BucketName", "ServiceAccessRoleArn", "ExternalTableDefinition", "EncryptionMode",
      "ServerSideEncryptionKmsKeyId", "CannedAclForObjects", "ExpectedBucketOwner",
      "GlueCatalogGeneration", "DatePartitionTimezone", "AddTrailingPaddingCharacter",
      "UseTaskStartTimeForFullLoadTimestamp", "DictPageSizeLimit", "EncodingType",
      "IgnoreHeaderRows", "UseCsvNoSupValue", "CsvNoSupValue"};
  return keys;
}

// Keys that mean something only to AWS or that a local folder cannot apply, with why.
const std::map<std::string, std::string>& CloudOnly() {
  static const std::map<std::string, std::string> keys = {
      {"BucketName", "the bucket is the target URI's"},
      {"ServiceAccessRoleArn", "an IAM role, for AWS only"},
      {"ExternalTableDefinition", "a DMS source setting"},
      {"EncryptionMode", "server-side encryption of S3"},
      {"ServerSideEncryptionKmsKeyId", "server-side encryption of S3"},
      {"CannedAclForObjects", "an S3 object ACL"},
      {"ExpectedBucketOwner", "an S3 bucket check"},
      {"GlueCatalogGeneration", "the AWS Glue catalog"},
      {"DatePartitionTimezone", "date partitions are always UTC in cutover"},
      {"AddTrailingPaddingCharacter", "padding of DMS's own CSV"},
      {"UseTaskStartTimeForFullLoadTimestamp", "the full load's timestamp is its write time"},
      {"DictPageSizeLimit", "the Parquet writer sizes its dictionaries itself"},
      {"EncodingType", "the Parquet writer chooses encodings itself"},
      {"IgnoreHeaderRows", "a DMS source setting"},
      {"UseCsvNoSupValue", "every type cutover replicates has a CSV value"},
      {"CsvNoSupValue", "every type cutover replicates has a CSV value"}};
  return keys;
}

}  // namespace

Result<LakehouseSettings> ReadSettingsFile(const std::string& path,
                                           std::vector<std::string>& warnings) {
  task::JsonProblems problems("--target-settings " + path);
  auto json = task::ReadJsonFile(path, problems);
  if (!json) return problems.ToStatus();
  const nlohmann::json* root = &*json;
  std::string at = "$";
  if (root->is_object() && root->size() == 1 && root->contains("S3Settings")) {
    root = &(*root)["S3Settings"];
    at = "$.S3Settings";
  }
  task::JsonObject o(*root, at, problems);
  o.CheckKeys(KnownKeys());
  LakehouseSettings s;
  if (auto v = o.Enum("DataFormat", {"csv", "parquet"}))
    s.format = *v == "parquet" ? DataFormat::kParquet : DataFormat::kCsv;
  if (auto v = o.String("BucketFolder")) {
    std::string f = *v;
    while (!f.empty() && f.back() == '/') f.pop_back();
    while (!f.empty() && f.front() == '/') f.erase(0, 1);
    if (f.find("..") != std::string::npos)
      problems.Error(o.PathOf("BucketFolder"), "expected a folder inside the target, without '..'");
    s.bucket_folder = f;
  }
  if (auto v = o.Enum("CompressionType",
                      {"NONE", "GZIP", "SNAPPY", "ZSTD", "none", "gzip", "snappy", "zstd"})) {
    s.compression.clear();
    for (char c : *v) s.compression.push_back(static_cast<char>(std::toupper(c)));
    s.gzip = s.compression == "GZIP";
  }
  auto one_char = [&](const char* key, std::string& out) {
    if (auto v = o.String(key)) {
      if (v->empty())
        problems.Error(o.PathOf(key), "expected a non-empty string");
      else
        out = *v;
    }
  };
  one_char("CsvDelimiter", s.csv_delimiter);
  one_char("CsvRowDelimiter", s.csv_row_delimiter);
  if (auto v = o.String("CsvNullValue")) s.csv_null_value = *v;
  if (auto v = o.Bool("AddColumnName")) s.add_column_name = *v;
  if (auto v = o.Bool("IncludeOpForFullLoad")) s.include_op_for_full_load = *v;
  if (auto v = o.String("TimestampColumnName")) s.timestamp_column = *v;
  if (auto v = o.Bool("CdcInsertsOnly")) s.cdc_inserts_only = *v;
  if (auto v = o.Bool("CdcInsertsAndUpdates")) s.cdc_inserts_and_updates = *v;
  if (s.cdc_inserts_only && s.cdc_inserts_and_updates)
    problems.Error(o.PathOf("CdcInsertsAndUpdates"),
                   "CdcInsertsOnly and CdcInsertsAndUpdates cannot both be true");
  if (auto v = o.Bool("DatePartitionEnabled")) s.date_partition = *v;
  if (auto v = o.Enum("DatePartitionSequence",
                      {"YYYYMMDD", "YYYYMMDDHH", "YYYYMM", "MMYYYYDD", "DDMMYYYY"}))
    s.date_partition_sequence = *v;
  if (auto v = o.Enum("DatePartitionDelimiter", {"SLASH", "UNDERSCORE", "DASH", "NONE"}))
    s.date_partition_delimiter = *v;
  if (auto v = o.Int("CdcMaxBatchInterval", 1, 86400)) s.cdc_max_batch_interval_s = *v;
  if (auto v = o.Int("CdcMinFileSize", 1, 1048576)) s.cdc_min_file_size_kb = *v;
  if (auto v = o.Int("MaxFileSize", 1, 1048576)) s.max_file_size_kb = *v;
  if (auto v = o.Enum("ParquetVersion", {"parquet-1-0", "parquet-2-0"})) s.parquet_version = *v;
  if (auto v = o.Bool("EnableStatistics")) s.enable_statistics = *v;
  if (auto v = o.Int("RowGroupLength", 1, int64_t{1} << 31)) s.row_group_length = *v;
  if (auto v = o.Int("DataPageSize", 1024, int64_t{1} << 30)) s.data_page_size = *v;
  if (auto v = o.Bool("ParquetTimestampInMillisecond")) s.parquet_timestamp_in_millisecond = *v;
  // PreserveTransactions needs CdcPath, and DMS refuses it with DatePartitionEnabled (the
  // transaction files are not partitioned) and AddColumnName (their rows have the columns of
  // different tables, so no header line fits them).
  std::optional<std::string> cdc_path;
  if (auto v = o.String("CdcPath")) cdc_path = *v;
  if (auto v = o.Bool("PreserveTransactions")) s.preserve_transactions = *v;
  if (s.preserve_transactions) {
    std::string f = cdc_path.value_or("");
    while (!f.empty() && f.back() == '/') f.pop_back();
    while (!f.empty() && f.front() == '/') f.erase(0, 1);
    if (!cdc_path)
      problems.Error(o.PathOf("CdcPath"),
                     "missing: PreserveTransactions true needs CdcPath, the folder (under "
                     "BucketFolder) of the transaction files");
    else if (f.empty() || f.find("..") != std::string::npos)
      problems.Error(o.PathOf("CdcPath"),
                     "expected a folder inside the target (\"changes\"), not empty, without '..'");
    s.cdc_path = f;
    if (s.date_partition)
      problems.Error(o.PathOf("DatePartitionEnabled"),
                     "true cannot be used with PreserveTransactions true (as in DMS: the "
                     "transaction files are not date-partitioned)");
    if (s.add_column_name)
      problems.Error(o.PathOf("AddColumnName"),
                     "true cannot be used with PreserveTransactions true (as in DMS: rows of "
                     "different tables share the transaction files, no header line fits them)");
  } else if (cdc_path) {
    problems.Warn(o.PathOf("CdcPath"),
                  "ignored: a target writes transaction files only with PreserveTransactions "
                  "true");
  }
  if (auto v = o.Int("MultipartPartSizeMiB", 5, 5120)) s.multipart_part_size_mib = *v;
  if (auto v = o.Bool("Rfc4180"); v && !*v)
    problems.Error(o.PathOf("Rfc4180"),
                   "false is not supported: cutover always quotes CSV fields as RFC 4180 says");
  if (s.format == DataFormat::kCsv && (s.compression == "SNAPPY" || s.compression == "ZSTD"))
    problems.Error(o.PathOf("CompressionType"),
                   s.compression +
                       " compresses Parquet pages only: with DataFormat csv use NONE or "
                       "GZIP");
  if (!problems.ok()) return problems.ToStatus();
  if (root->is_object()) {
    for (const auto& [key, why] : CloudOnly())
      if (root->contains(key))
        warnings.push_back(problems.file() + ": " + at + "." + key + " ignored (" + why + ")");
  }
  for (const auto& w : problems.warnings()) warnings.push_back(w);
  return s;
}

std::string DatePartitionFolder(const LakehouseSettings& s, int64_t unix_seconds) {
  if (!s.date_partition) return "";
  time_t t = static_cast<time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char y[16], m[16], d[16], h[16];
  std::snprintf(y, sizeof y, "%04d", tm.tm_year + 1900);
  std::snprintf(m, sizeof m, "%02d", tm.tm_mon + 1);
  std::snprintf(d, sizeof d, "%02d", tm.tm_mday);
  std::snprintf(h, sizeof h, "%02d", tm.tm_hour);
  std::vector<std::string> parts;
  const std::string& q = s.date_partition_sequence;
  if (q == "YYYYMMDD")
    parts = {y, m, d};
  else if (q == "YYYYMMDDHH")
    parts = {y, m, d, h};
  else if (q == "YYYYMM")
    parts = {y, m};
  else if (q == "MMYYYYDD")
    parts = {m, y, d};
  else
    parts = {d, m, y};  // DDMMYYYY
  std::string sep = s.date_partition_delimiter == "SLASH"        ? "/"
                    : s.date_partition_delimiter == "UNDERSCORE" ? "_"
                    : s.date_partition_delimiter == "DASH"       ? "-"
                                                                 : "";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

}  // namespace cutover::lakehouse
