// The durable change spool's storage (engine/pipeline/change_spool.h) without servers: events
// round-trip exactly, readers see only synced whole transactions, a torn tail is cut back to
// the last whole transaction, pruning keeps what the target has not checkpointed, coverage.
#include "engine/pipeline/change_spool.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace cutover {
namespace {

std::string TempDir() {
  std::string t = std::filesystem::temp_directory_path().string() + "/change-spool-unit-XXXXXX";
  EXPECT_NE(::mkdtemp(t.data()), nullptr);
  return t;
}

Position Pos(uint64_t n) {
  return Position{n, 0, std::to_string(n)};
}

StreamEvent Begin(uint64_t n) {
  StreamEvent ev;
  ev.type = StreamEvent::Type::kBegin;
  ev.txn = {"x" + std::to_string(n), Pos(n), static_cast<int64_t>(n) * 1000};
  return ev;
}
StreamEvent Commit(uint64_t n) {
  StreamEvent ev = Begin(n);
  ev.type = StreamEvent::Type::kCommit;
  return ev;
}

class ChangeSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    auto t = std::make_shared<TableSchema>();
    t->name = {"s", "t"};
    t->engine = "postgresql";
    for (const char* c : {"id", "v"}) {
      Column col;
      col.name = c;
      t->columns.push_back(col);
    }
    t->columns[0].kind = ValueKind::kInt64;
    t->key = {0};
    table_ = t;
    known_[t->name] = t;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  StreamEvent Insert(int64_t id, Value v) {
    StreamEvent ev;
    ev.type = StreamEvent::Type::kChange;
    ev.change.op = ChangeOp::kInsert;
    ev.change.table = table_;
    ev.change.after = {Value::Int64(id), std::move(v)};
    return ev;
  }

  std::unique_ptr<ChangeSpool> Open(uint64_t segment_bytes = 64 << 20) {
    ChangeSpoolOptions o;
    o.dir = dir_;
    o.segment_bytes = segment_bytes;
    auto s = ChangeSpool::Open(o, &known_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Reads every event available now.
  std::vector<StreamEvent> ReadAll(ChangeSpool& spool) {
    auto r = spool.OpenReader();
    std::vector<StreamEvent> out;
    for (;;) {
      StreamEvent ev;
      Status s = r->Next(ev, std::chrono::milliseconds(0));
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || ev.type == StreamEvent::Type::kNone) return out;
      out.push_back(std::move(ev));
    }
  }

  std::string dir_;
  TableSchemaPtr table_;
  std::map<TableName, TableSchemaPtr> known_;
};

TEST_F(ChangeSpoolTest, EventsRoundTripAndOnlySyncedWholeTransactionsAreVisible) {
  auto spool = Open();
  ASSERT_TRUE(spool->Reset(Pos(0)).ok());
  std::vector<Value> values = {Value::Null(),
                               Value::Unchanged(),
                               Value::Bool(true),
                               Value::UInt64(UINT64_MAX),
                               Value::Float64(-0.0),
                               Value::String(ValueKind::kDecimal, "-12.340"),
                               Value::String(ValueKind::kBytes, std::string("\0\xff", 2)),
                               Value::TimestampTz(Value::kMinusInfinity),
                               Value::Date(-1),
                               Value::String(ValueKind::kOther, "{1,2}")};
  ASSERT_TRUE(spool->Append(Begin(10)).ok());
  for (size_t i = 0; i < values.size(); ++i)
    ASSERT_TRUE(spool->Append(Insert(static_cast<int64_t>(i), values[i])).ok());
  ASSERT_TRUE(spool->Append(Commit(10)).ok());
  EXPECT_TRUE(ReadAll(*spool).empty()) << "visible before Sync";
  ASSERT_TRUE(spool->Append(Begin(11)).ok());
  ASSERT_TRUE(spool->Append(Insert(99, Value::Int64(1))).ok());
  auto synced = spool->Sync();
  ASSERT_TRUE(synced.ok());
  EXPECT_EQ(synced->value().text, "10");
  std::vector<StreamEvent> got = ReadAll(*spool);
  ASSERT_EQ(got.size(), values.size() + 2) << "transaction 11 is not whole: not visible";
  EXPECT_EQ(got[0].txn.position.text, "10");
  EXPECT_EQ(got[0].txn.commit_time_us, 10000);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(got[i + 1].change.table, table_) << "the capture's own schema in this process";
    EXPECT_EQ(got[i + 1].change.after[1], values[i]) << i;
  }
  EXPECT_EQ(got.back().type, StreamEvent::Type::kCommit);
}

TEST_F(ChangeSpoolTest, RecoveryCutsATornTailAndResolvesTablesByShape) {
  {
    auto spool = Open();
    ASSERT_TRUE(spool->Reset(Pos(5)).ok());
    for (uint64_t n : {6, 7}) {
      ASSERT_TRUE(spool->Append(Begin(n)).ok());
      ASSERT_TRUE(spool->Append(Insert(static_cast<int64_t>(n), Value::Int64(1))).ok());
      ASSERT_TRUE(spool->Append(Commit(n)).ok());
    }
    ASSERT_TRUE(spool->Append(Begin(8)).ok());
    ASSERT_TRUE(spool->Append(Insert(8, Value::Int64(1))).ok());
    ASSERT_TRUE(spool->Sync().ok());  // transaction 8 synced half
  }
  // Cut the file inside a record, as a crash mid-write would.
  std::string seg;
  for (const auto& e : std::filesystem::directory_iterator(dir_))
    if (e.path().extension() == ".changes") seg = e.path();
  ASSERT_FALSE(seg.empty());
  auto size = std::filesystem::file_size(seg);
  std::filesystem::resize_file(seg, size - 3);
  auto spool = Open();
  ASSERT_EQ(spool->end().value().text, "7");
  EXPECT_TRUE(spool->Covers(Pos(5)));
  EXPECT_TRUE(spool->Covers(Pos(6)));
  EXPECT_FALSE(spool->Covers(Pos(4)));
  std::vector<StreamEvent> got = ReadAll(*spool);
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[1].change.table, table_) << "same shape: the task's schema";
  // Appending after recovery goes to a new segment after the spool's end.
  ASSERT_TRUE(spool->Append(Begin(9)).ok());
  ASSERT_TRUE(spool->Append(Commit(9)).ok());
  ASSERT_TRUE(spool->Sync().ok());
  EXPECT_EQ(ReadAll(*spool).size(), 8u);
}

TEST_F(ChangeSpoolTest, PruneDeletesOnlyWhollyAppliedSegments) {
  auto spool = Open(/*segment_bytes=*/1);  // every transaction in a segment of its own
  ASSERT_TRUE(spool->Reset(Pos(0)).ok());
  for (uint64_t n = 1; n <= 4; ++n) {
    ASSERT_TRUE(spool->Append(Begin(n)).ok());
    ASSERT_TRUE(spool->Append(Insert(static_cast<int64_t>(n), Value::Int64(1))).ok());
    ASSERT_TRUE(spool->Append(Commit(n)).ok());
  }
  ASSERT_TRUE(spool->Sync().ok());
  uint64_t before = spool->bytes();
  ASSERT_TRUE(spool->Prune(Pos(2)).ok());
  EXPECT_LT(spool->bytes(), before);
  EXPECT_FALSE(spool->Covers(Pos(1)));
  EXPECT_TRUE(spool->Covers(Pos(2)));
  std::vector<StreamEvent> got = ReadAll(*spool);
  ASSERT_EQ(got.size(), 6u);  // transactions 3 and 4
  EXPECT_EQ(got[0].txn.position.text, "3");
  ASSERT_TRUE(spool->Prune(Pos(100)).ok());
  EXPECT_EQ(spool->end().value().text, "4") << "the last segment is never pruned";
}

}  // namespace
}  // namespace cutover
