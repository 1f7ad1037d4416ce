// Integration tests of the MariaDB binlog transport and row-image decoder (BinlogReader,
// binlog_event, row_image) against a real MariaDB 10.11 (ThrowawayServer: log_bin, ROW, FULL
// image, FULL metadata).
//
// The central property: for every type family, the Values decoded from the binlog are exactly
// the Values the full load reads for the same rows: SELECT MariaSelectExpression(column) through
// the text protocol, parsed by DecodeMariaText with the Column that MariaSource's catalog
// discovery builds (maria_types.h). Each test writes rows (edge values, NULL in every column),
// updates and deletes some, then replays the binlog from the position before (SHOW MASTER
// STATUS) into a map keyed by id, checking every UPDATE/DELETE before image against the state
// replayed so far. The final map must equal both the SELECT-side Values and the Values written
// out by hand from docs/types.md (so both readers are also checked against the contract). Then the
// transport: a 20,000-row statement spanning many events, resume by GTID, heartbeats on an idle
// stream, purged binlogs, a killed connection.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "engine/core/civil_time.h"
#include "engine/mariadb/binlog_reader.h"
#include "engine/mariadb/maria_conn.h"
#include "engine/mariadb/maria_source.h"
#include "engine/mariadb/maria_types.h"
#include "harness/throwaway_server.h"

namespace cutover::mariadb {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

class MariaBinlog : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = harness::ThrowawayServer::Start(harness::ServerKind::kMariaDb, "binlog");
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    auto conn = MariaConn::Connect(server_->uri(), "test");
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(conn).value();
  }

  void Exec(const std::string& sql) {
    Status st = conn_->Exec(sql);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  MariaRows Query(const std::string& sql) {
    auto rows = conn_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? std::move(rows).value() : MariaRows();
  }

  BinlogStart CurrentPosition() {
    MariaRows rows = Query("SHOW MASTER STATUS");
    BinlogStart start;
    if (rows.rows.empty()) return start;
    start.file = rows.Get(0, "File").value_or("");
    start.pos = std::stoull(rows.Get(0, "Position").value_or("4"));
    return start;
  }

  std::unique_ptr<BinlogReader> OpenReader(const BinlogStart& start,
                                           milliseconds heartbeat = milliseconds(500)) {
    auto reader = BinlogReader::Open(server_->uri(), start, next_server_id_++, heartbeat);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    return reader.ok() ? std::move(reader).value() : nullptr;
  }

  // Reads events (copies) until `done` returns true for one, bounded by `timeout`.
  template <typename Done>
  std::vector<BinlogEvent> ReadUntil(BinlogReader& reader, Done done,
                                     seconds timeout = seconds(60)) {
    std::vector<BinlogEvent> events;
    auto deadline = Clock::now() + timeout;
    BinlogEvent ev;
    while (Clock::now() < deadline) {
      Status st = reader.Next(ev);
      if (!st.ok()) {
        ADD_FAILURE() << st.ToString();
        break;
      }
      events.push_back(ev);
      if (done(ev)) return events;
    }
    ADD_FAILURE() << "condition not reached within " << timeout.count() << " s";
    return events;
  }

  // Rows events of `table` replayed into id -> row, checking before images on the way.
  // Column 0 must be the integer id.
  std::map<int64_t, std::vector<Value>> Replay(const std::vector<BinlogEvent>& events,
                                               const std::string& table) {
    std::map<int64_t, std::vector<Value>> state;
    for (const BinlogEvent& ev : events) {
      if (ev.type != BinlogEvent::Type::kWriteRows && ev.type != BinlogEvent::Type::kUpdateRows &&
          ev.type != BinlogEvent::Type::kDeleteRows)
        continue;
      if (!ev.table_map || ev.table_map->table != table) continue;
      for (const RowImagePair& row : ev.rows) {
        if (ev.type != BinlogEvent::Type::kWriteRows) {
          int64_t id = row.before.at(0).as_int64();
          auto it = state.find(id);
          if (it == state.end()) {
            ADD_FAILURE() << table << ": before image of unknown id " << id;
            continue;
          }
          ExpectRow(row.before, it->second, table + " before image of id " + std::to_string(id));
          if (ev.type == BinlogEvent::Type::kDeleteRows) state.erase(it);
        }
        if (ev.type != BinlogEvent::Type::kDeleteRows)
          state[row.after.at(0).as_int64()] = row.after;
      }
    }
    return state;
  }

  static void ExpectRow(const std::vector<Value>& got, const std::vector<Value>& want,
                        const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_EQ(got[i], want[i]) << what << " column " << i << ": got " << got[i].DebugString()
                                 << ", want " << want[i].DebugString();
  }

  // Runs `workload`, then a marker row, and replays the binlog from before the workload.
  std::map<int64_t, std::vector<Value>> RunAndReplay(const std::string& table,
                                                     const std::vector<std::string>& workload) {
    BinlogStart start = CurrentPosition();
    for (const auto& sql : workload) {
      Exec(sql);
      if (HasFatalFailure()) return {};
    }
    Exec("CREATE TABLE IF NOT EXISTS marker(id int primary key)");
    Exec("INSERT INTO marker VALUES (" + std::to_string(++marker_) + ")");
    auto reader = OpenReader(start);
    if (!reader) return {};
    auto events = ReadUntil(*reader, [](const BinlogEvent& ev) {
      return ev.type == BinlogEvent::Type::kWriteRows && ev.table_map->table == "marker";
    });
    return Replay(events, table);
  }

  // The table as the full load reads it: id -> row of Values (see the file comment).
  std::map<int64_t, std::vector<Value>> SelectState(const std::string& table) {
    std::map<int64_t, std::vector<Value>> out;
    auto source = MariaSource::Open(server_->uri(), MariaSourceOptions());
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    if (!source.ok()) return out;
    auto tables = (*source)->DiscoverTablesOrFail(TableSelection{{table}, {}});
    EXPECT_TRUE(tables.ok()) << tables.status().ToString();
    if (!tables.ok()) return out;
    const TableSchema& schema = *tables->at(0);
    std::string sql = "SELECT ";
    for (size_t i = 0; i < schema.columns.size(); ++i)
      sql += (i ? ", " : "") + MariaSelectExpression(schema.columns[i]);
    sql += " FROM " + MariaConn::QualifiedName(schema.name) + " ORDER BY 1";
    MariaRows rows = Query(sql);
    for (const auto& r : rows.rows) {
      std::vector<Value> row(r.size());
      for (size_t i = 0; i < r.size(); ++i) {
        if (!r[i]) continue;  // NULL
        Status st = DecodeMariaText(schema.columns[i], *r[i], row[i]);
        EXPECT_TRUE(st.ok()) << st.ToString();
      }
      out[row.at(0).as_int64()] = std::move(row);
    }
    columns_ = schema.columns;
    return out;
  }

  // The kJson coercion the source applies from the catalog (the decoder gives JSON as kText).
  void CoerceJson(std::map<int64_t, std::vector<Value>>& state) const {
    for (auto& [id, row] : state)
      for (size_t i = 0; i < row.size() && i < columns_.size(); ++i)
        if (columns_[i].kind == ValueKind::kJson && row[i].kind() == ValueKind::kText)
          row[i] = Value::String(ValueKind::kJson, row[i].str());
  }

  // Binlog state == SELECT state == the hand-written expectation.
  void ExpectAll(std::map<int64_t, std::vector<Value>> binlog,
                 std::map<int64_t, std::vector<Value>> want, const std::string& table) {
    ExpectTable(binlog, want, table + " (binlog vs docs/types.md)");
    auto selected = SelectState(table);
    CoerceJson(binlog);
    ExpectTable(binlog, selected, table + " (binlog vs SELECT)");
  }

  void ExpectTable(const std::map<int64_t, std::vector<Value>>& got,
                   const std::map<int64_t, std::vector<Value>>& want, const std::string& table) {
    ASSERT_EQ(got.size(), want.size()) << table;
    for (const auto& [id, row] : want) {
      auto it = got.find(id);
      ASSERT_NE(it, got.end()) << table << " id " << id;
      ExpectRow(it->second, row, table + " id " + std::to_string(id));
    }
  }

  std::unique_ptr<harness::ThrowawayServer> server_;
  std::unique_ptr<MariaConn> conn_;
  std::vector<Column> columns_;  // of the table SelectState read last
  uint32_t next_server_id_ = 1000;
  int marker_ = 0;
};

Value I(int64_t v) {
  return Value::Int64(v);
}
Value U(uint64_t v) {
  return Value::UInt64(v);
}
Value F(double v) {
  return Value::Float64(v);
}
Value Dec(const char* s) {
  return Value::String(ValueKind::kDecimal, s);
}
Value Txt(std::string s) {
  return Value::String(ValueKind::kText, std::move(s));
}
Value Bin(std::string s) {
  return Value::String(ValueKind::kBytes, std::move(s));
}
Value Other(std::string s) {
  return Value::String(ValueKind::kOther, std::move(s));
}
Value N() {
  return Value::Null();
}
Value Ts(int y, unsigned mo, unsigned d, int h, int mi, int s, int64_t us = 0) {
  return Value::Timestamp(DaysFromCivil(y, mo, d) * kMicrosPerDay +
                          ((h * 60 + mi) * 60 + s) * kMicrosPerSecond + us);
}
Value TsTz(int y, unsigned mo, unsigned d, int h, int mi, int s, int64_t us = 0) {
  return Value::TimestampTz(Ts(y, mo, d, h, mi, s, us).as_micros_or_days());
}
Value Tm(int64_t sign, int64_t h, int64_t m, int64_t s, int64_t us) {
  return Value::Time(sign * (((h * 60 + m) * 60 + s) * kMicrosPerSecond + us));
}
Value Day(int y, unsigned mo, unsigned d) {
  return Value::Date(DaysFromCivil(y, mo, d));
}

TEST_F(MariaBinlog, IntegersOfEveryWidthSignedAndUnsigned) {
  const auto i64min = std::numeric_limits<int64_t>::min();
  const auto i64max = std::numeric_limits<int64_t>::max();
  const auto u64max = std::numeric_limits<uint64_t>::max();
  auto state = RunAndReplay(
      "ints",
      {"CREATE TABLE ints(id int primary key, a tinyint, b tinyint unsigned, c smallint, "
       "d smallint unsigned, e mediumint, f mediumint unsigned, g int, h int unsigned, i bigint, "
       "j bigint unsigned, k boolean)",
       "INSERT INTO ints VALUES (1,-128,255,-32768,65535,-8388608,16777215,-2147483648,"
       "4294967295,-9223372036854775808,18446744073709551615,1),(2,127,0,32767,0,8388607,0,"
       "2147483647,0,9223372036854775807,0,0),(3,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,"
       "NULL,NULL),(4,-1,1,-1,1,-1,1,-1,1,-1,1,-1)",
       "UPDATE ints SET b=b-1, j=j-1 WHERE id=1", "UPDATE ints SET a=0 WHERE id=3",
       "DELETE FROM ints WHERE id=4"});
  ExpectAll(state,
            {{1,
              {I(1), I(-128), U(254), I(-32768), U(65535), I(-8388608), U(16777215),
               I(-2147483648LL), U(4294967295u), I(i64min), U(u64max - 1), I(1)}},
             {2,
              {I(2), I(127), U(0), I(32767), U(0), I(8388607), U(0), I(2147483647), U(0), I(i64max),
               U(0), I(0)}},
             {3, {I(3), I(0), N(), N(), N(), N(), N(), N(), N(), N(), N(), N()}}},
            "ints");
}

TEST_F(MariaBinlog, DecimalFloatDoubleBitYear) {
  auto state = RunAndReplay(
      "nums",
      {"CREATE TABLE nums(id int primary key, a decimal(65,30), b decimal(5,2), "
       "c decimal(10,0) unsigned, d decimal(3,3), e float, f double, g bit(1), h bit(64), "
       "i bit(10), j year)",
       "INSERT INTO nums VALUES "
       "(1,-12345678901234567890123456789012345.123456789012345678901234567890,-123.45,0,-0.001,"
       "3.40282e38,1.7976931348623157e308,b'1',b'1111111111111111111111111111111111111111111111"
       "111111111111111111',b'1000000001',1901),"
       "(2,99999999999999999999999999999999999.999999999999999999999999999999,0.5,9999999999,"
       "0.999,-1.17549e-38,-2.2250738585072014e-308,b'0',0,0,2155),"
       "(3,0.000000000000000000000000000001,-0.01,1,0,0.1,0.1,NULL,NULL,NULL,0),"
       "(4,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)",
       "UPDATE nums SET b=-b, e=-e WHERE id IN (1,2)", "DELETE FROM nums WHERE id=3"});
  ExpectAll(state,
            {{1,
              {I(1), Dec("-12345678901234567890123456789012345.123456789012345678901234567890"),
               Dec("123.45"), Dec("0"), Dec("-0.001"), F(-static_cast<double>(3.40282e38f)),
               F(1.7976931348623157e308), U(1), U(std::numeric_limits<uint64_t>::max()), U(513),
               I(1901)}},
             {2,
              {I(2), Dec("99999999999999999999999999999999999.999999999999999999999999999999"),
               Dec("-0.50"), Dec("9999999999"), Dec("0.999"), F(static_cast<double>(1.17549e-38f)),
               F(-2.2250738585072014e-308), U(0), U(0), U(0), I(2155)}},
             {4, {I(4), N(), N(), N(), N(), N(), N(), N(), N(), N(), N()}}},
            "nums");
}

TEST_F(MariaBinlog, TemporalTypesIncludingNegativeTimeAndZeroDates) {
  auto state = RunAndReplay(
      "times",
      {"CREATE TABLE times(id int primary key, a time(6), b time(2), c time(3), d time, "
       "e time(1), f datetime(6), g datetime(3), h timestamp(6) NULL, i timestamp NULL, j date, "
       "k datetime)",
       "INSERT INTO times VALUES (1,'-838:59:59.999999','-00:00:00.01','-12:34:56.789',"
       "'-838:59:59','-01:00:00.5','2020-01-02 03:04:05.678901','1000-01-01 00:00:00.001',"
       "'2038-01-19 03:14:07.999999','1970-01-01 00:00:01','1000-01-01','9999-12-31 23:59:59'),"
       "(2,'838:59:59.999999','00:00:00.01','-00:00:01.000','00:00:00','-00:00:00.1',"
       "'9999-12-31 23:59:59.999999',NULL,'2000-01-01 00:00:00.5','2000-01-01 00:00:00',"
       "'9999-12-31',NULL),"
       "(3,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)",
       // Zero and partly-zero values need a permissive sql_mode (same session: MariaConn).
       "SET SESSION sql_mode=''",
       "INSERT INTO times VALUES (4,'00:00:00',NULL,NULL,NULL,NULL,'0000-00-00 00:00:00',"
       "'2001-02-00 10:11:12.5','0000-00-00 00:00:00','0000-00-00 00:00:00','2020-00-00',"
       "'0000-00-00 00:00:00')",
       "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO'",
       "UPDATE times SET a='-00:00:00.000001' WHERE id=2", "DELETE FROM times WHERE id=3"});
  ExpectAll(
      state,
      {{1,
        {I(1), Tm(-1, 838, 59, 59, 999999), Tm(-1, 0, 0, 0, 10000), Tm(-1, 12, 34, 56, 789000),
         Tm(-1, 838, 59, 59, 0), Tm(-1, 1, 0, 0, 500000), Ts(2020, 1, 2, 3, 4, 5, 678901),
         Ts(1000, 1, 1, 0, 0, 0, 1000), TsTz(2038, 1, 19, 3, 14, 7, 999999),
         TsTz(1970, 1, 1, 0, 0, 1), Day(1000, 1, 1), Ts(9999, 12, 31, 23, 59, 59)}},
       {2,
        {I(2), Tm(-1, 0, 0, 0, 1), Tm(1, 0, 0, 0, 10000), Tm(-1, 0, 0, 1, 0), Tm(1, 0, 0, 0, 0),
         Tm(-1, 0, 0, 0, 100000), Ts(9999, 12, 31, 23, 59, 59, 999999), N(),
         TsTz(2000, 1, 1, 0, 0, 0, 500000), TsTz(2000, 1, 1, 0, 0, 0), Day(9999, 12, 31), N()}},
       {4,
        {I(4), Tm(1, 0, 0, 0, 0), N(), N(), N(), N(), Other("0000-00-00 00:00:00.000000"),
         Other("2001-02-00 10:11:12.500"), Other("0000-00-00 00:00:00.000000"),
         Other("0000-00-00 00:00:00"), Other("2020-00-00"), Other("0000-00-00 00:00:00")}}},
      "times");
}

TEST_F(MariaBinlog, OldFormatTemporalColumnsWithoutFractions) {
  // mysql56_temporal_format=OFF creates MariaDB 5.3-format columns: TIME, DATETIME and
  // TIMESTAMP binlog types 11, 12 and 7 (integer layouts), which a 10.11 server still writes
  // for tables created that way.
  auto state = RunAndReplay(
      "oldt",
      {"SET GLOBAL mysql56_temporal_format=OFF",
       "CREATE TABLE oldt(id int primary key, a datetime, b time, c timestamp NULL)",
       "SET GLOBAL mysql56_temporal_format=ON",
       "INSERT INTO oldt VALUES (1,'2020-01-02 03:04:05','-838:59:59','2038-01-19 03:14:07'),"
       "(2,'1000-01-01 00:00:00','12:34:56','1970-01-01 00:00:01'),(3,NULL,NULL,NULL)",
       "SET SESSION sql_mode=''", "INSERT INTO oldt VALUES (4,'0000-00-00 00:00:00','00:00:00',0)",
       "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO'",
       "UPDATE oldt SET b='-00:00:01' WHERE id=2"});
  ExpectAll(
      state,
      {{1, {I(1), Ts(2020, 1, 2, 3, 4, 5), Tm(-1, 838, 59, 59, 0), TsTz(2038, 1, 19, 3, 14, 7)}},
       {2, {I(2), Ts(1000, 1, 1, 0, 0, 0), Tm(-1, 0, 0, 1, 0), TsTz(1970, 1, 1, 0, 0, 1)}},
       {3, {I(3), N(), N(), N()}},
       {4, {I(4), Other("0000-00-00 00:00:00"), Tm(1, 0, 0, 0, 0), Other("0000-00-00 00:00:00")}}},
      "oldt");
}

TEST_F(MariaBinlog, StringsBinaryEnumSetJsonAndCharsets) {
  std::string abab;
  for (int k = 0; k < 150; ++k) abab += "ab";
  auto state = RunAndReplay(
      "strs",
      {"CREATE TABLE strs(id int primary key, a char(3) charset latin1, "
       "b char(100) charset utf8mb4, c varchar(300) charset utf8mb4, d binary(4), "
       "e varbinary(10), f blob, g enum('x','yy','zzz') charset utf8mb4, "
       "h set('a','b','c','d') charset utf8mb4, i text charset latin1, "
       "j enum('é','€') charset latin1, k json, l varchar(10) charset utf8mb3, "
       "m char(10) charset utf8mb4 collate utf8mb4_uca1400_ai_ci, n longtext charset utf8mb4)",
       "INSERT INTO strs VALUES (1,'é ','a😀 ',repeat('ab',150),'a\\0','x\\0y','\\0\\0','yy',"
       "'d,a','€ñ','€','{\"k\": [1, \"😀\"]}','ü','😀x ','𝄞'),"
       "(2,' x','','','','','','zzz','','','é','[]','','',''),"
       "(3,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL)",
       "UPDATE strs SET b=concat(b,'😀'), h='b,c,a' WHERE id=1", "UPDATE strs SET a='y' WHERE id=3",
       "DELETE FROM strs WHERE id=2"});
  ExpectAll(
      state,
      {{1,
        {I(1), Txt("é"), Txt("a😀😀"), Txt(abab), Bin(std::string("a\0\0\0", 4)),
         Bin(std::string("x\0y", 3)), Bin(std::string("\0\0", 2)), Txt("yy"), Txt("a,b,c"),
         Txt("€ñ"), Txt("€"), Txt("{\"k\": [1, \"😀\"]}"), Txt("ü"), Txt("😀x"), Txt("𝄞")}},
       {3, {I(3), Txt("y"), N(), N(), N(), N(), N(), N(), N(), N(), N(), N(), N(), N(), N()}}},
      "strs");
}

TEST_F(MariaBinlog, LargeStatementSpansEventsAndEndsWithStmtEnd) {
  Exec("CREATE TABLE big(id int primary key, pad varchar(200))");
  BinlogStart start = CurrentPosition();
  Exec("INSERT INTO big SELECT seq, repeat('x', 100) FROM seq_1_to_20000");
  auto reader = OpenReader(start);
  ASSERT_NE(reader, nullptr);
  auto events =
      ReadUntil(*reader, [](const BinlogEvent& ev) { return ev.type == BinlogEvent::Type::kXid; });
  size_t rows_events = 0, rows = 0, stmt_ends = 0;
  std::vector<bool> seen(20001, false);
  for (size_t i = 0; i < events.size(); ++i) {
    const BinlogEvent& ev = events[i];
    if (ev.type != BinlogEvent::Type::kWriteRows) continue;
    ++rows_events;
    rows += ev.rows.size();
    for (const auto& row : ev.rows) {
      int64_t id = row.after.at(0).as_int64();
      ASSERT_TRUE(id >= 1 && id <= 20000 && !seen[id]) << id;
      seen[id] = true;
      EXPECT_EQ(row.after.at(1), Txt(std::string(100, 'x')));
    }
    if (ev.stmt_end) {
      ++stmt_ends;
      EXPECT_EQ(events[i + 1].type, BinlogEvent::Type::kXid) << "STMT_END not on the last event";
    }
  }
  EXPECT_GT(rows_events, 1u);
  EXPECT_EQ(rows, 20000u);
  EXPECT_EQ(stmt_ends, 1u);
  // Positions only grow inside the file, and the XID's position is where the file ends now.
  EXPECT_EQ(events.back().file, CurrentPosition().file);
  EXPECT_EQ(events.back().next_pos, CurrentPosition().pos);
}

TEST_F(MariaBinlog, ResumesByGtidAfterTheGivenTransaction) {
  Exec("CREATE TABLE g(id int primary key)");
  Exec("INSERT INTO g VALUES (1)");
  Exec("INSERT INTO g VALUES (2)");
  std::string after_two = Query("SELECT @@gtid_binlog_pos AS p").Get(0, "p").value_or("");
  ASSERT_FALSE(after_two.empty());
  Exec("INSERT INTO g VALUES (3)");
  Exec("INSERT INTO g VALUES (4)");

  BinlogStart start;
  start.gtid_state = after_two;
  auto reader = OpenReader(start);
  ASSERT_NE(reader, nullptr);
  auto events = ReadUntil(*reader, [](const BinlogEvent& ev) {
    return ev.type == BinlogEvent::Type::kWriteRows && ev.rows.at(0).after.at(0).as_int64() == 4;
  });
  std::vector<int64_t> ids;
  Gtid first_gtid;
  bool have_gtid = false;
  for (const auto& ev : events) {
    if (ev.type == BinlogEvent::Type::kGtid && !have_gtid) {
      first_gtid = ev.gtid;
      have_gtid = true;
    }
    if (ev.type == BinlogEvent::Type::kWriteRows)
      ids.push_back(ev.rows.at(0).after.at(0).as_int64());
  }
  EXPECT_EQ(ids, (std::vector<int64_t>{3, 4}));
  auto state = ParseGtidList(after_two);
  ASSERT_TRUE(state.ok() && state->size() == 1u);
  EXPECT_EQ(first_gtid.domain, (*state)[0].domain);
  EXPECT_EQ(first_gtid.seq, (*state)[0].seq + 1);
  EXPECT_FALSE(events.back().file.empty());
}

TEST_F(MariaBinlog, IdleStreamYieldsHeartbeatsWithinTwoPeriods) {
  const milliseconds period(500);
  auto reader = OpenReader(CurrentPosition(), period);
  ASSERT_NE(reader, nullptr);
  BinlogEvent ev;
  auto last = Clock::now();
  int heartbeats = 0;
  auto deadline = Clock::now() + seconds(30);
  while (heartbeats < 4 && Clock::now() < deadline) {
    Status st = reader->Next(ev);
    ASSERT_TRUE(st.ok()) << st.ToString();
    auto now = Clock::now();
    if (ev.type == BinlogEvent::Type::kHeartbeat) {
      auto gap = std::chrono::duration_cast<milliseconds>(now - last);
      EXPECT_LE(gap.count(), 2 * period.count()) << "heartbeat " << heartbeats;
      EXPECT_FALSE(ev.file.empty());
      ++heartbeats;
    }
    last = now;
  }
  EXPECT_EQ(heartbeats, 4);
}

TEST_F(MariaBinlog, PurgedBinlogIsDataLossNamingTheFile) {
  Exec("CREATE TABLE p(id int primary key)");
  std::string gtid_before = Query("SELECT @@gtid_binlog_pos AS p").Get(0, "p").value_or("");
  BinlogStart old = CurrentPosition();
  Exec("INSERT INTO p VALUES (1)");
  Exec("FLUSH BINARY LOGS");
  std::string current = CurrentPosition().file;
  ASSERT_NE(current, old.file);
  Exec("INSERT INTO p VALUES (2)");
  Exec("PURGE BINARY LOGS TO '" + current + "'");

  auto reader = BinlogReader::Open(server_->uri(), old, 77, milliseconds(500));
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kDataLoss) << reader.status().ToString();
  EXPECT_NE(reader.status().message().find(old.file), std::string::npos)
      << reader.status().ToString();
  EXPECT_EQ(reader.status().message().find(":cutover@"), std::string::npos) << "password leaked";

  // By GTID: the state before the purged transaction cannot be served either.
  BinlogStart by_gtid;
  by_gtid.gtid_state = gtid_before;
  auto r2 = BinlogReader::Open(server_->uri(), by_gtid, 78, milliseconds(500));
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  BinlogEvent ev;
  Status st;
  auto deadline = Clock::now() + seconds(30);
  while (st.ok() && Clock::now() < deadline) st = (*r2)->Next(ev);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
}

TEST_F(MariaBinlog, KilledConnectionIsUnavailable) {
  auto reader = OpenReader(CurrentPosition(), milliseconds(200));
  ASSERT_NE(reader, nullptr);
  BinlogEvent ev;
  ASSERT_TRUE(reader->Next(ev).ok());  // the dump is running
  MariaRows dumps = Query(
      "SELECT id FROM information_schema.PROCESSLIST WHERE command LIKE "
      "'Binlog Dump%'");
  ASSERT_EQ(dumps.rows.size(), 1u);
  Exec("KILL " + dumps.rows[0][0].value_or("0"));
  Status st;
  auto deadline = Clock::now() + seconds(30);
  while (st.ok() && Clock::now() < deadline) st = reader->Next(ev);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_EQ(reader->Next(ev).code(), st.code()) << "errors are sticky";
}

}  // namespace
}  // namespace cutover::mariadb
