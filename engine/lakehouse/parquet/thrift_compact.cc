// Thrift compact protocol (see thrift_compact.h for the design).
#include "engine/lakehouse/parquet/thrift_compact.h"

#include <cstring>

#include <fmt/format.h>

namespace cutover::parquet {

void CompactWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void CompactWriter::BeginStruct() {
  last_ids_.push_back(0);
}

void CompactWriter::EndStruct() {
  out_.push_back(0);
  if (!last_ids_.empty()) last_ids_.pop_back();
}

void CompactWriter::FieldHeader(int16_t id, ThriftType type) {
  int16_t& last = last_ids_.back();
  int delta = id - last;
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>((delta << 4) | static_cast<int>(type)));
  } else {
    out_.push_back(static_cast<char>(type));
    Varint(ZigZag(id));
  }
  last = id;
}

void CompactWriter::FieldBool(int16_t id, bool v) {
  FieldHeader(id, v ? ThriftType::kBoolTrue : ThriftType::kBoolFalse);
}

void CompactWriter::FieldByte(int16_t id, int8_t v) {
  FieldHeader(id, ThriftType::kByte);
  out_.push_back(static_cast<char>(v));
}

void CompactWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, ThriftType::kI32);
  Varint(ZigZag(v));
}

void CompactWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, ThriftType::kI64);
  Varint(ZigZag(v));
}

void CompactWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, ThriftType::kBinary);
  ElementBinary(v);
}

void CompactWriter::ElementBinary(std::string_view v) {
  Varint(v.size());
  out_.append(v);
}

void CompactWriter::FieldStructBegin(int16_t id) {
  FieldHeader(id, ThriftType::kStruct);
  BeginStruct();
}

void CompactWriter::FieldListBegin(int16_t id, ThriftType elem, uint32_t size) {
  FieldHeader(id, ThriftType::kList);
  if (size < 15) {
    out_.push_back(static_cast<char>((size << 4) | static_cast<int>(elem)));
  } else {
    out_.push_back(static_cast<char>(0xf0 | static_cast<int>(elem)));
    Varint(size);
  }
}

Status CompactReader::Error(std::string_view message) const {
  return DataLoss(fmt::format("{}: {} at byte {}", what_, message, pos_));
}

Result<uint64_t> CompactReader::Varint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= bytes_.size()) return Error("truncated varint");
    uint8_t b = static_cast<uint8_t>(bytes_[pos_++]);
    if (shift == 63 && (b & 0x7e)) return Error("varint overflows 64 bits");
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  return Error("varint longer than 10 bytes");
}

static int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

Result<CompactReader::FieldHeader> CompactReader::NextField() {
  if (pos_ >= bytes_.size()) return Error("truncated struct");
  if (last_ids_.empty()) return Error("field outside a struct");
  uint8_t b = static_cast<uint8_t>(bytes_[pos_++]);
  FieldHeader h;
  h.type = static_cast<ThriftType>(b & 0x0f);
  if (h.type == ThriftType::kStop) return h;
  if (static_cast<uint8_t>(h.type) > static_cast<uint8_t>(ThriftType::kStruct)) {
    return Error(fmt::format("unknown field type {}", b & 0x0f));
  }
  int delta = b >> 4;
  if (delta != 0) {
    h.id = static_cast<int16_t>(last_ids_.back() + delta);
  } else {
    auto id = Varint();
    if (!id.ok()) return id.status();
    int64_t v = UnZigZag(id.value());
    if (v < INT16_MIN || v > INT16_MAX) return Error("field id out of range");
    h.id = static_cast<int16_t>(v);
  }
  last_ids_.back() = h.id;
  return h;
}

Result<int32_t> CompactReader::ReadI32() {
  auto v = Varint();
  if (!v.ok()) return v.status();
  int64_t x = UnZigZag(v.value());
  if (x < INT32_MIN || x > INT32_MAX) return Error("i32 out of range");
  return static_cast<int32_t>(x);
}

Result<int64_t> CompactReader::ReadI64() {
  auto v = Varint();
  if (!v.ok()) return v.status();
  return UnZigZag(v.value());
}

Result<int8_t> CompactReader::ReadByte() {
  if (pos_ >= bytes_.size()) return Error("truncated byte");
  return static_cast<int8_t>(bytes_[pos_++]);
}

Result<std::string_view> CompactReader::ReadBinary() {
  auto n = Varint();
  if (!n.ok()) return n.status();
  if (n.value() > bytes_.size() - pos_) return Error("binary length past the end");
  std::string_view v = bytes_.substr(pos_, n.value());
  pos_ += n.value();
  return v;
}

Result<CompactReader::ListHeader> CompactReader::ReadListHeader() {
  if (pos_ >= bytes_.size()) return Error("truncated list header");
  uint8_t b = static_cast<uint8_t>(bytes_[pos_++]);
  ListHeader h;
  h.elem = static_cast<ThriftType>(b & 0x0f);
  h.size = b >> 4;
  if (h.size == 15) {
    auto n = Varint();
    if (!n.ok()) return n.status();
    // Every element takes at least one byte (bools in a list are one byte each too).
    if (n.value() > bytes_.size() - pos_) return Error("list size past the end");
    h.size = static_cast<uint32_t>(n.value());
  }
  return h;
}

Status CompactReader::Skip(ThriftType type, int depth) {
  if (depth > 32) return Error("nesting deeper than 32");
  switch (type) {
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse:
      return Status::Ok();  // a bool field's value is in its header
    case ThriftType::kByte:
      return ReadByte().status();
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      return Varint().status();
    case ThriftType::kDouble:
      if (bytes_.size() - pos_ < 8) return Error("truncated double");
      pos_ += 8;
      return Status::Ok();
    case ThriftType::kBinary:
      return ReadBinary().status();
    case ThriftType::kList:
    case ThriftType::kSet: {
      auto h = ReadListHeader();
      if (!h.ok()) return h.status();
      for (uint32_t i = 0; i < h.value().size; ++i) {
        // Bools inside a list take one byte each.
        ThriftType t = h.value().elem;
        if (t == ThriftType::kBoolTrue || t == ThriftType::kBoolFalse) t = ThriftType::kByte;
        if (Status s = Skip(t, depth + 1); !s.ok()) return s;
      }
      return Status::Ok();
    }
    case ThriftType::kMap: {
      auto n = Varint();
      if (!n.ok()) return n.status();
      if (n.value() == 0) return Status::Ok();
      if (n.value() > bytes_.size() - pos_) return Error("map size past the end");
      auto kv = ReadByte();
      if (!kv.ok()) return kv.status();
      auto kt = static_cast<ThriftType>((static_cast<uint8_t>(kv.value()) >> 4) & 0x0f);
      auto vt = static_cast<ThriftType>(static_cast<uint8_t>(kv.value()) & 0x0f);
      for (uint64_t i = 0; i < n.value(); ++i) {
        if (Status s = Skip(kt, depth + 1); !s.ok()) return s;
        if (Status s = Skip(vt, depth + 1); !s.ok()) return s;
      }
      return Status::Ok();
    }
    case ThriftType::kStruct: {
      BeginStruct();
      for (;;) {
        auto f = NextField();
        if (!f.ok()) return f.status();
        if (f.value().type == ThriftType::kStop) break;
        if (Status s = Skip(f.value().type, depth + 1); !s.ok()) return s;
      }
      EndStruct();
      return Status::Ok();
    }
    case ThriftType::kStop:
      break;
  }
  return Error(fmt::format("cannot skip type {}", static_cast<int>(type)));
}

}  // namespace cutover::parquet
