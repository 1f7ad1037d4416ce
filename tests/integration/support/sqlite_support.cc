#include "tests/integration/support/sqlite_support.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <charconv>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/integration/support/test_support.h"

namespace cutover::testing {

namespace {

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK)
      ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
    sqlite3_busy_timeout(db, 10000);
  }
  ~Db() { sqlite3_close_v2(db); }
};

std::string Hex(const void* p, int n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(static_cast<size_t>(n) * 2, '0');
  const unsigned char* b = static_cast<const unsigned char*>(p);
  for (int i = 0; i < n; ++i) {
    out[2 * i] = kDigits[b[i] >> 4];
    out[2 * i + 1] = kDigits[b[i] & 15];
  }
  return out;
}

std::string ShortestDouble(double d) {
  return fmt::format("{}", d);
}

std::string FloatFromText(const std::string& t) {
  if (t == "N") return t;
  return ShortestDouble(std::strtod(t.c_str(), nullptr));
}

std::string NormalizeDecimal(std::string t) {
  if (t == "N") return t;
  if (!t.empty() && t[0] == '+') t.erase(0, 1);
  if (t.find('.') != std::string::npos) {
    while (t.back() == '0') t.pop_back();
    if (t.back() == '.') t.pop_back();
  }
  if (t == "-0") t = "0";
  return t;
}

// SQLite timestamp text (as stored) -> YYYY-MM-DD HH:MM:SS.ffffff, UTC offsets dropped (tests
// write UTC only).
std::string NormalizeTimestamp(std::string t) {
  for (const char* zone : {"+00:00", "Z"})
    if (t.size() > 19 && t.ends_with(zone)) t.resize(t.size() - std::strlen(zone));
  if (t.size() > 10 && t[10] == 'T') t[10] = ' ';
  if (t.size() == 10) t += " 00:00:00";
  if (t.size() == 19) t += ".";
  while (t.size() < 26) t += "0";
  return t;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

// Post-processes server rows "a|b|..." whose float and decimal fields need normalising.
std::vector<std::string> Normalize(std::vector<std::string> rows,
                                   const std::vector<CanonCol>& cols) {
  for (auto& row : rows) {
    std::vector<std::string> f;
    std::stringstream ss(row);
    std::string x;
    while (std::getline(ss, x, '|')) f.push_back(x);
    if (!row.empty() && row.back() == '|') f.push_back("");
    if (f.size() != cols.size()) continue;  // leave it: the comparison shows it
    std::string out;
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i].canon == Canon::kFloat) f[i] = FloatFromText(f[i]);
      if (cols[i].canon == Canon::kDecimal) f[i] = NormalizeDecimal(f[i]);
      out += (i ? "|" : "") + f[i];
    }
    row = out;
  }
  return rows;
}

}  // namespace

SqliteDir::SqliteDir() {
  char tmpl[] = "/tmp/cutover-sqlite-XXXXXX";
  dir_ = mkdtemp(tmpl) ? tmpl : "/tmp";
}

SqliteDir::~SqliteDir() {
  std::error_code ec;
  if (dir_ != "/tmp") std::filesystem::remove_all(dir_, ec);
}

void SqliteExec(const std::string& path, const std::string& sql) {
  Db d(path);
  char* err = nullptr;
  if (sqlite3_exec(d.db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    ADD_FAILURE() << "SQLite " << path << ": " << (err ? err : "?")
                  << "\nSQL: " << sql.substr(0, 500);
    sqlite3_free(err);
  }
}

std::vector<std::string> SqliteColumn(const std::string& path, const std::string& sql) {
  Db d(path);
  sqlite3_stmt* st = nullptr;
  std::vector<std::string> out;
  if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    out.push_back(std::string("error: ") + sqlite3_errmsg(d.db));
    return out;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    out.push_back(t ? reinterpret_cast<const char*>(t) : "NULL");
  }
  if (rc != SQLITE_DONE) out.push_back(std::string("error: ") + sqlite3_errmsg(d.db));
  sqlite3_finalize(st);
  return out;
}

std::string SqliteValue(const std::string& path, const std::string& sql) {
  auto col = SqliteColumn(path, sql);
  return col.empty() ? "" : col[0];
}

std::vector<std::string> SqliteCanonRows(const std::string& path, const std::string& table,
                                         const std::string& order_by,
                                         const std::vector<CanonCol>& cols) {
  Db d(path);
  std::string sql = "SELECT ";
  for (size_t i = 0; i < cols.size(); ++i) sql += (i ? ", \"" : "\"") + cols[i].name + "\"";
  sql += " FROM \"" + table + "\" ORDER BY " + order_by;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    return {std::string("error: ") + sqlite3_errmsg(d.db)};
  std::vector<std::string> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string row;
    for (size_t i = 0; i < cols.size(); ++i) {
      int c = static_cast<int>(i);
      int type = sqlite3_column_type(st, c);
      std::string v;
      if (type == SQLITE_NULL) {
        v = "N";
      } else {
        std::string text(reinterpret_cast<const char*>(sqlite3_column_text(st, c)),
                         sqlite3_column_bytes(st, c));
        switch (cols[i].canon) {
          case Canon::kInt:
          case Canon::kBool:
            v = type == SQLITE_INTEGER ? std::to_string(sqlite3_column_int64(st, c)) : "?" + text;
            break;
          case Canon::kText:
          case Canon::kBytes: {
            const void* b = sqlite3_column_blob(st, c);
            v = Hex(b, sqlite3_column_bytes(st, c));
            break;
          }
          case Canon::kFloat:
            v = type == SQLITE_TEXT ? "?" + text : ShortestDouble(sqlite3_column_double(st, c));
            break;
          case Canon::kDecimal:
            v = NormalizeDecimal(text);
            break;
          case Canon::kDate:
            v = text;
            break;
          case Canon::kTimestamp:
            v = NormalizeTimestamp(text);
            break;
        }
      }
      row += (i ? "|" : "") + v;
    }
    out.push_back(row);
  }
  sqlite3_finalize(st);
  return out;
}

std::vector<std::string> PgCanonRows(const harness::ThrowawayServer& pg, const std::string& table,
                                     const std::string& order_by, const std::vector<CanonCol>& cols,
                                     const std::string& db) {
  std::string sql = "SELECT concat_ws('|'";
  for (const auto& c : cols) {
    std::string n = "\"" + c.name + "\"", e;
    switch (c.canon) {
      case Canon::kInt:
        e = n + "::int8::text";
        break;
      case Canon::kBool:
        e = n + "::int::text";
        break;
      case Canon::kText:
        // The output function (format), not a cast: char(n)::text would drop the padding.
        e = "encode(convert_to(CASE WHEN " + n + " IS NOT NULL THEN format('%s', " + n +
            ") END, 'UTF8'), 'hex')";
        break;
      case Canon::kBytes:
        e = "encode(" + n + ", 'hex')";
        break;
      case Canon::kFloat:
        e = n + "::float8::text";
        break;
      case Canon::kDecimal:
        e = n + "::text";
        break;
      case Canon::kDate:
        e = "to_char(" + n + ", 'YYYY-MM-DD')";
        break;
      case Canon::kTimestamp:
        e = "to_char(" + n + "::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
        break;
    }
    sql += ", coalesce(" + e + ", 'N')";
  }
  sql += ") FROM " + table + " ORDER BY " + order_by;
  auto r = pg.Sql("SET TimeZone = 'UTC'; " + sql, db);
  if (!r.ok()) return {"error: " + r.status().message()};
  return Normalize(Lines(*r), cols);
}

std::vector<std::string> MariaCanonRows(const harness::ThrowawayServer& maria,
                                        const std::string& table, const std::string& order_by,
                                        const std::vector<CanonCol>& cols) {
  std::string sql = "SELECT CONCAT_WS('|'";
  for (const auto& c : cols) {
    std::string n = "`" + c.name + "`", e;
    switch (c.canon) {
      case Canon::kInt:
      case Canon::kBool:
      case Canon::kDecimal:
        e = "CAST(" + n + " AS CHAR)";
        break;
      case Canon::kText:
      case Canon::kBytes:
        e = "LOWER(HEX(" + n + "))";
        break;
      case Canon::kFloat:
        e = "CAST(CAST(" + n + " AS DOUBLE) AS CHAR)";
        break;
      case Canon::kDate:
        e = "DATE_FORMAT(" + n + ", '%Y-%m-%d')";
        break;
      case Canon::kTimestamp:
        e = "DATE_FORMAT(" + n + ", '%Y-%m-%d %H:%i:%s.%f')";
        break;
    }
    sql += ", COALESCE(" + e + ", 'N')";
  }
  sql += ") FROM " + table + " ORDER BY " + order_by;
  auto r = maria.Sql(sql);
  if (!r.ok()) return {"error: " + r.status().message()};
  return Normalize(Lines(*r), cols);
}

std::string CompareCanonRows(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a == b) return "";
  std::string out = fmt::format("source has {} rows, target {}", a.size(), b.size());
  int shown = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) && shown < 3; ++i) {
    std::string x = i < a.size() ? a[i] : "(none)", y = i < b.size() ? b[i] : "(none)";
    if (x == y) continue;
    out += "\n  source: " + x.substr(0, 300) + "\n  target: " + y.substr(0, 300);
    ++shown;
  }
  return out;
}

std::string WaitUntilSame(const std::function<std::vector<std::string>()>& source,
                          const std::function<std::vector<std::string>()>& target,
                          std::chrono::seconds timeout) {
  std::string diff;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    diff = CompareCanonRows(source(), target());
    if (diff.empty() || std::chrono::steady_clock::now() > deadline) return diff;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

void KillNineAndRestart(std::unique_ptr<EngineProcess>& engine,
                        const std::vector<std::string>& args, int times, int seed) {
  std::mt19937 rng(seed);
  for (int kill_no = 1; kill_no <= times; ++kill_no) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500 + rng() % 2500));
    ASSERT_TRUE(engine->Running()) << "engine died before kill " << kill_no << ":\n"
                                   << engine->Log();
    engine->Signal(SIGKILL);
    EXPECT_EQ(engine->Wait(std::chrono::seconds(10)), 128 + SIGKILL);
    engine = std::make_unique<EngineProcess>(args);
  }
}

const std::vector<CanonCol> kKcCols = {
    {"id", Canon::kInt}, {"balance", Canon::kInt}, {"note", Canon::kText}, {"data", Canon::kBytes}};
const std::vector<CanonCol> kKcEventCols = {
    {"id", Canon::kInt}, {"account", Canon::kInt}, {"amount", Canon::kInt}};

void CreateKcTables(const std::string& path, int accounts) {
  SqliteExec(path, fmt::format("PRAGMA journal_mode=WAL;"
                               "CREATE TABLE kc (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, "
                               "note TEXT, data BLOB);"
                               "CREATE TABLE kc_events (id INTEGER PRIMARY KEY, account INTEGER, "
                               "amount INTEGER);"
                               "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g "
                               "WHERE i < {}) INSERT INTO kc SELECT i, 1000, 'start', "
                               "zeroblob(i % 5) FROM g;",
                               accounts));
}

void RunSqliteKcWriter(const std::string& path, int seed, bool recursive,
                       const std::atomic<bool>& stop, std::atomic<long>& committed) {
  Db d(path);
  sqlite3_exec(d.db, recursive ? "PRAGMA recursive_triggers=ON" : "PRAGMA recursive_triggers=OFF",
               nullptr, nullptr, nullptr);
  std::mt19937 rng(seed);
  int next_event = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (!stop && std::chrono::steady_clock::now() < deadline) {
    int a = static_cast<int>(rng() % 2000) + 1, b = static_cast<int>(rng() % 2000) + 1;
    int amount = static_cast<int>(rng() % 100);
    std::string sql;
    switch (rng() % 12) {
      case 0:
        sql = fmt::format("UPDATE kc SET note = hex(randomblob(4)) WHERE id % 20 = {}", rng() % 20);
        break;
      case 1:
        sql = fmt::format(
            "BEGIN IMMEDIATE; DELETE FROM kc WHERE id = {0}; INSERT INTO kc VALUES "
            "({0}, 0, 'reborn', X'00') ON CONFLICT (id) DO NOTHING; COMMIT;",
            a);
        break;
      case 2:
        sql = fmt::format("INSERT OR REPLACE INTO kc VALUES ({}, {}, 'replaced', X'0001')", a,
                          amount);
        break;
      case 3:  // key change there and back
        sql = fmt::format(
            "BEGIN IMMEDIATE; UPDATE OR IGNORE kc SET id = id + 100000 WHERE id = "
            "{0}; UPDATE OR IGNORE kc SET id = id - 100000, note = '' WHERE id = "
            "{0} + 100000 AND {1} = 0; COMMIT;",
            a, rng() % 2);
        break;
      default:
        sql = fmt::format(
            "BEGIN IMMEDIATE; UPDATE kc SET balance = balance - {2} WHERE id = {0}; "
            "UPDATE kc SET balance = balance + {2} WHERE id = {1}; INSERT INTO "
            "kc_events VALUES ({3}, {0}, {2}); COMMIT;",
            a, b, amount, seed * 10000000 + next_event++);
    }
    char* err = nullptr;
    if (sqlite3_exec(d.db, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) {
      committed++;
    } else {
      sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    sqlite3_free(err);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
  }
}

}  // namespace cutover::testing
