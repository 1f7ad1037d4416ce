// PreserveTransactions + CdcPath on the lakehouse target: DMS's transaction file names and
// folder, the settings DMS refuses with it (each one line naming the key), the rows a
// transaction file holds (Op, table, schema, the table's columns, cutover_position), and the
// fold of a table from its LOAD files and the transaction files it is listed under, through a
// local folder store.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/core/civil_time.h"
#include "engine/lakehouse/lakehouse_fold.h"
#include "engine/lakehouse/lakehouse_layout.h"
#include "engine/lakehouse/lakehouse_manifest.h"
#include "engine/lakehouse/lakehouse_settings.h"
#include "engine/lakehouse/object_store.h"
#include "engine/lakehouse/row_file.h"

namespace cutover::lakehouse {
namespace {

namespace fs = std::filesystem;

TEST(LakehouseTransactions, DmsFileNamesUnderBucketFolderAndCdcPath) {
  LakehouseSettings s;
  s.preserve_transactions = true;
  s.cdc_path = "changes";
  // 2026-12-05 01:30:15.123456 UTC
  int64_t us = (DaysFromCivil(2026, 12, 5) * 86400 + 5415) * 1000000LL + 123456;
  EXPECT_EQ(TransactionFileKey(s, us), "changes/CDC_TXN-20261205013015123.csv");
  s.bucket_folder = "raw";
  s.gzip = true;
  EXPECT_EQ(TransactionFileKey(s, us), "raw/changes/CDC_TXN-20261205013015123.csv.gz");
  // Parquet data files, CSV transaction files (as DMS writes them whatever DataFormat is).
  s.format = DataFormat::kParquet;
  s.gzip = false;
  s.compression = "SNAPPY";
  EXPECT_EQ(TransactionFileKey(s, us), "raw/changes/CDC_TXN-20261205013015123.csv");
  EXPECT_EQ(LoadFileKey(s, {"public", "a"}, 1), "raw/public/a/LOAD00000001.parquet");
  // Names sort in time order (the sink also keeps each new name after the last).
  EXPECT_LT(TransactionFileKey(s, us), TransactionFileKey(s, us + 1000));
  EXPECT_LT(TransactionFileKey(s, us + 999000), TransactionFileKey(s, us + 1000000));
}

std::string SettingsError(const std::string& json, std::vector<std::string>* warnings = nullptr) {
  std::string path = ::testing::TempDir() + "/lh-preserve-settings.json";
  std::ofstream(path) << json;
  std::vector<std::string> w;
  auto s = ReadSettingsFile(path, w);
  if (warnings) *warnings = w;
  return s.ok() ? "" : s.status().message();
}

TEST(LakehouseTransactions, SettingsDmsRefusesAreOneLineNamingTheKey) {
  std::string m = SettingsError(R"({"PreserveTransactions": true})");
  EXPECT_NE(m.find("$.CdcPath: missing: PreserveTransactions true needs CdcPath"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  m = SettingsError(R"({"PreserveTransactions": true, "CdcPath": "../up"})");
  EXPECT_NE(m.find("$.CdcPath: expected a folder inside the target"), std::string::npos) << m;
  m = SettingsError(R"({"PreserveTransactions": true, "CdcPath": "/"})");
  EXPECT_NE(m.find("$.CdcPath: expected a folder inside the target"), std::string::npos) << m;
  m = SettingsError(
      R"({"PreserveTransactions": true, "CdcPath": "c", "DatePartitionEnabled": true})");
  EXPECT_NE(m.find("$.DatePartitionEnabled: true cannot be used with PreserveTransactions"),
            std::string::npos)
      << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  m = SettingsError(R"({"S3Settings": {"PreserveTransactions": true, "CdcPath": "c",
                        "AddColumnName": true}})");
  EXPECT_NE(m.find("$.S3Settings.AddColumnName: true cannot be used with PreserveTransactions"),
            std::string::npos)
      << m;
  m = SettingsError(R"({"PreserveTransactions": "yes", "CdcPath": "c"})");
  EXPECT_NE(m.find("$.PreserveTransactions"), std::string::npos) << m;
  // CdcPath alone means nothing to a target: one warning, no error.
  std::vector<std::string> warnings;
  EXPECT_EQ(SettingsError(R"({"CdcPath": "c"})", &warnings), "");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("$.CdcPath: ignored"), std::string::npos) << warnings[0];
  // Accepted: the folder without its slashes.
  std::string path = ::testing::TempDir() + "/lh-preserve-ok.json";
  std::ofstream(path) << R"({"PreserveTransactions": true, "CdcPath": "/changes/",
                             "DataFormat": "parquet"})";
  auto s = ReadSettingsFile(path, warnings);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->preserve_transactions);
  EXPECT_EQ(s->cdc_path, "changes");
  // Recorded in the manifest: a restart with another CdcPath is refused.
  LakehouseSettings other = *s;
  other.cdc_path = "other";
  Status same = CheckSameFileSettings(*s, other);
  EXPECT_FALSE(same.ok());
  EXPECT_NE(same.message().find("CdcPath"), std::string::npos) << same.message();
}

Column Col(const std::string& name, ValueKind kind) {
  Column c;
  c.name = name;
  c.kind = kind;
  return c;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(LakehouseTransactions, OneFileOfTwoTablesInCommitOrderFoldsPerTable) {
  fs::path dir = fs::path(::testing::TempDir()) / "lh-preserve-store";
  fs::remove_all(dir);
  auto store = OpenObjectStore("file://" + dir.string());
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE((*store)->CheckWritable().ok());
  LakehouseSettings s;
  s.preserve_transactions = true;
  s.cdc_path = "changes";
  s.timestamp_column = "ts";

  std::vector<Column> a_cols = {Col("id", ValueKind::kInt64), Col("v", ValueKind::kText)};
  std::vector<Column> b_cols = {Col("id", ValueKind::kInt64), Col("a_id", ValueKind::kInt64),
                                Col("n", ValueKind::kInt64)};
  // Full load of a: ids 1 and 2.
  auto load = OpenRowFile(**store, LoadFileKey(s, {"public", "a"}, 1), s, a_cols, false);
  ASSERT_TRUE(load.ok());
  const std::string zero = RowPosition(Position{}, 0);
  ASSERT_TRUE((*load)
                  ->Write(0, "t0", {Value::Int64(1), Value::String(ValueKind::kText, "one")}, zero)
                  .ok());
  ASSERT_TRUE((*load)
                  ->Write(0, "t0", {Value::Int64(2), Value::String(ValueKind::kText, "two")}, zero)
                  .ok());
  ASSERT_TRUE((*load)->Complete().ok());

  // One transaction across both tables, then one on a alone.
  std::string key = TransactionFileKey(s, 1000000);
  auto txn = OpenTransactionFile(**store, key, s);
  ASSERT_TRUE(txn.ok());
  Position p1{0x100, 0, "p1"}, p2{0x200, 0, "p2"};
  TableName a{"public", "a"}, b{"public", "b"};
  ASSERT_TRUE((*txn)
                  ->Write('I', a, "t1",
                          {Value::Int64(3), Value::String(ValueKind::kText, "x,\"y\"")},
                          RowPosition(p1, 1))
                  .ok());
  ASSERT_TRUE((*txn)
                  ->Write('I', b, "t1", {Value::Int64(9), Value::Int64(3), Value::Null()},
                          RowPosition(p1, 2))
                  .ok());
  ASSERT_TRUE(
      (*txn)->Write('D', a, "t1", {Value::Int64(1), Value::Null()}, RowPosition(p1, 3)).ok());
  ASSERT_TRUE((*txn)
                  ->Write('U', a, "t2", {Value::Int64(3), Value::String(ValueKind::kText, "")},
                          RowPosition(p2, 1))
                  .ok());
  // Invisible until complete.
  EXPECT_FALSE(fs::exists(dir / key));
  ASSERT_TRUE((*txn)->Complete().ok());
  EXPECT_EQ((*txn)->rows(), 4);
  EXPECT_EQ(ReadAll((dir / key).string()),
            "I,a,public,t1,3,\"x,\"\"y\"\"\",0000000000000100.0000000000000000.00000001\n"
            "I,b,public,t1,9,3,,0000000000000100.0000000000000000.00000002\n"
            "D,a,public,t1,1,,0000000000000100.0000000000000000.00000003\n"
            "U,a,public,t2,3,\"\",0000000000000200.0000000000000000.00000001\n");

  // The manifest lists the file under both tables; each folds its own rows.
  ManifestTable ta;
  ta.name = a;
  ta.columns = a_cols;
  ta.key = {0};
  ta.files.push_back({LoadFileKey(s, a, 1), true, false, 2, 0});
  CommittedFile fa{key, false, true, 3, 0};
  fa.txn = true;
  ta.files.push_back(fa);
  ManifestTable tb;
  tb.name = b;
  tb.columns = b_cols;
  tb.key = {0};
  CommittedFile fb{key, false, true, 1, 0};
  fb.txn = true;
  tb.files.push_back(fb);

  auto fa_rows = FoldTable(**store, s, ta);
  ASSERT_TRUE(fa_rows.ok()) << fa_rows.status().message();
  std::vector<std::string> got;
  for (const auto& r : fa_rows->rows) got.push_back(r[0].DebugString() + "=" + r[1].DebugString());
  std::sort(got.begin(), got.end());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], Value::Int64(2).DebugString() + "=" +
                        Value::String(ValueKind::kText, "two").DebugString());
  EXPECT_EQ(got[1], Value::Int64(3).DebugString() + "=" +
                        Value::String(ValueKind::kText, "").DebugString());
  auto fb_rows = FoldTable(**store, s, tb);
  ASSERT_TRUE(fb_rows.ok()) << fb_rows.status().message();
  ASSERT_EQ(fb_rows->rows.size(), 1u);
  EXPECT_TRUE(fb_rows->rows[0][1] == Value::Int64(3));
  EXPECT_TRUE(fb_rows->rows[0][2].is_null());

  // Listed under two tables, the file is one committed file.
  Manifest m;
  m.tables[a] = ta;
  m.tables[b] = tb;
  EXPECT_EQ(m.Files().size(), 2u);
  // And the entry's flag survives the manifest's round trip.
  auto back = DecodeManifest(EncodeManifest(m), "m");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->tables.at(b).files[0].txn);
  EXPECT_FALSE(back->tables.at(a).files[0].txn);
}

}  // namespace
}  // namespace cutover::lakehouse
