// Record encoding of the change spool. See change_record.h for the design note.
#include "engine/pipeline/change_record.h"

#include <cstring>

namespace cutover {

namespace {

void PutU8(std::string& out, uint8_t v) {
  out.push_back(static_cast<char>(v));
}
void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutStr(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}
void PutPosition(std::string& out, const Position& p) {
  PutU64(out, p.major);
  PutU64(out, p.minor);
  PutStr(out, p.text);
}
void PutTxn(std::string& out, const TransactionInfo& t) {
  PutStr(out, t.xid);
  PutPosition(out, t.position);
  PutU64(out, static_cast<uint64_t>(t.commit_time_us));
}
void PutValues(std::string& out, const std::vector<Value>& values) {
  PutU32(out, static_cast<uint32_t>(values.size()));
  for (const Value& v : values) {
    PutU8(out, static_cast<uint8_t>(v.kind()));
    switch (v.kind()) {
      case ValueKind::kNull:
      case ValueKind::kUnchanged:
        break;
      case ValueKind::kBool:
        PutU8(out, v.as_bool() ? 1 : 0);
        break;
      case ValueKind::kInt64:
      case ValueKind::kDate:
      case ValueKind::kTime:
      case ValueKind::kTimestamp:
      case ValueKind::kTimestampTz:
        PutU64(out, static_cast<uint64_t>(v.as_int64()));
        break;
      case ValueKind::kUInt64:
        PutU64(out, v.as_uint64());
        break;
      case ValueKind::kFloat64: {
        double d = v.as_double();
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        PutU64(out, bits);
        break;
      }
      default:
        PutStr(out, v.str());
    }
  }
}

// Reads the fields of one record; every read checks the bounds, a short record is DataLoss.
class Cursor {
 public:
  explicit Cursor(std::string_view in) : in_(in) {}
  bool U8(uint8_t& v) {
    if (in_.size() < 1) return false;
    v = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U32(uint32_t& v) {
    if (in_.size() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(in_[i])} << (8 * i);
    in_.remove_prefix(4);
    return true;
  }
  bool U64(uint64_t& v) {
    if (in_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(in_[i])} << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool Str(std::string& s) {
    uint32_t n;
    if (!U32(n) || in_.size() < n) return false;
    s.assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Pos(Position& p) { return U64(p.major) && U64(p.minor) && Str(p.text); }
  bool Txn(TransactionInfo& t) {
    uint64_t ts;
    if (!Str(t.xid) || !Pos(t.position) || !U64(ts)) return false;
    t.commit_time_us = static_cast<int64_t>(ts);
    return true;
  }
  bool Values(std::vector<Value>& values) {
    uint32_t n;
    if (!U32(n) || n > in_.size()) return false;  // each value takes at least one byte
    values.clear();
    values.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      uint8_t k;
      if (!U8(k) || k > static_cast<uint8_t>(ValueKind::kOther)) return false;
      auto kind = static_cast<ValueKind>(k);
      uint64_t u;
      switch (kind) {
        case ValueKind::kNull:
          values.push_back(Value::Null());
          break;
        case ValueKind::kUnchanged:
          values.push_back(Value::Unchanged());
          break;
        case ValueKind::kBool: {
          uint8_t b;
          if (!U8(b)) return false;
          values.push_back(Value::Bool(b != 0));
          break;
        }
        case ValueKind::kInt64:
          if (!U64(u)) return false;
          values.push_back(Value::Int64(static_cast<int64_t>(u)));
          break;
        case ValueKind::kDate:
          if (!U64(u)) return false;
          values.push_back(Value::Date(static_cast<int64_t>(u)));
          break;
        case ValueKind::kTime:
          if (!U64(u)) return false;
          values.push_back(Value::Time(static_cast<int64_t>(u)));
          break;
        case ValueKind::kTimestamp:
          if (!U64(u)) return false;
          values.push_back(Value::Timestamp(static_cast<int64_t>(u)));
          break;
        case ValueKind::kTimestampTz:
          if (!U64(u)) return false;
          values.push_back(Value::TimestampTz(static_cast<int64_t>(u)));
          break;
        case ValueKind::kUInt64:
          if (!U64(u)) return false;
          values.push_back(Value::UInt64(u));
          break;
        case ValueKind::kFloat64: {
          if (!U64(u)) return false;
          double d;
          std::memcpy(&d, &u, sizeof d);
          values.push_back(Value::Float64(d));
          break;
        }
        default: {
          std::string s;
          if (!Str(s)) return false;
          values.push_back(Value::String(kind, std::move(s)));
        }
      }
    }
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

Status Malformed(char type, std::string_view what) {
  return DataLoss(std::string("change spool: malformed '") + type +
                  "' record: " + std::string(what));
}

struct ParsedShape {
  TableName name;
  std::string engine;
  std::vector<size_t> key;
  std::vector<Column> columns;  // name, kind, type_id, type_name
};

bool ParseShape(const std::string& shape, ParsedShape& out) {
  Cursor c(shape);
  uint32_t n;
  if (!c.Str(out.name.schema) || !c.Str(out.name.name) || !c.Str(out.engine) || !c.U32(n))
    return false;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t k;
    if (!c.U32(k)) return false;
    out.key.push_back(k);
  }
  if (!c.U32(n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    Column col;
    uint8_t kind;
    if (!c.Str(col.name) || !c.U8(kind) || !c.U32(col.type_id) || !c.Str(col.type_name))
      return false;
    if (kind > static_cast<uint8_t>(ValueKind::kOther)) return false;
    col.kind = static_cast<ValueKind>(kind);
    out.columns.push_back(std::move(col));
  }
  for (size_t k : out.key)
    if (k >= out.columns.size()) return false;
  return c.done();
}

}  // namespace

void TableShapes::Register(const std::string& shape, TableSchemaPtr schema) {
  std::lock_guard<std::mutex> lock(mu_);
  by_shape_[shape] = std::move(schema);
}

TableSchemaPtr TableShapes::Find(const std::string& shape) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_shape_.find(shape);
  return it == by_shape_.end() ? nullptr : it->second;
}

std::string TableShape(const TableSchema& t) {
  std::string out;
  PutStr(out, t.name.schema);
  PutStr(out, t.name.name);
  PutStr(out, t.engine);
  PutU32(out, static_cast<uint32_t>(t.key.size()));
  for (size_t k : t.key) PutU32(out, static_cast<uint32_t>(k));
  PutU32(out, static_cast<uint32_t>(t.columns.size()));
  for (const Column& c : t.columns) {
    PutStr(out, c.name);
    PutU8(out, static_cast<uint8_t>(c.kind));
    PutU32(out, c.type_id);
    PutStr(out, c.type_name);
  }
  return out;
}

std::string EncodeSegmentHeader(const Position& base) {
  std::string out = "H";
  PutPosition(out, base);
  return out;
}

Result<Position> DecodeSegmentHeader(std::string_view record) {
  Position p;
  Cursor c(record.substr(record.empty() ? 0 : 1));
  if (record.empty() || record[0] != 'H' || !c.Pos(p) || !c.done())
    return Malformed('H', "not a segment header");
  return p;
}

uint32_t EventEncoder::TableIndex(const TableSchemaPtr& t, std::vector<std::string>& out) {
  auto it = index_.find(t.get());
  if (it != index_.end()) return it->second.second;
  auto idx = static_cast<uint32_t>(index_.size());
  std::string shape = TableShape(*t);
  shapes_->Register(shape, t);
  std::string rec = "T";
  PutU32(rec, idx);
  PutStr(rec, shape);
  out.push_back(std::move(rec));
  index_[t.get()] = {t, idx};
  return idx;
}

void EventEncoder::Encode(const StreamEvent& ev, std::vector<std::string>& out) {
  std::string rec;
  switch (ev.type) {
    case StreamEvent::Type::kBegin:
      rec = "B";
      PutTxn(rec, ev.txn);
      break;
    case StreamEvent::Type::kCommit:
      rec = "E";
      PutTxn(rec, ev.txn);
      break;
    case StreamEvent::Type::kChange: {
      const Change& c = ev.change;
      uint32_t table = TableIndex(c.table, out);
      std::vector<uint32_t> truncated;
      for (const TableSchemaPtr& t : c.truncated) truncated.push_back(TableIndex(t, out));
      rec = "C";
      PutU8(rec, static_cast<uint8_t>(c.op));
      PutU8(rec, c.before_is_key_only ? 1 : 0);
      PutU32(rec, table);
      PutU32(rec, static_cast<uint32_t>(truncated.size()));
      for (uint32_t t : truncated) PutU32(rec, t);
      PutValues(rec, c.before);
      PutValues(rec, c.after);
      break;
    }
    case StreamEvent::Type::kNone:
      return;
  }
  out.push_back(std::move(rec));
}

Result<TableSchemaPtr> EventDecoder::Resolve(const std::string& shape) {
  if (TableSchemaPtr same = shapes_ ? shapes_->Find(shape) : nullptr) return same;
  ParsedShape parsed;
  if (!ParseShape(shape, parsed)) return Malformed('T', "bad table shape");
  auto it = known_->find(parsed.name);
  if (it == known_->end()) return TableSchemaPtr();  // no longer in the task
  const TableSchemaPtr& known = it->second;
  if (TableShape(*known) == shape) return known;
  // The stream's own schema of the table (see the design note): the task's, with the columns
  // and key the changes were captured with.
  auto derived = std::make_shared<TableSchema>();
  derived->name = known->name;
  derived->engine = known->engine;
  derived->computed = known->computed;
  derived->key = parsed.key;
  for (Column& c : parsed.columns) {
    Column col = c;
    for (const Column& kc : known->columns) {
      if (kc.name != c.name) continue;
      col = kc;
      col.kind = c.kind;
      col.type_id = c.type_id;
    }
    derived->columns.push_back(std::move(col));
  }
  return TableSchemaPtr(std::move(derived));
}

Result<bool> EventDecoder::Decode(std::string_view record, StreamEvent& out) {
  if (record.empty()) return Malformed('?', "empty record");
  const char type = record[0];
  Cursor c(record.substr(1));
  switch (type) {
    case 'H':
      return false;
    case 'T': {
      uint32_t idx;
      std::string shape;
      if (!c.U32(idx) || !c.Str(shape) || !c.done() || idx != tables_.size())
        return Malformed(type, "bad table record");
      ASSIGN_OR_RETURN(TableSchemaPtr t, Resolve(shape));
      tables_.push_back(std::move(t));
      return false;
    }
    case 'B':
    case 'E':
      out.type = type == 'B' ? StreamEvent::Type::kBegin : StreamEvent::Type::kCommit;
      if (!c.Txn(out.txn) || !c.done()) return Malformed(type, "bad transaction");
      return true;
    case 'C': {
      uint8_t op, key_only;
      uint32_t table, n;
      Change& ch = out.change;
      if (!c.U8(op) || op > static_cast<uint8_t>(ChangeOp::kTruncate) || !c.U8(key_only) ||
          !c.U32(table) || table >= tables_.size() || !c.U32(n) || n > tables_.size())
        return Malformed(type, "bad change header");
      ch.op = static_cast<ChangeOp>(op);
      ch.before_is_key_only = key_only != 0;
      ch.table = tables_[table];
      ch.truncated.clear();
      for (uint32_t i = 0; i < n; ++i) {
        uint32_t t;
        if (!c.U32(t) || t >= tables_.size()) return Malformed(type, "bad truncated table");
        if (tables_[t]) ch.truncated.push_back(tables_[t]);
      }
      if (!c.Values(ch.before) || !c.Values(ch.after) || !c.done())
        return Malformed(type, "bad values");
      out.type = StreamEvent::Type::kChange;
      if (ch.op == ChangeOp::kTruncate) {
        if (ch.truncated.empty()) return false;
        ch.table = ch.truncated.front();
      }
      return ch.table != nullptr;
    }
    default:
      return Malformed(type, "unknown record type");
  }
}

}  // namespace cutover
