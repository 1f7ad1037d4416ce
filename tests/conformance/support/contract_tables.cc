#include "tests/conformance/support/contract_tables.h"

#include <chrono>
#include <random>
#include <thread>

#include <fmt/format.h>

namespace cutover::testing::conformance {

namespace {

std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Names with 2-, 3- and 4-byte UTF-8 characters, a tab, a backslash and a quote.
const char* const kNames[] = {"Zoë Ünïcode", "日本語の名前", "😀 emoji 𝄞",
                              "plain ascii", "tab\there",    "back\\slash 'quoted'"};

std::string Decimal(int i) {
  switch (i) {  // the limits of DECIMAL(12,4) first
    case 1:
      return "99999999.9999";
    case 2:
      return "-99999999.9999";
    case 3:
      return "0.0001";
    case 4:
      return "-0.0001";
  }
  return fmt::format("{}.{:04}", (i * 7919) % 100000000, (i * 31) % 10000);
}

std::string Timestamp(int i) {
  switch (i) {
    case 5:
      return "'1970-01-01 00:00:00.000001'";
    case 6:
      return "'2038-01-19 03:14:07.999999'";
    case 8:
      return "'1999-12-31 23:59:59.999999'";
  }
  return fmt::format("'2024-02-{:02} {:02}:{:02}:{:02}.{:06}'", 1 + i % 29, i % 24, i % 60,
                     (i * 7) % 60, (i * 7919) % 1000000);
}

std::string CustomerRow(const Engine& e, int i) {
  std::string email = i % 7 == 0 ? "NULL" : Quote(fmt::format("c{}@example.com", i));
  std::string balance = i % 5 == 0 ? "NULL" : Decimal(i);
  std::string at = i % 11 == 0 ? "NULL" : Timestamp(i);
  std::string avatar = i % 3 == 0   ? "NULL"
                       : i == 10    ? e.bytes_literal("")
                       : i % 3 == 1 ? e.bytes_literal(fmt::format("00{:02x}00", i % 256))
                                    : e.bytes_literal(fmt::format("{:08x}", i * 2654435761u));
  return fmt::format("({}, {}, {}, {}, {}, {})", i, Quote(fmt::format("{} #{}", kNames[i % 6], i)),
                     email, balance, at, avatar);
}

}  // namespace

const std::vector<ContractTable>& ShapedTables() {
  static const std::vector<ContractTable> tables = {
      {"Customer",
       {{"CustomerId", Canon::kInt},
        {"FullName", Canon::kText},
        {"Email", Canon::kText},
        {"Balance", Canon::kDecimal},
        {"CreatedAt", Canon::kTimestamp},
        {"Avatar", Canon::kBytes}}},
      {"OrderLine",
       {{"OrderId", Canon::kInt},
        {"Sku", Canon::kText},
        {"Qty", Canon::kInt},
        {"UnitPrice", Canon::kDecimal},
        {"Note", Canon::kText}}},
      {"event_log",
       {{"id", Canon::kInt},
        {"at", Canon::kTimestamp},
        {"payload", Canon::kBytes},
        {"msg", Canon::kText}}},
  };
  return tables;
}

std::string CreateShapedTables(const Engine& e) {
  const ColumnTypes& t = e.types;
  std::string sql = fmt::format(
      "CREATE TABLE \"Customer\" (\"CustomerId\" {} PRIMARY KEY, \"FullName\" {} NOT NULL, "
      "\"Email\" {}, \"Balance\" {}, \"CreatedAt\" {}, \"Avatar\" {}){};\n",
      t.integer, t.text, t.key_text, t.decimal_12_4, t.timestamp_us, t.bytes, t.table_options);
  sql += fmt::format(
      "CREATE TABLE \"OrderLine\" (\"OrderId\" {} NOT NULL, \"Sku\" {} NOT NULL, \"Qty\" {} NOT "
      "NULL, \"UnitPrice\" {} NOT NULL, \"Note\" {}, PRIMARY KEY (\"OrderId\", \"Sku\")){};\n",
      t.integer, t.key_text, t.integer, t.decimal_12_4, t.text, t.table_options);
  sql += fmt::format("CREATE TABLE event_log (id {} PRIMARY KEY, at {}, payload {}, msg {}){};\n",
                     t.bigint, t.timestamp_us, t.bytes, t.text, t.table_options);
  for (int first = 1; first <= kCustomerRows; first += 250) {
    sql += "INSERT INTO \"Customer\" VALUES ";
    for (int i = first; i < first + 250 && i <= kCustomerRows; ++i)
      sql += (i == first ? "" : ", ") + CustomerRow(e, i);
    sql += ";\n";
  }
  const char* skus[] = {"ÄÖÜ-1", "日本-2", "😀-3", "plain-4"};
  sql += "INSERT INTO \"OrderLine\" VALUES ";
  for (int order = 1; order <= 30; ++order)
    for (int s = 0; s < 4; ++s)
      sql += fmt::format("{}({}, {}, {}, {}, {})", order == 1 && s == 0 ? "" : ", ", order,
                         Quote(skus[s]), order * 10 + s, Decimal(order * 4 + s - 3),
                         s == 3 ? "NULL" : Quote(fmt::format("note ✓ {}", order)));
  sql += ";\n";
  sql += "INSERT INTO event_log VALUES ";
  for (int i = 1; i <= 20; ++i)
    sql += fmt::format("{}({}, {}, {}, {})", i == 1 ? "" : ", ", int64_t{1} << (i + 20),
                       i % 4 == 0 ? "NULL" : Timestamp(i + 3),
                       i % 5 == 0 ? "NULL" : e.bytes_literal(i % 2 ? "" : "00ff00"),
                       Quote(fmt::format("{} · {}", kNames[i % 6], i)));
  return sql + ";\n";
}

std::string EveryCdcOperation(const Engine& e) {
  auto b = e.bytes_literal;
  return fmt::format(
      // Inserts.
      "INSERT INTO \"Customer\" VALUES (5001, 'Neü 新しい 😀', NULL, 0.0001, "
      "'2025-01-01 00:00:00.500000', {0});\n"
      "INSERT INTO \"OrderLine\" VALUES (500, 'ß-new', 1, 99999999.9999, NULL);\n"
      // Updates of non-key columns: several columns, to NULL, from NULL, many rows at once.
      "UPDATE \"Customer\" SET \"Email\" = NULL, \"Balance\" = -99999999.9999, "
      "\"FullName\" = 'ändert 🙂' WHERE \"CustomerId\" = 12;\n"
      "UPDATE \"Customer\" SET \"Email\" = 'was-null@example.com', \"Avatar\" = {1} "
      "WHERE \"CustomerId\" = 14;\n"
      "UPDATE \"Customer\" SET \"CreatedAt\" = '2000-02-29 12:34:56.000001' "
      "WHERE \"CustomerId\" BETWEEN 20 AND 40;\n"
      // Updates of a key: single-column and composite.
      "UPDATE \"Customer\" SET \"CustomerId\" = \"CustomerId\" + 100000 "
      "WHERE \"CustomerId\" IN (50, 51);\n"
      "UPDATE \"OrderLine\" SET \"Sku\" = 'moved-😀' WHERE \"OrderId\" = 1 AND \"Sku\" = '日本-2';\n"
      "UPDATE \"OrderLine\" SET \"OrderId\" = 1000 WHERE \"OrderId\" = 2;\n"
      // Deletes.
      "DELETE FROM \"Customer\" WHERE \"CustomerId\" BETWEEN 100 AND 120;\n"
      "DELETE FROM \"OrderLine\" WHERE \"OrderId\" = 3;\n"
      // A multi-row transaction over the three tables.
      "BEGIN;\n"
      "INSERT INTO event_log VALUES (1001, '2026-12-04 10:00:00.000100', {2}, 'in txn');\n"
      "UPDATE \"Customer\" SET \"Balance\" = 1.5 WHERE \"CustomerId\" = 60;\n"
      "DELETE FROM \"Customer\" WHERE \"CustomerId\" = 61;\n"
      "UPDATE \"OrderLine\" SET \"Qty\" = \"Qty\" + 1 WHERE \"OrderId\" = 4;\n"
      "INSERT INTO \"Customer\" VALUES (5002, 'in txn ✓', 'x@y', 0, NULL, NULL);\n"
      "COMMIT;\n"
      // A transaction rolled back on the source: none of it may arrive.
      "BEGIN;\n"
      "INSERT INTO \"Customer\" VALUES ({3}, 'rolled back', NULL, NULL, NULL, NULL);\n"
      "UPDATE \"Customer\" SET \"FullName\" = 'rolled back' WHERE \"CustomerId\" = 1;\n"
      "DELETE FROM \"OrderLine\";\n"
      "ROLLBACK;\n"
      "INSERT INTO event_log VALUES ({4}, '2026-12-04 10:00:01.000000', NULL, 'marker');\n",
      b("00"), b("0000"), b(""), kRolledBackCustomer, kMarkerKey);
}

std::string SmallWorkload(const Engine& e, int n) {
  int base = 200000 + n * 100;
  return fmt::format(
      "INSERT INTO \"Customer\" VALUES ({0}, 'w{1} ü', 'w@x', 1.2345, "
      "'2026-01-0{1} 01:02:03.000004', {2}), ({3}, 'w{1} 日本', NULL, NULL, NULL, NULL);\n"
      "UPDATE \"Customer\" SET \"Balance\" = {1}, \"Email\" = NULL WHERE \"CustomerId\" = {4};\n"
      "BEGIN;\n"
      "UPDATE \"Customer\" SET \"CustomerId\" = {5} WHERE \"CustomerId\" = {3};\n"
      "DELETE FROM \"Customer\" WHERE \"CustomerId\" = {6};\n"
      "INSERT INTO event_log VALUES ({0}, '2026-01-01 00:00:00.00000{1}', {2}, 'w{1} 😀');\n"
      "UPDATE \"OrderLine\" SET \"Qty\" = \"Qty\" + {1} WHERE \"OrderId\" = {1};\n"
      "COMMIT;\n",
      base + 1, n, e.bytes_literal("0a00"), base + 2, 200 + n, base + 3, 300 + n);
}

const std::vector<ContractTable>& KcTables() {
  static const std::vector<ContractTable> tables = {
      {"kc_accounts", {{"id", Canon::kInt}, {"balance", Canon::kInt}, {"note", Canon::kText}}},
      {"kc_events", {{"id", Canon::kInt}, {"account", Canon::kInt}, {"amount", Canon::kInt}}},
  };
  return tables;
}

std::string CreateKcTables(const Engine& e, int accounts) {
  const ColumnTypes& t = e.types;
  std::string sql = fmt::format(
      "CREATE TABLE kc_accounts (id {} PRIMARY KEY, balance {} NOT NULL, note {}){};\n"
      "CREATE TABLE kc_events (id {} PRIMARY KEY, account {}, amount {}){};\n"
      "INSERT INTO kc_accounts VALUES ",
      t.integer, t.bigint, t.text, t.table_options, t.bigint, t.integer, t.bigint, t.table_options);
  for (int i = 1; i <= accounts; ++i)
    sql += fmt::format("{}({}, 1000, 'start ✓')", i == 1 ? "" : ", ", i);
  return sql + ";\n";
}

void RunKcWriter(const Database& db, int seed, int accounts, const std::atomic<bool>& stop,
                 std::atomic<long>& committed) {
  std::mt19937 rng(seed);
  long next_event = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!stop && std::chrono::steady_clock::now() < deadline) {
    int a = static_cast<int>(rng() % accounts) + 1, b = static_cast<int>(rng() % accounts) + 1;
    int amount = static_cast<int>(rng() % 100);
    std::string sql;
    switch (rng() % 10) {
      case 0:
        sql = fmt::format("UPDATE kc_accounts SET note = 'bulk {} ü' WHERE id % 20 = {};",
                          rng() % 1000, rng() % 20);
        break;
      case 1:
        sql = fmt::format(
            "BEGIN; DELETE FROM kc_accounts WHERE id = {0}; INSERT INTO kc_accounts VALUES ({0}, "
            "0, 'reborn 😀'); COMMIT;",
            a);
        break;
      case 2:  // a key change, undone by a later one (fails harmlessly when the key is taken)
        sql = rng() % 2 ? fmt::format("UPDATE kc_accounts SET id = id + 100000 WHERE id = {};", a)
                        : fmt::format("UPDATE kc_accounts SET id = id - 100000 WHERE id = {};",
                                      a + 100000);
        break;
      default:
        sql = fmt::format(
            "BEGIN; UPDATE kc_accounts SET balance = balance - {2} WHERE id = {0}; "
            "UPDATE kc_accounts SET balance = balance + {2} WHERE id = {1}; "
            "INSERT INTO kc_events VALUES ({3}, {0}, {2}); COMMIT;",
            a, b, amount, seed * 10000000L + next_event++);
    }
    if (db.Sql(sql).ok()) committed++;
  }
}

}  // namespace cutover::testing::conformance
