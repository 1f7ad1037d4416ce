// ecommerce: an online shop's tables with the column types a replication engine must carry
// faithfully: decimal money, timestamptz, JSON, binary thumbnails, UUIDs, nullable columns and
// text up to 64 KB (PostgreSQL TOASTs values beyond ~2 KB, which exercises unchanged-TOAST
// handling in CDC when other columns of the row are updated).
//
// Scale N: 1,000 N customers, 200 N products, 2,000 N orders with 1-5 order_items each.
// --mix insert:update:delete picks each operation:
//   insert  a new order (id = max(id) at start + seq * txn_size + j + 1) for a customer drawn
//           with --dist, with 1-5 items (products drawn with --dist): one INSERT into orders and
//           one multi-row INSERT into order_items
//   update  one of: an order's status and shipped_at (60%); a product's price, stock and
//           updated_at, sometimes its description (up to 64 KB) and thumbnail (25%); a
//           customer's profile JSON and bio (15%). Rows are drawn with --dist.
//   delete  an order drawn with --dist and its items (a key already deleted changes 0 rows)
#include <fmt/format.h>

#include "engine/core/load_session.h"
#include "loadgen/workload.h"

namespace cutover::loadgen {
namespace {

constexpr int64_t kCustomersPerScale = 1000;
constexpr int64_t kProductsPerScale = 200;
constexpr int64_t kOrdersPerScale = 2000;
constexpr int kMaxItems = 5;

enum Op { kOpInsert, kOpInsertItems, kOpUpdate, kOpDelete, kOpDeleteItems };

constexpr std::string_view kInsertOrder =
    "INSERT INTO orders (id, customer_id, status, total, created_at, shipped_at, note, "
    "attributes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
// One multi-row INSERT per item count (1..kMaxItems).
constexpr std::string_view kInsertItemsSql[kMaxItems] = {
    "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES "
    "($1, $2, $3, $4, $5)",
    "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES "
    "($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)",
    "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES "
    "($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10), ($11, $12, $13, $14, $15)",
    "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES "
    "($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10), ($11, $12, $13, $14, $15), "
    "($16, $17, $18, $19, $20)",
    "INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES "
    "($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10), ($11, $12, $13, $14, $15), "
    "($16, $17, $18, $19, $20), ($21, $22, $23, $24, $25)",
};
constexpr std::string_view kUpdateOrder =
    "UPDATE orders SET status = $1, shipped_at = $2 WHERE id = $3";
constexpr std::string_view kUpdateProduct =
    "UPDATE products SET price = $1, stock = stock - $2, updated_at = $3 WHERE id = $4";
constexpr std::string_view kUpdateProductContent =
    "UPDATE products SET price = $1, description = $2, thumbnail = $3, updated_at = $4 "
    "WHERE id = $5";
constexpr std::string_view kUpdateCustomer =
    "UPDATE customers SET profile = $1, bio = $2 WHERE id = $3";
constexpr std::string_view kDeleteItems = "DELETE FROM order_items WHERE order_id = $1";
constexpr std::string_view kDeleteOrder = "DELETE FROM orders WHERE id = $1";

constexpr std::string_view kStatuses[] = {"paid", "packed", "shipped", "delivered", "returned"};
constexpr std::string_view kChannels[] = {"web", "app", "phone", "store"};
constexpr std::string_view kColors[] = {"red", "green", "blue", "black", "white", "teal"};

Value Uuid(Rng& rng) {
  uint64_t hi = rng.Next(), lo = rng.Next();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;            // version 4
  lo = (lo & ~(0xcULL << 60)) | (0x8ULL << 60);  // variant 10
  return Value::String(ValueKind::kUuid, fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                                                     hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff,
                                                     lo >> 48, lo & 0xffffffffffffULL));
}

Value Bytes(Rng& rng, size_t n) {
  std::string b(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t x = rng.Next();
    for (size_t k = 0; k < 8 && i + k < n; ++k) b[i + k] = static_cast<char>(x >> (8 * k));
  }
  return Value::String(ValueKind::kBytes, std::move(b));
}

Value Text(std::string s) {
  return Value::String(ValueKind::kText, std::move(s));
}

// Long text: mostly a few hundred bytes, sometimes far beyond the TOAST threshold, up to 64 KB.
Value LongText(Rng& rng) {
  size_t n = rng.Chance(0.15) ? static_cast<size_t>(rng.Range(8000, 64000))
                              : static_cast<size_t>(rng.Range(100, 1500));
  return Text(Words(rng, n));
}

int64_t PriceCents(int64_t product) {
  return 199 + static_cast<int64_t>(MixSeed(static_cast<uint64_t>(product), 7) % 50000);
}

// A moment within the last year before 2026-01-01, for initial rows (deterministic).
Value PastTime(Rng& rng) {
  constexpr int64_t kEnd = 1767225600LL * 1000000;  // 2026-01-01 00:00:00 UTC
  return Value::TimestampTz(kEnd - rng.Range(0, int64_t{365} * 86400 * 1000000));
}

Value ProductAttributes(Rng& rng) {
  return Value::String(ValueKind::kJson,
                       fmt::format(R"({{"color": "{}", "weight_g": {}, "tags": ["{}", "{}"]}})",
                                   kColors[rng.Next() % std::size(kColors)], rng.Range(5, 20000),
                                   Words(rng, 6), Words(rng, 5)));
}

Value OrderAttributes(Rng& rng) {
  return Value::String(
      ValueKind::kJson,
      fmt::format(R"({{"channel": "{}", "gift": {}, "coupon": {}}})",
                  kChannels[rng.Next() % std::size(kChannels)], rng.Chance(0.1) ? "true" : "false",
                  rng.Chance(0.2) ? "\"SAVE" + std::to_string(rng.Range(5, 30)) + "\""
                                  : std::string("null")));
}

Value Profile(Rng& rng) {
  return Value::String(ValueKind::kJson,
                       fmt::format(R"({{"newsletter": {}, "tier": "{}", "visits": {}}})",
                                   rng.Chance(0.5) ? "true" : "false",
                                   rng.Chance(0.1) ? "gold" : "standard", rng.Range(0, 5000)));
}

class EcommerceWorkload : public Workload {
 public:
  explicit EcommerceWorkload(const WorkloadOptions& o) : o_(o) {
    int total = o.mix.insert + o.mix.update + o.mix.del;
    p_insert_ = static_cast<double>(o.mix.insert) / total;
    p_update_ = static_cast<double>(o.mix.update) / total;
  }

  std::string_view name() const override { return "ecommerce"; }
  std::vector<std::string> OpNames() const override {
    return {"insert", "insert_items", "update", "delete", "delete_items"};
  }

  std::vector<TableDef> Tables() const override {
    return {
        {"customers",
         {{"id", ColType::kBigInt},
          {"uuid", ColType::kUuid},
          {"email", ColType::kShortText},
          {"name", ColType::kShortText},
          {"created_at", ColType::kTimestampTz},
          {"profile", ColType::kJson},
          {"bio", ColType::kLongText, true},
          {"avatar", ColType::kBytes, true}},
         {"id"}},
        {"products",
         {{"id", ColType::kBigInt},
          {"sku", ColType::kUuid},
          {"name", ColType::kShortText},
          {"description", ColType::kLongText},
          {"price", ColType::kMoney},
          {"stock", ColType::kInt},
          {"attributes", ColType::kJson},
          {"thumbnail", ColType::kBytes, true},
          {"updated_at", ColType::kTimestampTz}},
         {"id"}},
        {"orders",
         {{"id", ColType::kBigInt},
          {"customer_id", ColType::kBigInt},
          {"status", ColType::kShortText},
          {"total", ColType::kMoney},
          {"created_at", ColType::kTimestampTz},
          {"shipped_at", ColType::kTimestampTz, true},
          {"note", ColType::kLongText, true},
          {"attributes", ColType::kJson}},
         {"id"}},
        {"order_items",
         {{"order_id", ColType::kBigInt},
          {"line_no", ColType::kInt},
          {"product_id", ColType::kBigInt},
          {"quantity", ColType::kInt},
          {"unit_price", ColType::kMoney}},
         {"order_id", "line_no"}},
    };
  }

  int64_t InitialRows() const override {
    return o_.scale * (kCustomersPerScale + kProductsPerScale + kOrdersPerScale * 4);
  }

  Status Populate(Session& session, uint64_t seed, Progress& progress) override {
    auto t = Tables();
    customers_ = o_.scale * kCustomersPerScale;
    products_ = o_.scale * kProductsPerScale;
    RETURN_IF_ERROR(FillTable(
        session, t[0], customers_,
        [&](int64_t i, std::vector<Value>& r) {
          Rng rng(MixSeed(seed, (1ULL << 40) + static_cast<uint64_t>(i)));
          r[0] = Value::Int64(i);
          r[1] = Uuid(rng);
          r[2] = Text(fmt::format("customer{}@example.com", i));
          r[3] = Text(Words(rng, static_cast<size_t>(rng.Range(8, 30))));
          r[4] = PastTime(rng);
          r[5] = Profile(rng);
          r[6] = rng.Chance(0.3) ? Value::Null() : LongText(rng);
          r[7] = rng.Chance(0.5) ? Value::Null() : Bytes(rng, rng.Range(64, 512));
        },
        progress));
    RETURN_IF_ERROR(FillTable(
        session, t[1], products_,
        [&](int64_t i, std::vector<Value>& r) {
          Rng rng(MixSeed(seed, (2ULL << 40) + static_cast<uint64_t>(i)));
          r[0] = Value::Int64(i);
          r[1] = Uuid(rng);
          r[2] = Text(Words(rng, static_cast<size_t>(rng.Range(10, 60))));
          r[3] = LongText(rng);
          r[4] = Money(PriceCents(i));
          r[5] = Value::Int64(rng.Range(0, 100000));
          r[6] = ProductAttributes(rng);
          r[7] = rng.Chance(0.1) ? Value::Null() : Bytes(rng, rng.Range(256, 4096));
          r[8] = PastTime(rng);
        },
        progress));
    const int64_t orders = o_.scale * kOrdersPerScale;
    RETURN_IF_ERROR(FillTable(
        session, t[2], orders,
        [&](int64_t i, std::vector<Value>& r) {
          Rng rng(MixSeed(seed, (3ULL << 40) + static_cast<uint64_t>(i)));
          auto items = InitialItems(seed, i);
          int64_t total = 0;
          for (const auto& it : items) total += it.quantity * PriceCents(it.product);
          r[0] = Value::Int64(i);
          r[1] = Value::Int64(rng.Range(1, customers_));
          r[2] = Text(std::string(kStatuses[rng.Next() % std::size(kStatuses)]));
          r[3] = Money(total);
          r[4] = PastTime(rng);
          r[5] = rng.Chance(0.4) ? Value::Null() : PastTime(rng);
          r[6] = rng.Chance(0.7) ? Value::Null() : Text(Words(rng, rng.Range(10, 200)));
          r[7] = OrderAttributes(rng);
        },
        progress));
    // order_items: the same items InitialItems gave each order above.
    int64_t order = 1;
    std::vector<Item> items;
    size_t next_item = 0;
    RowSource rows = [&](std::vector<Value>& r) {
      while (next_item == items.size()) {
        if (order > orders) return false;
        items = InitialItems(seed, order++);
        next_item = 0;
      }
      const Item& it = items[next_item++];
      r.resize(5);
      r[0] = Value::Int64(order - 1);
      r[1] = Value::Int64(static_cast<int64_t>(next_item));
      r[2] = Value::Int64(it.product);
      r[3] = Value::Int64(it.quantity);
      r[4] = Money(PriceCents(it.product));
      return true;
    };
    Status st = session.BulkInsert(t[3], rows, [&](int64_t n) { progress.Add(n); });
    return st.WithContext("filling order_items");
  }

  Status Prepare(Session& session) override {
    ASSIGN_OR_RETURN(customers_, session.QueryInt("SELECT max(id) FROM customers"));
    ASSIGN_OR_RETURN(products_, session.QueryInt("SELECT max(id) FROM products"));
    if (customers_ < 1 || products_ < 1) {
      return FailedPrecondition(
          "ecommerce: tables customers/products are empty: run with --init first");
    }
    ASSIGN_OR_RETURN(order_base_, session.QueryInt("SELECT max(id) FROM orders"));
    return Status::Ok();
  }

  void Build(uint64_t seq, Rng& rng, Transaction& txn) const override {
    for (int j = 0; j < o_.txn_size; ++j) {
      double pick = rng.Uniform();
      int64_t first_new = order_base_ + static_cast<int64_t>(seq) * o_.txn_size + 1;
      if (pick < p_insert_) {
        BuildInsert(first_new + j, rng, txn);
      } else if (pick < p_insert_ + p_update_) {
        BuildUpdate(first_new - 1, rng, txn);
      } else {
        Value id = Value::Int64(o_.dist.Sample(rng, first_new - 1));
        txn.statements.push_back({kDeleteItems, {id}});
        txn.ops.push_back({kOpDeleteItems, static_cast<int>(txn.statements.size()) - 1});
        txn.statements.push_back({kDeleteOrder, {id}});
        txn.ops.push_back({kOpDelete, static_cast<int>(txn.statements.size()) - 1});
      }
    }
  }

 private:
  struct Item {
    int64_t product;
    int64_t quantity;
  };

  std::vector<Item> InitialItems(uint64_t seed, int64_t order) const {
    Rng rng(MixSeed(seed, (4ULL << 40) + static_cast<uint64_t>(order)));
    std::vector<Item> items(static_cast<size_t>(rng.Range(1, kMaxItems)));
    for (auto& it : items) it = {o_.dist.Sample(rng, products_), rng.Range(1, 5)};
    return items;
  }

  void BuildInsert(int64_t id, Rng& rng, Transaction& txn) const {
    int n = static_cast<int>(rng.Range(1, kMaxItems));
    Statement items{kInsertItemsSql[n - 1], {}};
    int64_t total = 0;
    for (int line = 1; line <= n; ++line) {
      int64_t product = o_.dist.Sample(rng, products_);
      int64_t qty = rng.Range(1, 5);
      total += qty * PriceCents(product);
      items.params.insert(items.params.end(),
                          {Value::Int64(id), Value::Int64(line), Value::Int64(product),
                           Value::Int64(qty), Money(PriceCents(product))});
    }
    txn.statements.push_back(
        {kInsertOrder,
         {Value::Int64(id), Value::Int64(o_.dist.Sample(rng, customers_)), Text("new"),
          Money(total), NowTimestampTz(), Value::Null(),
          rng.Chance(0.7) ? Value::Null() : Text(Words(rng, rng.Range(10, 200))),
          OrderAttributes(rng)}});
    txn.ops.push_back({kOpInsert, static_cast<int>(txn.statements.size()) - 1});
    txn.statements.push_back(std::move(items));
    txn.ops.push_back({kOpInsertItems, static_cast<int>(txn.statements.size()) - 1});
  }

  void BuildUpdate(int64_t orders, Rng& rng, Transaction& txn) const {
    double kind = rng.Uniform();
    if (kind < 0.6) {
      Value status = Text(std::string(kStatuses[rng.Next() % std::size(kStatuses)]));
      Value shipped = rng.Chance(0.2) ? Value::Null() : NowTimestampTz();
      txn.statements.push_back(
          {kUpdateOrder, {status, shipped, Value::Int64(o_.dist.Sample(rng, orders))}});
    } else if (kind < 0.85) {
      int64_t product = o_.dist.Sample(rng, products_);
      Value price = Money(PriceCents(product) + rng.Range(-100, 100));
      if (rng.Chance(0.1)) {
        txn.statements.push_back(
            {kUpdateProductContent,
             {price, LongText(rng),
              rng.Chance(0.2) ? Value::Null() : Bytes(rng, rng.Range(256, 4096)), NowTimestampTz(),
              Value::Int64(product)}});
      } else {
        txn.statements.push_back(
            {kUpdateProduct,
             {price, Value::Int64(rng.Range(-3, 5)), NowTimestampTz(), Value::Int64(product)}});
      }
    } else {
      Value bio = rng.Chance(0.3) ? Value::Null() : LongText(rng);
      txn.statements.push_back(
          {kUpdateCustomer,
           {Profile(rng), std::move(bio), Value::Int64(o_.dist.Sample(rng, customers_))}});
    }
    txn.ops.push_back({kOpUpdate, static_cast<int>(txn.statements.size()) - 1});
  }

  WorkloadOptions o_;
  double p_insert_ = 0, p_update_ = 0;
  // Table sizes: set by Populate or Prepare.
  int64_t customers_ = 0, products_ = 0;
  int64_t order_base_ = 0;
};

}  // namespace

std::unique_ptr<Workload> MakeEcommerceWorkload(const WorkloadOptions& options) {
  return std::make_unique<EcommerceWorkload>(options);
}

}  // namespace cutover::loadgen
