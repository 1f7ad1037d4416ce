// Tests for the core vocabulary types: Status, Result<T> and the error macros
// (engine/core/status.h), Value (engine/core/value.h) and Position (engine/core/position.h).
//
// Design note: these are the contracts every other component leans on, so the tests pin the
// documented promises rather than incidental details: an OK Status carries no allocation and
// is pointer-sized; WithContext reads outward-in ("a: b: msg") and never changes the code or the
// original; Result is either a value or a non-OK Status (an OK Status becomes Internal); the
// macros return early exactly on error and move values out (move-only types work); Value
// equality is exact (kind and payload; floats bitwise so NaN == NaN and -0 != +0). Suite names
// all start with Status or Value so one --gtest_filter selects this file (Position tests are
// ValuePositionTest).
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/core/position.h"
#include "engine/core/status.h"
#include "engine/core/value.h"

namespace cutover {
namespace {

// ------------------------------------------------------------------------------------------
// Status

TEST(StatusTest, DefaultIsOk) {
  Status st;
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kOk);
  EXPECT_EQ(st.message(), "");
  EXPECT_EQ(st.ToString(), "OK");
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().code(), StatusCode::kOk);
}

TEST(StatusTest, OkIsCheap) {
  // One (null) shared pointer: returning OK allocates nothing and copies a null pointer.
  static_assert(sizeof(Status) == sizeof(std::shared_ptr<int>));
  Status a;
  Status b = a;
  EXPECT_TRUE(b.ok());
  // message() of OK refers to one shared empty string, not a fresh allocation per call.
  EXPECT_EQ(&Status().message(), &Status::Ok().message());
}

TEST(StatusTest, Factories) {
  struct Case {
    Status st;
    StatusCode code;
  };
  const Case cases[] = {
      {InvalidArgument("m"), StatusCode::kInvalidArgument},
      {NotFound("m"), StatusCode::kNotFound},
      {Unavailable("m"), StatusCode::kUnavailable},
      {PermissionDenied("m"), StatusCode::kPermissionDenied},
      {FailedPrecondition("m"), StatusCode::kFailedPrecondition},
      {DataLoss("m"), StatusCode::kDataLoss},
      {Aborted("m"), StatusCode::kAborted},
      {Internal("m"), StatusCode::kInternal},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(c.st.ok());
    EXPECT_EQ(c.st.code(), c.code);
    EXPECT_EQ(c.st.message(), "m");
    EXPECT_EQ(c.st.ToString(), "m");
  }
}

TEST(StatusTest, ErrorWithEmptyMessageIsStillAnError) {
  Status st(StatusCode::kInternal, "");
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(st.message(), "");
}

TEST(StatusTest, WithContextChains) {
  Status base = Unavailable("msg");
  Status chained = base.WithContext("b").WithContext("a");
  EXPECT_EQ(chained.message(), "a: b: msg");
  EXPECT_EQ(chained.ToString(), "a: b: msg");
  EXPECT_EQ(chained.code(), StatusCode::kUnavailable);
  // The original is untouched (statuses are immutable values).
  EXPECT_EQ(base.message(), "msg");
  EXPECT_EQ(InvalidArgument("connection lost")
                .WithContext("COPY failed")
                .WithContext("table public.t")
                .message(),
            "table public.t: COPY failed: connection lost");
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  Status st = Status::Ok().WithContext("table public.t");
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.message(), "");
  EXPECT_EQ(st.ToString(), "OK");
}

TEST(StatusTest, CopiesShareState) {
  Status a = DataLoss("checksum mismatch");
  Status b = a;
  EXPECT_EQ(&a.message(), &b.message());
  Status c = std::move(a);
  EXPECT_EQ(c.code(), StatusCode::kDataLoss);
  EXPECT_EQ(c.message(), "checksum mismatch");
  b = Status::Ok();
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(c.message(), "checksum mismatch");
}

// ------------------------------------------------------------------------------------------
// Result<T>

TEST(StatusResultTest, HoldsValue) {
  Result<std::string> r = std::string("hello");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.status().ToString(), "OK");
  EXPECT_EQ(r.value(), "hello");
  EXPECT_EQ(*r, "hello");
  EXPECT_EQ(r->size(), 5u);
  r.value() += "!";
  EXPECT_EQ(*r, "hello!");
  const Result<std::string>& cr = r;
  EXPECT_EQ(cr.value(), "hello!");
  EXPECT_EQ(cr->size(), 6u);
}

TEST(StatusResultTest, HoldsError) {
  Result<int> r = NotFound("table public.nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "table public.nope");
}

TEST(StatusResultTest, OkStatusBecomesInternalError) {
  Result<int> r = Status::Ok();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("OK status"), std::string::npos) << r.status().message();
}

TEST(StatusResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(42);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 42);
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 42);
}

TEST(StatusResultTest, ContainerValue) {
  Result<std::vector<int>> r = std::vector<int>{1, 2, 3};
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 3u);
}

// ------------------------------------------------------------------------------------------
// RETURN_IF_ERROR / ASSIGN_OR_RETURN

Status Step(bool fail, int& calls) {
  ++calls;
  return fail ? Unavailable("step failed") : Status::Ok();
}

Status TwoSteps(bool fail_first, bool fail_second, int& calls) {
  RETURN_IF_ERROR(Step(fail_first, calls));
  RETURN_IF_ERROR(Step(fail_second, calls).WithContext("second"));
  return Status::Ok();
}

TEST(StatusMacrosTest, ReturnIfErrorPropagates) {
  int calls = 0;
  EXPECT_TRUE(TwoSteps(false, false, calls).ok());
  EXPECT_EQ(calls, 2);

  calls = 0;
  Status st = TwoSteps(true, false, calls);
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_EQ(st.message(), "step failed");
  EXPECT_EQ(calls, 1);  // returned before the second step

  calls = 0;
  st = TwoSteps(false, true, calls);
  EXPECT_EQ(st.message(), "second: step failed");
  EXPECT_EQ(calls, 2);
}

Result<int> Parse(int x) {
  if (x < 0) return InvalidArgument("negative: " + std::to_string(x));
  return x * 10;
}

Result<std::unique_ptr<int>> MakeBox(int x) {
  if (x == 0) return FailedPrecondition("zero");
  return std::make_unique<int>(x);
}

Result<int> SumParsed(int a, int b, int& reached) {
  reached = 0;
  ASSIGN_OR_RETURN(int x, Parse(a));
  reached = 1;
  ASSIGN_OR_RETURN(int y, Parse(b));  // second use in the same scope
  reached = 2;
  return x + y;
}

Status UseBox(int v, int& out) {
  ASSIGN_OR_RETURN(std::unique_ptr<int> box, MakeBox(v));
  out = *box;
  return Status::Ok();
}

Status AssignExisting(int v, int& out) {
  int tmp = -1;
  ASSIGN_OR_RETURN(tmp, Parse(v));
  out = tmp;
  return Status::Ok();
}

TEST(StatusMacrosTest, AssignOrReturnUnwraps) {
  int reached = -1;
  Result<int> r = SumParsed(1, 2, reached);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, 30);
  EXPECT_EQ(reached, 2);
}

TEST(StatusMacrosTest, AssignOrReturnPropagates) {
  int reached = -1;
  Result<int> r = SumParsed(-1, 2, reached);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "negative: -1");
  EXPECT_EQ(reached, 0);

  r = SumParsed(1, -2, reached);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "negative: -2");
  EXPECT_EQ(reached, 1);
}

TEST(StatusMacrosTest, AssignOrReturnMoveOnlyAndExistingVariable) {
  int out = 0;
  EXPECT_TRUE(UseBox(7, out).ok());
  EXPECT_EQ(out, 7);
  Status st = UseBox(0, out);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(out, 7);

  EXPECT_TRUE(AssignExisting(4, out).ok());
  EXPECT_EQ(out, 40);
  EXPECT_EQ(AssignExisting(-4, out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out, 40);
}

// ------------------------------------------------------------------------------------------
// Value

TEST(ValueTest, KindsAndAccessors) {
  EXPECT_EQ(Value().kind(), ValueKind::kNull);
  EXPECT_TRUE(Value().is_null());
  EXPECT_TRUE(Value::Null().is_null());
  EXPECT_FALSE(Value::Null().is_unchanged());
  EXPECT_TRUE(Value::Unchanged().is_unchanged());
  EXPECT_FALSE(Value::Unchanged().is_null());
  EXPECT_TRUE(Value::Bool(true).as_bool());
  EXPECT_FALSE(Value::Bool(false).as_bool());
  EXPECT_EQ(Value::Int64(std::numeric_limits<int64_t>::min()).as_int64(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Value::UInt64(std::numeric_limits<uint64_t>::max()).as_uint64(),
            std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(Value::Float64(1.5).as_double(), 1.5);
  EXPECT_EQ(Value::Date(-1).as_micros_or_days(), -1);
  EXPECT_EQ(Value::Time(5).kind(), ValueKind::kTime);
  EXPECT_EQ(Value::Timestamp(6).kind(), ValueKind::kTimestamp);
  EXPECT_EQ(Value::TimestampTz(7).as_micros_or_days(), 7);
  Value s = Value::String(ValueKind::kJson, "{}");
  EXPECT_EQ(s.kind(), ValueKind::kJson);
  EXPECT_EQ(s.str(), "{}");
}

TEST(ValueTest, KindNames) {
  EXPECT_STREQ(ValueKindName(ValueKind::kNull), "null");
  EXPECT_STREQ(ValueKindName(ValueKind::kUnchanged), "unchanged");
  EXPECT_STREQ(ValueKindName(ValueKind::kBool), "bool");
  EXPECT_STREQ(ValueKindName(ValueKind::kInt64), "int64");
  EXPECT_STREQ(ValueKindName(ValueKind::kUInt64), "uint64");
  EXPECT_STREQ(ValueKindName(ValueKind::kFloat64), "float64");
  EXPECT_STREQ(ValueKindName(ValueKind::kDecimal), "decimal");
  EXPECT_STREQ(ValueKindName(ValueKind::kText), "text");
  EXPECT_STREQ(ValueKindName(ValueKind::kBytes), "bytes");
  EXPECT_STREQ(ValueKindName(ValueKind::kDate), "date");
  EXPECT_STREQ(ValueKindName(ValueKind::kTime), "time");
  EXPECT_STREQ(ValueKindName(ValueKind::kTimestamp), "timestamp");
  EXPECT_STREQ(ValueKindName(ValueKind::kTimestampTz), "timestamptz");
  EXPECT_STREQ(ValueKindName(ValueKind::kJson), "json");
  EXPECT_STREQ(ValueKindName(ValueKind::kUuid), "uuid");
  EXPECT_STREQ(ValueKindName(ValueKind::kOther), "other");
}

TEST(ValueTest, EqualitySameKind) {
  EXPECT_EQ(Value::Null(), Value());
  EXPECT_EQ(Value::Unchanged(), Value::Unchanged());
  EXPECT_EQ(Value::Bool(true), Value::Bool(true));
  EXPECT_NE(Value::Bool(true), Value::Bool(false));
  EXPECT_EQ(Value::Int64(-5), Value::Int64(-5));
  EXPECT_NE(Value::Int64(-5), Value::Int64(5));
  EXPECT_EQ(Value::Date(Value::kInfinity), Value::Date(Value::kInfinity));
  EXPECT_NE(Value::Date(Value::kInfinity), Value::Date(Value::kMinusInfinity));
  EXPECT_EQ(Value::String(ValueKind::kText, "a"), Value::String(ValueKind::kText, "a"));
  EXPECT_NE(Value::String(ValueKind::kText, "a"), Value::String(ValueKind::kText, "A"));
  EXPECT_NE(Value::String(ValueKind::kText, "a"), Value::String(ValueKind::kText, "a "));
  EXPECT_EQ(Value::String(ValueKind::kBytes, std::string("\0\1", 2)),
            Value::String(ValueKind::kBytes, std::string("\0\1", 2)));
  EXPECT_NE(Value::String(ValueKind::kBytes, std::string("\0\1", 2)),
            Value::String(ValueKind::kBytes, std::string("\0", 1)));
  // Decimal text is compared as text: "1.0" and "1.00" are different values (scale matters).
  EXPECT_NE(Value::String(ValueKind::kDecimal, "1.0"), Value::String(ValueKind::kDecimal, "1.00"));
}

TEST(ValueTest, FloatEqualityIsBitwise) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Value::Float64(nan), Value::Float64(nan));
  EXPECT_NE(Value::Float64(-0.0), Value::Float64(0.0));
  EXPECT_EQ(Value::Float64(-0.0), Value::Float64(-0.0));
  EXPECT_EQ(Value::Float64(0.1), Value::Float64(0.1));
  EXPECT_NE(Value::Float64(0.1), Value::Float64(0.1 + 1e-17 * 2));
  EXPECT_NE(Value::Float64(nan), Value::Float64(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(Value::Float64(-std::numeric_limits<double>::infinity()),
            Value::Float64(-std::numeric_limits<double>::infinity()));
}

TEST(ValueTest, DifferentKindsAreUnequal) {
  const std::vector<Value> values = {
      Value::Null(),
      Value::Unchanged(),
      Value::Bool(true),
      Value::Int64(1),
      Value::UInt64(1),
      Value::Float64(std::bit_cast<double>(uint64_t{1})),  // same payload bits as Int64(1)
      Value::String(ValueKind::kDecimal, "1"),
      Value::String(ValueKind::kText, "1"),
      Value::String(ValueKind::kBytes, "1"),
      Value::Date(1),
      Value::Time(1),
      Value::Timestamp(1),
      Value::TimestampTz(1),
      Value::String(ValueKind::kJson, "1"),
      Value::String(ValueKind::kUuid, "1"),
      Value::String(ValueKind::kOther, "1"),
  };
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < values.size(); ++j) {
      EXPECT_EQ(values[i] == values[j], i == j)
          << values[i].DebugString() << " vs " << values[j].DebugString();
      EXPECT_EQ(values[i] != values[j], i != j);
    }
  }
  // Null vs empty text, and false vs Int64(0).
  EXPECT_NE(Value::Null(), Value::String(ValueKind::kText, ""));
  EXPECT_NE(Value::Bool(false), Value::Int64(0));
  EXPECT_NE(Value::Null(), Value::Unchanged());
}

TEST(ValueTest, CopyAndMove) {
  Value a = Value::String(ValueKind::kText, std::string(1000, 'x'));
  Value b = a;
  EXPECT_EQ(a, b);
  Value c = std::move(b);
  EXPECT_EQ(c, a);
  c = Value::Int64(3);
  EXPECT_EQ(c, Value::Int64(3));
  EXPECT_EQ(a.str().size(), 1000u);
}

TEST(ValueTest, DebugString) {
  EXPECT_EQ(Value::Null().DebugString(), "NULL");
  EXPECT_EQ(Value::Unchanged().DebugString(), "<unchanged>");
  EXPECT_EQ(Value::Bool(true).DebugString(), "true");
  EXPECT_EQ(Value::Bool(false).DebugString(), "false");
  EXPECT_EQ(Value::Int64(-42).DebugString(), "-42");
  EXPECT_EQ(Value::Int64(std::numeric_limits<int64_t>::min()).DebugString(),
            "-9223372036854775808");
  EXPECT_EQ(Value::UInt64(std::numeric_limits<uint64_t>::max()).DebugString(),
            "18446744073709551615");
  EXPECT_EQ(Value::Float64(1.5).DebugString(), "1.5");
  EXPECT_EQ(Value::Float64(0.1).DebugString(), "0.1");
  EXPECT_EQ(Value::String(ValueKind::kBytes, std::string("\x00\xff\x10", 3)).DebugString(),
            "\\x00ff10");
  EXPECT_EQ(Value::String(ValueKind::kBytes, "").DebugString(), "\\x");
  EXPECT_EQ(Value::Date(19782).DebugString(), "date(19782)");
  EXPECT_EQ(Value::Time(1).DebugString(), "time(1)");
  EXPECT_EQ(Value::Timestamp(-1).DebugString(), "timestamp(-1)");
  EXPECT_EQ(Value::TimestampTz(0).DebugString(), "timestamptz(0)");
  EXPECT_EQ(Value::String(ValueKind::kText, "hi").DebugString(), "text('hi')");
  EXPECT_EQ(Value::String(ValueKind::kDecimal, "-12.340").DebugString(), "decimal('-12.340')");
  EXPECT_EQ(Value::String(ValueKind::kJson, "{}").DebugString(), "json('{}')");
  EXPECT_EQ(Value::String(ValueKind::kUuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").DebugString(),
            "uuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')");
  EXPECT_EQ(Value::String(ValueKind::kOther, "{1,2}").DebugString(), "other('{1,2}')");
  // Floats: special values are printed recognisably, not as garbage.
  EXPECT_NE(Value::Float64(std::nan("")).DebugString().find("nan"), std::string::npos);
  EXPECT_NE(Value::Float64(-std::numeric_limits<double>::infinity()).DebugString().find("inf"),
            std::string::npos);
  EXPECT_EQ(Value::Float64(-0.0).DebugString(), "-0");
}

// ------------------------------------------------------------------------------------------
// Position

Position Pos(uint64_t major, uint64_t minor, std::string text = "x") {
  return Position{major, minor, std::move(text)};
}

TEST(ValuePositionTest, DefaultIsEmpty) {
  Position p;
  EXPECT_TRUE(p.empty());
  EXPECT_EQ(p.major, 0u);
  EXPECT_EQ(p.minor, 0u);
  EXPECT_FALSE(Pos(0, 0, "0/0").empty());
}

TEST(ValuePositionTest, OrdersByMajorThenMinor) {
  // Sorted ascending; every pair is checked with every operator.
  const std::vector<Position> sorted = {
      Pos(0, 0), Pos(0, 1), Pos(0, UINT64_MAX), Pos(1, 0),
      Pos(1, 5), Pos(2, 0), Pos(UINT64_MAX, 0), Pos(UINT64_MAX, UINT64_MAX),
  };
  for (size_t i = 0; i < sorted.size(); ++i) {
    for (size_t j = 0; j < sorted.size(); ++j) {
      const Position& a = sorted[i];
      const Position& b = sorted[j];
      SCOPED_TRACE(testing::Message() << i << " vs " << j);
      EXPECT_EQ(a < b, i < j);
      EXPECT_EQ(a <= b, i <= j);
      EXPECT_EQ(a > b, i > j);
      EXPECT_EQ(a >= b, i >= j);
      EXPECT_EQ(a == b, i == j);
    }
  }
}

TEST(ValuePositionTest, MajorDominatesMinor) {
  EXPECT_LT(Pos(1, UINT64_MAX), Pos(2, 0));
  EXPECT_GT(Pos(2, 0), Pos(1, UINT64_MAX));
  EXPECT_LT(Pos(5, 1), Pos(5, 2));
}

TEST(ValuePositionTest, TextDoesNotTakePartInComparison) {
  // `text` is the stable printed form of (major, minor); comparisons use only the numbers.
  EXPECT_TRUE(Pos(3, 4, "a") == Pos(3, 4, "b"));
  EXPECT_FALSE(Pos(3, 4, "a") < Pos(3, 4, "b"));
  EXPECT_FALSE(Pos(3, 4, "b") < Pos(3, 4, "a"));
  EXPECT_TRUE(Pos(3, 4, "z") < Pos(3, 5, "a"));
}

TEST(ValuePositionTest, CheckpointRules) {
  // position.h: a transaction is applied iff position > checkpoint; a change to table T is
  // applied iff transaction position >= T's snapshot position.
  Position checkpoint = Pos(100, 0);
  EXPECT_FALSE(Pos(100, 0) > checkpoint);
  EXPECT_TRUE(Pos(100, 1) > checkpoint);
  EXPECT_TRUE(Pos(101, 0) > checkpoint);
  Position snapshot = Pos(200, 7);
  EXPECT_TRUE(Pos(200, 7) >= snapshot);
  EXPECT_FALSE(Pos(200, 6) >= snapshot);
  EXPECT_FALSE(Pos(199, 99) >= snapshot);
}

}  // namespace
}  // namespace cutover
