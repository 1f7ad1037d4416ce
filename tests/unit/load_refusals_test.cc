// AppliedRows (engine/core/load_refusals.h): the rows a full load under error policies gives its
// Commit are those flushed and not rolled back, across window and row savepoints.
#include <gtest/gtest.h>

#include "engine/core/load_refusals.h"

namespace cutover {
namespace {

TEST(AppliedRows, CountsFlushedRowsAndForgetsThoseRolledBack) {
  AppliedRows rows;
  rows.Savepoint("cutover_window");
  rows.Flushed(256);  // an accepted window
  EXPECT_EQ(rows.count(), 256);
  rows.Savepoint("cutover_window");
  rows.Flushed(100);  // part of a window flushed (a full statement), then the rest refused
  rows.RolledBack("cutover_window");
  EXPECT_EQ(rows.count(), 256);
  // Replayed row by row: two accepted, one refused and rolled back to its own savepoint.
  for (int i = 0; i < 3; ++i) {
    rows.Savepoint("cutover_change");
    rows.Flushed(1);
    if (i == 1) rows.RolledBack("cutover_change");
  }
  EXPECT_EQ(rows.count(), 258);
  rows.RolledBack("unknown");  // a savepoint never set changes nothing
  EXPECT_EQ(rows.count(), 258);
}

}  // namespace
}  // namespace cutover
