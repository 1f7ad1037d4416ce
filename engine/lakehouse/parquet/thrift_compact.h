// Thrift compact protocol: the encoding of every Parquet metadata structure (file footer and
// page headers).
//
// Design: hand-written because the footer and page headers use a handful of structs and only
// nine wire types; Debian's libthrift would bring a code generator, a runtime library and
// generated classes for the whole parquet.thrift to write about two hundred lines' worth of
// bytes. The writer is a byte appender that tracks the last field id per open struct (field
// headers carry a delta); the reader is a cursor over a byte span that decodes one field header
// at a time and can skip any value, so files from other writers with fields we do not know (or
// newer ones) still parse. Every read is bounds-checked and reports a Status naming what it was
// reading; nothing trusts a length from the file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/core/status.h"

namespace cutover::parquet {

// Compact-protocol wire types (the 4-bit type in field and list headers).
enum class ThriftType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,  // in a field header: a bool field whose value is true
  kBoolFalse = 2,
  kByte = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

// Appends compact-protocol bytes to a string. Fields must be written in increasing id order
// within a struct (the header delta form is used whenever it fits).
class CompactWriter {
 public:
  explicit CompactWriter(std::string& out) : out_(out) {}

  void BeginStruct();  // nested struct value (also the top-level one)
  void EndStruct();    // writes the stop byte

  void FieldBool(int16_t id, bool v);
  void FieldByte(int16_t id, int8_t v);
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldBinary(int16_t id, std::string_view v);
  void FieldStructBegin(int16_t id);  // then fields, then EndStruct()
  // A list field: the header only; then `size` elements written with the Element* calls.
  void FieldListBegin(int16_t id, ThriftType elem, uint32_t size);

  void ElementI32(int32_t v) { Varint(ZigZag(v)); }
  void ElementBinary(std::string_view v);
  // List elements that are structs: BeginStruct() ... EndStruct().

  // Exposed for the tests and the RLE encoder's varints.
  void Varint(uint64_t v);
  static uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  }

 private:
  void FieldHeader(int16_t id, ThriftType type);

  std::string& out_;
  std::vector<int16_t> last_ids_;
};

// Reads compact-protocol bytes from a span. `what` names the structure for error messages.
class CompactReader {
 public:
  CompactReader(std::string_view bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  struct FieldHeader {
    int16_t id = 0;
    ThriftType type = ThriftType::kStop;  // kStop: end of the struct
  };

  void BeginStruct() { last_ids_.push_back(0); }
  void EndStruct() {
    if (!last_ids_.empty()) last_ids_.pop_back();
  }
  // The next field of the current struct; type kStop at its end (EndStruct() is then up to
  // the caller).
  Result<FieldHeader> NextField();

  // Values. For a bool field the value is in the header type: use BoolFromHeader.
  static bool BoolFromHeader(ThriftType t) { return t == ThriftType::kBoolTrue; }
  Result<int32_t> ReadI32();
  Result<int64_t> ReadI64();
  Result<int8_t> ReadByte();
  Result<std::string_view> ReadBinary();
  struct ListHeader {
    ThriftType elem = ThriftType::kStop;
    uint32_t size = 0;
  };
  Result<ListHeader> ReadListHeader();
  // Skips one value of the given type (structs, lists, sets and maps recursively).
  Status Skip(ThriftType type, int depth = 0);

  size_t position() const { return pos_; }
  Status Error(std::string_view message) const;

 private:
  Result<uint64_t> Varint();

  std::string_view bytes_;
  std::string what_;
  size_t pos_ = 0;
  std::vector<int16_t> last_ids_;
};

}  // namespace cutover::parquet
