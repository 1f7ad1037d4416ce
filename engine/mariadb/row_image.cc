#include "engine/mariadb/row_image.h"

#include <mysql.h>

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "engine/core/civil_time.h"

namespace cutover::mariadb {

namespace {

constexpr uint8_t kTypeString = MYSQL_TYPE_STRING;
constexpr uint8_t kTypeEnum = MYSQL_TYPE_ENUM;
constexpr uint8_t kTypeSet = MYSQL_TYPE_SET;

// Big-endian unsigned integer of n bytes.
inline uint64_t BigEndian(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

inline uint64_t LittleEndian(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

// Fixed storage size of a column value, or 0 for variable-length types.
size_t FixedSize(uint8_t type, uint16_t meta) {
  switch (type) {
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_YEAR:
      return 1;
    case MYSQL_TYPE_SHORT:
      return 2;
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_TIME:
      return 3;
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_TIMESTAMP:
      return 4;
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_DATETIME:
      return 8;
    case MYSQL_TYPE_FLOAT:
      return 4;
    case MYSQL_TYPE_DOUBLE:
      return 8;
    case MYSQL_TYPE_TIMESTAMP2:
      return 4 + (meta + 1) / 2;
    case MYSQL_TYPE_DATETIME2:
      return 5 + (meta + 1) / 2;
    case MYSQL_TYPE_TIME2:
      return 3 + (meta + 1) / 2;
    case MYSQL_TYPE_BIT:
      return (meta + 7u) / 8u;
    case kTypeEnum:
    case kTypeSet:
      return meta;
    case MYSQL_TYPE_NEWDECIMAL: {
      static constexpr uint8_t kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
      int precision = meta >> 8, scale = meta & 0xff;
      int intg = precision - scale;
      return size_t(intg / 9 * 4 + kDigitBytes[intg % 9] + scale / 9 * 4 + kDigitBytes[scale % 9]);
    }
    default:
      return 0;
  }
}

bool IsInteger(uint8_t t) {
  return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_INT24 ||
         t == MYSQL_TYPE_LONG || t == MYSQL_TYPE_LONGLONG;
}

bool IsStringType(uint8_t t) {
  return t == kTypeString || t == MYSQL_TYPE_VARCHAR || t == MYSQL_TYPE_VAR_STRING ||
         t == MYSQL_TYPE_BLOB || t == MYSQL_TYPE_TINY_BLOB || t == MYSQL_TYPE_MEDIUM_BLOB ||
         t == MYSQL_TYPE_LONG_BLOB;
}

// "YYYY-MM-DD", "YYYY-MM-DD hh:mm:ss" and the fraction truncated to `fsp` digits, as SELECT
// prints a zero or partly-zero temporal value.
Value ZeroDateText(unsigned y, unsigned mo, unsigned d, bool with_time, unsigned h, unsigned mi,
                   unsigned s, uint32_t micros, unsigned fsp) {
  std::string text = fmt::format("{:04}-{:02}-{:02}", y, mo, d);
  if (with_time) {
    fmt::format_to(std::back_inserter(text), " {:02}:{:02}:{:02}", h, mi, s);
    if (fsp > 0) {
      std::string frac = fmt::format("{:06}", micros);
      text.push_back('.');
      text.append(frac, 0, fsp);
    }
  }
  return Value::String(ValueKind::kOther, std::move(text));
}

// DECIMAL binary form -> plain text. `p` has FixedSize bytes.
Value DecodeDecimal(const uint8_t* p, uint16_t meta) {
  static constexpr uint8_t kDigitBytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  static constexpr uint32_t kPow10[10] = {1,      10,      100,      1000,      10000,
                                          100000, 1000000, 10000000, 100000000, 1000000000};
  int precision = meta >> 8, scale = meta & 0xff;
  int intg = precision - scale;
  int intg0 = intg / 9, intg0x = intg % 9, frac0 = scale / 9, frac0x = scale % 9;
  size_t size = FixedSize(MYSQL_TYPE_NEWDECIMAL, meta);
  uint8_t buf[40];  // DECIMAL(65,30): 30 bytes at most
  std::memcpy(buf, p, size);
  bool negative = !(buf[0] & 0x80);
  buf[0] ^= 0x80;
  if (negative)
    for (size_t i = 0; i < size; ++i) buf[i] = static_cast<uint8_t>(~buf[i]);

  char text[96];  // sign, up to 65 digits, point
  char* out = text + 1;
  const uint8_t* q = buf;
  bool leading = true;
  auto put_group = [&](uint32_t v, int digits, bool strip) {
    for (int k = digits - 1; k >= 0; --k) {
      char digit = static_cast<char>('0' + (v / kPow10[k]) % 10);
      if (strip && leading && digit == '0') continue;
      leading = false;
      *out++ = digit;
    }
  };
  if (intg0x) {
    size_t n = kDigitBytes[intg0x];
    put_group(static_cast<uint32_t>(BigEndian(q, n)), intg0x, true);
    q += n;
  }
  for (int g = 0; g < intg0; ++g, q += 4)
    put_group(static_cast<uint32_t>(BigEndian(q, 4)), 9, true);
  if (leading) *out++ = '0';
  bool nonzero = !(out == text + 2 && text[1] == '0');
  if (scale > 0) {
    *out++ = '.';
    char* frac_start = out;
    leading = false;
    for (int g = 0; g < frac0; ++g, q += 4)
      put_group(static_cast<uint32_t>(BigEndian(q, 4)), 9, false);
    if (frac0x) put_group(static_cast<uint32_t>(BigEndian(q, kDigitBytes[frac0x])), frac0x, false);
    for (char* c = frac_start; c < out && !nonzero; ++c) nonzero = *c != '0';
  }
  char* start = text + 1;
  if (negative && nonzero) *--start = '-';
  return Value::String(ValueKind::kDecimal, std::string(start, out));
}

// TIME2 (MySQL 5.6 format) -> signed microseconds.
int64_t DecodeTime2(const uint8_t* p, unsigned fsp) {
  constexpr int64_t kIntOffset = 0x800000;
  int64_t packed;  // (hms << 24) + fraction in µs, signed
  switch (fsp) {
    case 1:
    case 2: {
      int64_t intpart = static_cast<int64_t>(BigEndian(p, 3)) - kIntOffset;
      int64_t frac = p[3];
      if (intpart < 0 && frac) {  // negative values store the fraction reversed
        intpart++;
        frac -= 0x100;
      }
      packed = intpart * (int64_t(1) << 24) + frac * 10000;
      break;
    }
    case 3:
    case 4: {
      int64_t intpart = static_cast<int64_t>(BigEndian(p, 3)) - kIntOffset;
      int64_t frac = static_cast<int64_t>(BigEndian(p + 3, 2));
      if (intpart < 0 && frac) {
        intpart++;
        frac -= 0x10000;
      }
      packed = intpart * (int64_t(1) << 24) + frac * 100;
      break;
    }
    case 5:
    case 6:
      packed = static_cast<int64_t>(BigEndian(p, 6)) - (int64_t(0x800000) << 24);
      break;
    default:
      packed = (static_cast<int64_t>(BigEndian(p, 3)) - kIntOffset) * (int64_t(1) << 24);
      break;
  }
  bool negative = packed < 0;
  uint64_t a = negative ? static_cast<uint64_t>(-packed) : static_cast<uint64_t>(packed);
  uint64_t hms = a >> 24;
  uint64_t frac = a & 0xffffff;
  uint64_t hour = (hms >> 12) & 0x3ff, minute = (hms >> 6) & 0x3f, second = hms & 0x3f;
  int64_t us = static_cast<int64_t>(((hour * 60 + minute) * 60 + second) * 1000000 + frac);
  return negative ? -us : us;
}

// Fraction bytes of TIMESTAMP2/DATETIME2 -> µs.
uint32_t Fraction(const uint8_t* p, unsigned fsp) {
  switch (fsp) {
    case 1:
    case 2:
      return p[0] * 10000u;
    case 3:
    case 4:
      return static_cast<uint32_t>(BigEndian(p, 2)) * 100u;
    case 5:
    case 6:
      return static_cast<uint32_t>(BigEndian(p, 3));
    default:
      return 0;
  }
}

// A DATETIME's fields -> Value. Fields out of their ranges (which MariaDB never writes) are a
// corrupt event, refused before any arithmetic can overflow (found by fuzz/row_image_fuzz).
Status DateTimeValue(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s,
                     uint32_t micros, unsigned fsp, Value& out) {
  if (y > 9999 || mo > 12 || d > 31 || h > 23 || mi > 59 || s > 59 || micros > 999999) {
    return Internal(fmt::format("corrupt DATETIME {}-{}-{} {}:{}:{}.{} in a rows event", y, mo, d,
                                h, mi, s, micros));
  }
  if (y == 0 || mo == 0 || d == 0) {
    out = ZeroDateText(y, mo, d, true, h, mi, s, micros, fsp);
    return Status::Ok();
  }
  int64_t days = DaysFromCivil(y, mo, d);
  out =
      Value::Timestamp(days * kMicrosPerDay + ((h * 60 + mi) * 60 + s) * kMicrosPerSecond + micros);
  return Status::Ok();
}

class ImageDecoder {
 public:
  ImageDecoder(const TableMap& map, std::string_view rows)
      : map_(map),
        p_(reinterpret_cast<const uint8_t*>(rows.data())),
        end_(p_ + rows.size()),
        begin_(p_) {}

  bool at_end() const { return p_ == end_; }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }

  // Decodes one image whose present columns are `present` into `out`.
  Status Image(std::string_view present, std::vector<Value>& out) {
    size_t n = map_.column_count();
    out.resize(n);
    size_t present_count = 0;
    for (size_t i = 0; i < n; ++i) present_count += Present(present, i);
    size_t null_bytes = (present_count + 7) / 8;
    if (static_cast<size_t>(end_ - p_) < null_bytes) return Truncated("null bitmap", n);
    const uint8_t* nulls = p_;
    p_ += null_bytes;
    size_t k = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!Present(present, i)) {
        out[i] = Value::Unchanged();
        continue;
      }
      bool is_null = (nulls[k / 8] >> (k % 8)) & 1;
      ++k;
      if (is_null) {
        out[i] = Value::Null();
        continue;
      }
      RETURN_IF_ERROR(Column(i, out[i]));
    }
    return Status::Ok();
  }

 private:
  static bool Present(std::string_view bitmap, size_t i) {
    return (static_cast<uint8_t>(bitmap[i / 8]) >> (i % 8)) & 1;
  }

  Status Truncated(const char* what, size_t column) const {
    // Old-format (MariaDB 5.3) TIME/DATETIME/TIMESTAMP columns with fractional seconds log no
    // metadata, so their size cannot be known from the binlog: the likely cause of a misfit.
    bool old_temporal = false;
    for (uint8_t t : map_.types)
      old_temporal = old_temporal || t == MYSQL_TYPE_TIME || t == MYSQL_TYPE_DATETIME ||
                     t == MYSQL_TYPE_TIMESTAMP;
    return Internal(fmt::format(
        "rows event for {}.{}: row image truncated at byte {} ({}{}){}", map_.database, map_.table,
        p_ - begin_, what,
        column < map_.column_count() ? ", " + map_.ColumnLabel(column) : std::string(),
        old_temporal ? "; the table has old-format (MariaDB 5.3) temporal columns, whose "
                       "fractional-second variants cannot be decoded from the binlog: convert "
                       "them with ALTER TABLE ... FORCE under mysql56_temporal_format=ON"
                     : ""));
  }

  bool Need(size_t n) const { return static_cast<size_t>(end_ - p_) >= n; }

  // Reads a length prefix of `bytes` bytes and then that many bytes.
  Status LengthPrefixed(size_t column, size_t bytes, std::string_view& out) {
    if (!Need(bytes)) return Truncated("length", column);
    size_t len = static_cast<size_t>(LittleEndian(p_, bytes));
    p_ += bytes;
    if (!Need(len)) return Truncated("string", column);
    out = std::string_view(reinterpret_cast<const char*>(p_), len);
    p_ += len;
    return Status::Ok();
  }

  Status Text(size_t column, std::string_view bytes, bool strip_spaces, Value& out) {
    CharsetKind cs = CharsetOfCollation(map_.charsets[column]);
    if (cs == CharsetKind::kBinary) {
      out = Value::String(ValueKind::kBytes, std::string(bytes));
      return Status::Ok();
    }
    if (strip_spaces)
      while (!bytes.empty() && bytes.back() == ' ') bytes.remove_suffix(1);
    if (cs == CharsetKind::kLatin1) {
      std::string s;
      AppendLatin1AsUtf8(bytes, s);
      out = Value::String(ValueKind::kText, std::move(s));
    } else {
      out = Value::String(ValueKind::kText, std::string(bytes));
    }
    return Status::Ok();
  }

  void Label(size_t column, const std::string& label, std::string& out) const {
    if (CharsetOfCollation(map_.charsets[column]) == CharsetKind::kLatin1)
      AppendLatin1AsUtf8(label, out);
    else
      out += label;
  }

  Status Column(size_t i, Value& out) {
    const uint8_t type = map_.types[i];
    const uint16_t meta = map_.meta[i];
    size_t fixed = FixedSize(type, meta);
    if (fixed) {
      if (!Need(fixed)) return Truncated("value", i);
      const uint8_t* p = p_;
      p_ += fixed;
      return Fixed(i, type, meta, p, fixed, out);
    }
    std::string_view bytes;
    switch (type) {
      case MYSQL_TYPE_VARCHAR:
      case MYSQL_TYPE_VAR_STRING:
        RETURN_IF_ERROR(LengthPrefixed(i, meta < 256 ? 1 : 2, bytes));
        return Text(i, bytes, false, out);
      case kTypeString: {
        RETURN_IF_ERROR(LengthPrefixed(i, meta < 256 ? 1 : 2, bytes));
        if (CharsetOfCollation(map_.charsets[i]) == CharsetKind::kBinary) {
          std::string s(bytes);
          if (s.size() < meta) s.resize(meta, '\0');  // BINARY(n): the binlog strips the zeros
          out = Value::String(ValueKind::kBytes, std::move(s));
          return Status::Ok();
        }
        return Text(i, bytes, true, out);
      }
      case MYSQL_TYPE_BLOB:
      case MYSQL_TYPE_TINY_BLOB:
      case MYSQL_TYPE_MEDIUM_BLOB:
      case MYSQL_TYPE_LONG_BLOB:
      case MYSQL_TYPE_JSON:
        if (meta < 1 || meta > 4) return Unsupported(i, type);
        RETURN_IF_ERROR(LengthPrefixed(i, meta, bytes));
        return Text(i, bytes, false, out);
      case MYSQL_TYPE_GEOMETRY:  // refused at task start (docs/types.md); carried as bytes
        if (meta < 1 || meta > 4) return Unsupported(i, type);
        RETURN_IF_ERROR(LengthPrefixed(i, meta, bytes));
        out = Value::String(ValueKind::kBytes, std::string(bytes));
        return Status::Ok();
      default:
        return Unsupported(i, type);
    }
  }

  Status Unsupported(size_t i, uint8_t type) const {
    return Internal(fmt::format("{}: binlog type {} (metadata {}) cannot be decoded",
                                map_.ColumnLabel(i), type, map_.meta[i]));
  }

  Status Fixed(size_t i, uint8_t type, uint16_t meta, const uint8_t* p, size_t size, Value& out) {
    switch (type) {
      case MYSQL_TYPE_TINY:
      case MYSQL_TYPE_SHORT:
      case MYSQL_TYPE_INT24:
      case MYSQL_TYPE_LONG:
      case MYSQL_TYPE_LONGLONG: {
        uint64_t v = LittleEndian(p, size);
        if (map_.is_unsigned[i]) {
          out = Value::UInt64(v);
        } else {
          unsigned shift = static_cast<unsigned>(64 - 8 * size);
          out = Value::Int64(static_cast<int64_t>(v << shift) >> shift);
        }
        return Status::Ok();
      }
      case MYSQL_TYPE_YEAR:
        out = Value::Int64(p[0] == 0 ? 0 : 1900 + p[0]);
        return Status::Ok();
      case MYSQL_TYPE_FLOAT: {
        float f;
        std::memcpy(&f, p, 4);
        out = Value::Float64(static_cast<double>(f));
        return Status::Ok();
      }
      case MYSQL_TYPE_DOUBLE: {
        double d;
        std::memcpy(&d, p, 8);
        out = Value::Float64(d);
        return Status::Ok();
      }
      case MYSQL_TYPE_NEWDECIMAL:
        out = DecodeDecimal(p, meta);
        return Status::Ok();
      case MYSQL_TYPE_BIT:
        out = Value::UInt64(BigEndian(p, size));
        return Status::Ok();
      case MYSQL_TYPE_DATE: {
        uint32_t v = static_cast<uint32_t>(LittleEndian(p, 3));
        unsigned d = v & 31, mo = (v >> 5) & 15, y = v >> 9;
        if (y > 9999 || mo > 12) return Internal("corrupt DATE in a rows event");
        if (y == 0 || mo == 0 || d == 0)
          out = ZeroDateText(y, mo, d, false, 0, 0, 0, 0, 0);
        else
          out = Value::Date(DaysFromCivil(y, mo, d));
        return Status::Ok();
      }
      case MYSQL_TYPE_TIME: {  // pre-5.6 format: HHMMSS as a signed 3-byte integer
        int32_t v = static_cast<int32_t>(LittleEndian(p, 3) << 8) >> 8;
        int64_t a = v < 0 ? -int64_t(v) : v;
        int64_t us = ((a / 10000) * 3600 + (a / 100 % 100) * 60 + a % 100) * kMicrosPerSecond;
        out = Value::Time(v < 0 ? -us : us);
        return Status::Ok();
      }
      case MYSQL_TYPE_DATETIME: {  // pre-5.6 format: YYYYMMDDhhmmss as an integer
        uint64_t v = LittleEndian(p, 8);
        uint64_t date = v / 1000000, time = v % 1000000;
        if (date / 10000 > 9999) return Internal("corrupt DATETIME in a rows event");
        return DateTimeValue(unsigned(date / 10000), unsigned(date / 100 % 100),
                             unsigned(date % 100), unsigned(time / 10000),
                             unsigned(time / 100 % 100), unsigned(time % 100), 0, 0, out);
      }
      case MYSQL_TYPE_TIMESTAMP: {  // pre-5.6 format: seconds, little-endian
        uint32_t sec = static_cast<uint32_t>(LittleEndian(p, 4));
        out = sec == 0 ? ZeroDateText(0, 0, 0, true, 0, 0, 0, 0, 0)
                       : Value::TimestampTz(int64_t(sec) * kMicrosPerSecond);
        return Status::Ok();
      }
      case MYSQL_TYPE_TIMESTAMP2: {
        uint32_t sec = static_cast<uint32_t>(BigEndian(p, 4));
        uint32_t frac = Fraction(p + 4, meta);
        out = sec == 0 && frac == 0 ? ZeroDateText(0, 0, 0, true, 0, 0, 0, 0, meta)
                                    : Value::TimestampTz(int64_t(sec) * kMicrosPerSecond + frac);
        return Status::Ok();
      }
      case MYSQL_TYPE_DATETIME2: {
        // 1 bit sign (always set), 17 bits year*13+month, 5 day, 5 hour, 6 minute, 6 second.
        uint64_t v = BigEndian(p, 5) - 0x8000000000ull;
        uint64_t ymd = v >> 17, hms = v & 0x1ffff;
        uint64_t ym = ymd >> 5;
        if (ym / 13 > 9999) return Internal("corrupt DATETIME in a rows event");
        return DateTimeValue(unsigned(ym / 13), unsigned(ym % 13), unsigned(ymd & 31),
                             unsigned(hms >> 12), unsigned((hms >> 6) & 63), unsigned(hms & 63),
                             Fraction(p + 5, meta), meta, out);
      }
      case MYSQL_TYPE_TIME2:
        out = Value::Time(DecodeTime2(p, meta));
        return Status::Ok();
      case kTypeEnum: {
        uint64_t index = LittleEndian(p, size);
        const auto& labels = map_.enum_values[i];
        if (index > labels.size()) {
          return Internal(fmt::format("{}: ENUM index {} beyond its {} labels", map_.ColumnLabel(i),
                                      index, labels.size()));
        }
        std::string s;
        if (index > 0) Label(i, labels[index - 1], s);
        out = Value::String(ValueKind::kText, std::move(s));
        return Status::Ok();
      }
      case kTypeSet: {
        uint64_t mask = LittleEndian(p, size);
        const auto& labels = map_.set_values[i];
        if (labels.size() < 64 && (mask >> labels.size()) != 0) {
          return Internal(fmt::format("{}: SET value {:#x} has bits beyond its {} labels",
                                      map_.ColumnLabel(i), mask, labels.size()));
        }
        std::string s;
        for (size_t b = 0; b < labels.size(); ++b) {
          if (!((mask >> b) & 1)) continue;
          if (!s.empty()) s.push_back(',');
          Label(i, labels[b], s);
        }
        out = Value::String(ValueKind::kText, std::move(s));
        return Status::Ok();
      }
      default:
        return Unsupported(i, type);
    }
  }

  const TableMap& map_;
  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
};

// UTF-8 of cp1252 bytes 0x80-0x9F (MariaDB's latin1 maps the five undefined ones to C1).
constexpr uint16_t kCp1252High[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

}  // namespace

CharsetKind CharsetOfCollation(uint32_t id) {
  switch (id) {
    case 63:
      return CharsetKind::kBinary;
    case 5:
    case 8:
    case 15:
    case 31:
    case 47:
    case 48:
    case 49:
    case 94:
    case 1032:
    case 1071:
      return CharsetKind::kLatin1;
    case 11:
    case 65:
    case 1035:
    case 1089:  // ascii
    case 33:
    case 83:
    case 223:
    case 1057:
    case 1107:
    case 1216:
    case 1238:  // utf8mb3
    case 45:
    case 46:
    case 1069:
    case 1070:
    case 1248:
    case 1270:  // utf8mb4
      return CharsetKind::kUtf8;
    default:
      break;
  }
  if ((id >= 192 && id <= 215) || (id >= 576 && id <= 578)) return CharsetKind::kUtf8;  // mb3
  if ((id >= 224 && id <= 247) || (id >= 608 && id <= 610)) return CharsetKind::kUtf8;  // mb4
  // MariaDB 10.10+ uca1400 collations: bits 8-10 give the charset (0 utf8mb3, 1 utf8mb4).
  if (id >= 2048 && id < 4096 && ((id >> 8) & 7) <= 1) return CharsetKind::kUtf8;
  return CharsetKind::kUnsupported;
}

void AppendLatin1AsUtf8(std::string_view in, std::string& out) {
  // UTF-8 of every byte >= 0x80, built once.
  struct Utf8 {
    char bytes[3];
    uint8_t size;
  };
  static const auto kTable = [] {
    std::array<Utf8, 128> t{};
    for (unsigned c = 0x80; c < 0x100; ++c) {
      uint32_t u = c < 0xA0 ? kCp1252High[c - 0x80] : c;
      Utf8& e = t[c - 0x80];
      if (u < 0x800) {
        e = {{static_cast<char>(0xC0 | (u >> 6)), static_cast<char>(0x80 | (u & 0x3F)), 0}, 2};
      } else {
        e = {{static_cast<char>(0xE0 | (u >> 12)), static_cast<char>(0x80 | ((u >> 6) & 0x3F)),
              static_cast<char>(0x80 | (u & 0x3F))},
             3};
      }
    }
    return t;
  }();
  out.reserve(out.size() + in.size());
  const char* p = in.data();
  const char* end = p + in.size();
  while (p < end) {
    // Copy the ASCII run in one append, scanning 8 bytes at a time.
    const char* run = p;
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ull) break;
      p += 8;
    }
    while (p < end && static_cast<uint8_t>(*p) < 0x80) ++p;
    out.append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    const Utf8& e = kTable[static_cast<uint8_t>(*p) - 0x80];
    out.append(e.bytes, e.size);
    ++p;
  }
}

Status CheckDecodable(const TableMap& map) {
  for (size_t i = 0; i < map.column_count(); ++i) {
    uint8_t t = map.types[i];
    if (IsInteger(t) && !map.has_signedness) {
      return FailedPrecondition(fmt::format(
          "{}: the binlog does not say whether it is signed; set binlog_row_metadata=FULL on "
          "the source",
          map.ColumnLabel(i)));
    }
    if (IsStringType(t) || t == kTypeEnum || t == kTypeSet) {
      if (map.charsets[i] == 0) {
        return FailedPrecondition(fmt::format(
            "{}: the binlog does not give its character set; set binlog_row_metadata=FULL on "
            "the source",
            map.ColumnLabel(i)));
      }
      if (CharsetOfCollation(map.charsets[i]) == CharsetKind::kUnsupported) {
        return FailedPrecondition(fmt::format(
            "{}: collation id {} is not a utf8mb4, utf8mb3, ascii, latin1 or binary collation",
            map.ColumnLabel(i), map.charsets[i]));
      }
    }
    if ((t == kTypeEnum && map.enum_values[i].empty()) ||
        (t == kTypeSet && map.set_values[i].empty())) {
      return FailedPrecondition(fmt::format(
          "{}: the binlog does not list its ENUM/SET labels; set binlog_row_metadata=FULL on the "
          "source",
          map.ColumnLabel(i)));
    }
    switch (t) {
      case MYSQL_TYPE_DECIMAL:
      case MYSQL_TYPE_NULL:
      case MYSQL_TYPE_NEWDATE:
        return Internal(fmt::format("{}: binlog type {} cannot be decoded", map.ColumnLabel(i), t));
      case MYSQL_TYPE_NEWDECIMAL: {
        int precision = map.meta[i] >> 8, scale = map.meta[i] & 0xff;
        if (precision < 1 || precision > 65 || scale > 38 || scale > precision) {
          return Internal(fmt::format("{}: DECIMAL({},{}) is out of range", map.ColumnLabel(i),
                                      precision, scale));
        }
        break;
      }
      case MYSQL_TYPE_TIMESTAMP2:
      case MYSQL_TYPE_DATETIME2:
      case MYSQL_TYPE_TIME2:
        if (map.meta[i] > 6) {
          return Internal(fmt::format("{}: {} fractional digits", map.ColumnLabel(i), map.meta[i]));
        }
        break;
      case MYSQL_TYPE_BIT:
        if (map.meta[i] < 1 || map.meta[i] > 64)
          return Internal(fmt::format("{}: BIT({})", map.ColumnLabel(i), map.meta[i]));
        break;
      case kTypeEnum:
        if (map.meta[i] < 1 || map.meta[i] > 2)
          return Internal(fmt::format("{}: ENUM of {} bytes", map.ColumnLabel(i), map.meta[i]));
        break;
      case kTypeSet:
        if (map.meta[i] < 1 || map.meta[i] > 8)
          return Internal(fmt::format("{}: SET of {} bytes", map.ColumnLabel(i), map.meta[i]));
        break;
      default:
        if (!IsInteger(t) && !IsStringType(t) && FixedSize(t, map.meta[i]) == 0 &&
            t != MYSQL_TYPE_JSON && t != MYSQL_TYPE_GEOMETRY) {
          return Internal(fmt::format("{}: unknown binlog column type {} (metadata {})",
                                      map.ColumnLabel(i), t, map.meta[i]));
        }
        break;
    }
  }
  return Status::Ok();
}

Status DecodeRows(const TableMap& map, const RowsEventBody& body, std::vector<RowImagePair>& rows) {
  if (body.table_id != map.table_id || body.column_count != map.column_count()) {
    return Internal(fmt::format(
        "rows event for table id {} with {} columns does not match TABLE_MAP {}.{} (id {}, {} "
        "columns)",
        body.table_id, body.column_count, map.database, map.table, map.table_id,
        map.column_count()));
  }
  RETURN_IF_ERROR(CheckDecodable(map));
  const bool has_before = body.type != BinlogEvent::Type::kWriteRows;
  const bool has_after = body.type != BinlogEvent::Type::kDeleteRows;
  ImageDecoder decoder(map, body.rows);
  size_t count = 0;
  while (!decoder.at_end()) {
    // A row whose images take no bytes (no column present) would repeat forever: a corrupt
    // event, not an endless stream of empty rows (found by fuzz/row_image_fuzz).
    const size_t row_start = decoder.offset();
    if (count == rows.size()) rows.emplace_back();
    RowImagePair& row = rows[count++];
    if (has_before) {
      RETURN_IF_ERROR(decoder.Image(body.present_before, row.before));
    } else {
      row.before.clear();
    }
    if (has_after) {
      std::string_view present =
          body.type == BinlogEvent::Type::kUpdateRows ? body.present_after : body.present_before;
      RETURN_IF_ERROR(decoder.Image(present, row.after));
    } else {
      row.after.clear();
    }
    if (decoder.offset() == row_start) {
      return Internal(
          fmt::format("rows event of {}.{}: a row image holds no column (corrupt event at byte {})",
                      map.database, map.table, row_start));
    }
  }
  rows.resize(count);
  return Status::Ok();
}

}  // namespace cutover::mariadb
