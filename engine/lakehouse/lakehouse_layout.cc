#include "engine/lakehouse/lakehouse_layout.h"

#include <cstdio>
#include <ctime>

namespace cutover::lakehouse {

std::string TableFolder(const LakehouseSettings& s, const TableName& table) {
  std::string f = table.schema + "/" + table.name;
  return s.bucket_folder.empty() ? f : s.bucket_folder + "/" + f;
}

std::string FileExtension(const LakehouseSettings& s) {
  if (s.format == DataFormat::kParquet) return ".parquet";
  return s.gzip ? ".csv.gz" : ".csv";
}

std::string LoadFileKey(const LakehouseSettings& s, const TableName& table, uint32_t counter) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "LOAD%08X", counter);
  return TableFolder(s, table) + "/" + buf + FileExtension(s);
}

std::string CdcFileKey(const LakehouseSettings& s, const TableName& table, int64_t unix_micros) {
  time_t secs = static_cast<time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d-%02d%02d%02d%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_micros / 1000 % 1000));
  std::string part = DatePartitionFolder(s, secs);
  return TableFolder(s, table) + "/" + (part.empty() ? "" : part + "/") + buf + FileExtension(s);
}

std::string TransactionFolder(const LakehouseSettings& s) {
  return s.bucket_folder.empty() ? s.cdc_path : s.bucket_folder + "/" + s.cdc_path;
}

std::string TransactionFileExtension(const LakehouseSettings& s) {
  return s.gzip ? ".csv.gz" : ".csv";
}

std::string TransactionFileKey(const LakehouseSettings& s, int64_t unix_micros) {
  time_t secs = static_cast<time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "CDC_TXN-%04d%02d%02d%02d%02d%02d%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_micros / 1000 % 1000));
  return TransactionFolder(s) + "/" + buf + TransactionFileExtension(s);
}

std::string RowPosition(const Position& txn, uint32_t seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%016llx.%016llx.%08x", static_cast<unsigned long long>(txn.major),
                static_cast<unsigned long long>(txn.minor), seq);
  return buf;
}

std::string TimestampText(int64_t unix_micros) {
  time_t secs = static_cast<time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%06d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_micros % 1000000));
  return buf;
}

}  // namespace cutover::lakehouse
