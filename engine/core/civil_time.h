// Calendar arithmetic shared by every engine's value codecs: proleptic Gregorian calendar,
// astronomical years (1 BC = year 0), days counted from 1970-01-01.
#pragma once

#include <cstdint>

namespace cutover {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400LL * kMicrosPerSecond;

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t days, int64_t& y, unsigned& m, unsigned& d);

}  // namespace cutover
