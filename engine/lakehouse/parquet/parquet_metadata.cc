// Footer and page-header serialisation (see parquet_metadata.h for the design). Field ids are
// parquet.thrift's.
#include "engine/lakehouse/parquet/parquet_metadata.h"

#include <fmt/format.h>

#include "engine/lakehouse/parquet/thrift_compact.h"

namespace cutover::parquet {

namespace {

using T = ThriftType;

void WriteTimeUnit(CompactWriter& w, int16_t field, int16_t unit) {
  w.FieldStructBegin(field);
  w.FieldStructBegin(unit);  // MILLIS / MICROS / NANOS: empty structs
  w.EndStruct();
  w.EndStruct();
}

void WriteLogicalType(CompactWriter& w, const LogicalTypeInfo& l) {
  w.FieldStructBegin(10);
  w.FieldStructBegin(l.tag);
  switch (l.tag) {
    case LogicalTypeInfo::kDecimal:
      w.FieldI32(1, l.decimal_scale);
      w.FieldI32(2, l.decimal_precision);
      break;
    case LogicalTypeInfo::kTime:
    case LogicalTypeInfo::kTimestamp:
      w.FieldBool(1, l.adjusted_to_utc);
      WriteTimeUnit(w, 2, l.time_unit);
      break;
    case LogicalTypeInfo::kInteger:
      w.FieldByte(1, l.bit_width);
      w.FieldBool(2, l.is_signed);
      break;
    default:
      break;  // empty structs
  }
  w.EndStruct();
  w.EndStruct();
}

void WriteStatistics(CompactWriter& w, int16_t field, const Statistics& s) {
  w.FieldStructBegin(field);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  w.EndStruct();
}

}  // namespace

void WriteFileMetaData(const FileMetaData& m, std::string& out) {
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, m.version);
  w.FieldListBegin(2, T::kStruct, static_cast<uint32_t>(m.schema.size()));
  for (const SchemaElement& e : m.schema) {
    w.BeginStruct();
    if (e.type) w.FieldI32(1, *e.type);
    if (e.type_length > 0) w.FieldI32(2, e.type_length);
    if (e.repetition) w.FieldI32(3, *e.repetition);
    w.FieldBinary(4, e.name);
    if (!e.type) w.FieldI32(5, e.num_children);
    if (e.converted_type) w.FieldI32(6, *e.converted_type);
    if (e.logical.tag == LogicalTypeInfo::kDecimal) {
      w.FieldI32(7, e.scale);
      w.FieldI32(8, e.precision);
    }
    if (e.logical.tag != LogicalTypeInfo::kNone) WriteLogicalType(w, e.logical);
    w.EndStruct();
  }
  w.FieldI64(3, m.num_rows);
  w.FieldListBegin(4, T::kStruct, static_cast<uint32_t>(m.row_groups.size()));
  for (const RowGroup& rg : m.row_groups) {
    w.BeginStruct();
    w.FieldListBegin(1, T::kStruct, static_cast<uint32_t>(rg.columns.size()));
    for (const ColumnChunk& cc : rg.columns) {
      w.BeginStruct();
      w.FieldI64(2, cc.file_offset);
      w.FieldStructBegin(3);
      const ColumnMetaData& c = cc.meta;
      w.FieldI32(1, c.type);
      w.FieldListBegin(2, T::kI32, static_cast<uint32_t>(c.encodings.size()));
      for (int32_t e : c.encodings) w.ElementI32(e);
      w.FieldListBegin(3, T::kBinary, static_cast<uint32_t>(c.path_in_schema.size()));
      for (const std::string& p : c.path_in_schema) w.ElementBinary(p);
      w.FieldI32(4, c.codec);
      w.FieldI64(5, c.num_values);
      w.FieldI64(6, c.total_uncompressed_size);
      w.FieldI64(7, c.total_compressed_size);
      w.FieldI64(9, c.data_page_offset);
      if (c.dictionary_page_offset) w.FieldI64(11, *c.dictionary_page_offset);
      if (c.statistics) WriteStatistics(w, 12, *c.statistics);
      w.EndStruct();
      w.EndStruct();
    }
    w.FieldI64(2, rg.total_byte_size);
    w.FieldI64(3, rg.num_rows);
    w.EndStruct();
  }
  if (!m.created_by.empty()) w.FieldBinary(6, m.created_by);
  if (m.type_defined_column_orders) {
    uint32_t leaves = m.schema.empty() ? 0 : static_cast<uint32_t>(m.schema.size() - 1);
    w.FieldListBegin(7, T::kStruct, leaves);
    for (uint32_t i = 0; i < leaves; ++i) {
      w.BeginStruct();
      w.FieldStructBegin(1);  // TYPE_ORDER: TypeDefinedOrder {}
      w.EndStruct();
      w.EndStruct();
    }
  }
  w.EndStruct();
}

void WritePageHeader(const PageHeader& h, std::string& out) {
  CompactWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, h.type);
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  switch (static_cast<PageType>(h.type)) {
    case PageType::kData:
      w.FieldStructBegin(5);
      w.FieldI32(1, h.num_values);
      w.FieldI32(2, h.encoding);
      w.FieldI32(3, h.definition_level_encoding);
      w.FieldI32(4, h.repetition_level_encoding);
      w.EndStruct();
      break;
    case PageType::kDictionary:
      w.FieldStructBegin(7);
      w.FieldI32(1, h.num_values);
      w.FieldI32(2, h.encoding);
      w.EndStruct();
      break;
    case PageType::kDataV2:
      w.FieldStructBegin(8);
      w.FieldI32(1, h.num_values);
      w.FieldI32(2, h.num_nulls);
      w.FieldI32(3, h.num_rows);
      w.FieldI32(4, h.encoding);
      w.FieldI32(5, h.definition_levels_byte_length);
      w.FieldI32(6, h.repetition_levels_byte_length);
      w.FieldBool(7, h.is_compressed);
      w.EndStruct();
      break;
    case PageType::kIndex:
      break;
  }
  w.EndStruct();
}

// ---- reading ----

namespace {

// Reads the fields of one struct, calling `on_field(header)` for each; `on_field` consumes the
// value or returns false to have it skipped.
template <typename F>
Status ReadStruct(CompactReader& r, F&& on_field) {
  r.BeginStruct();
  for (;;) {
    ASSIGN_OR_RETURN(auto f, r.NextField());
    if (f.type == T::kStop) break;
    ASSIGN_OR_RETURN(bool used, on_field(f));
    if (!used) RETURN_IF_ERROR(r.Skip(f.type));
  }
  r.EndStruct();
  return Status::Ok();
}

#define READ_INTO(dst, call)         \
  do {                               \
    ASSIGN_OR_RETURN(auto _v, call); \
    dst = _v;                        \
  } while (0)

Result<bool> ReadI32Field(CompactReader& r, CompactReader::FieldHeader f, int32_t& dst) {
  if (f.type != T::kI32 && f.type != T::kI16 && f.type != T::kByte) return false;
  if (f.type == T::kByte) {
    READ_INTO(dst, r.ReadByte());
  } else {
    READ_INTO(dst, r.ReadI32());
  }
  return true;
}

Status ReadTimeUnit(CompactReader& r, int16_t& unit) {
  return ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
    if (f.type != T::kStruct) return false;
    unit = f.id;
    return false;  // skip the empty struct
  });
}

Status ReadLogicalType(CompactReader& r, LogicalTypeInfo& l) {
  return ReadStruct(r, [&](CompactReader::FieldHeader u) -> Result<bool> {
    if (u.type != T::kStruct) return false;
    l.tag = u.id;
    RETURN_IF_ERROR(ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
      switch (l.tag) {
        case LogicalTypeInfo::kDecimal:
          if (f.id == 1) return ReadI32Field(r, f, l.decimal_scale);
          if (f.id == 2) return ReadI32Field(r, f, l.decimal_precision);
          return false;
        case LogicalTypeInfo::kTime:
        case LogicalTypeInfo::kTimestamp:
          if (f.id == 1 && (f.type == T::kBoolTrue || f.type == T::kBoolFalse)) {
            l.adjusted_to_utc = CompactReader::BoolFromHeader(f.type);
            return true;
          }
          if (f.id == 2 && f.type == T::kStruct) {
            RETURN_IF_ERROR(ReadTimeUnit(r, l.time_unit));
            return true;
          }
          return false;
        case LogicalTypeInfo::kInteger:
          if (f.id == 1) {
            int32_t w = 0;
            ASSIGN_OR_RETURN(bool ok, ReadI32Field(r, f, w));
            l.bit_width = static_cast<int8_t>(w);
            return ok;
          }
          if (f.id == 2 && (f.type == T::kBoolTrue || f.type == T::kBoolFalse)) {
            l.is_signed = CompactReader::BoolFromHeader(f.type);
            return true;
          }
          return false;
        default:
          return false;
      }
    }));
    return true;
  });
}

Status ReadSchemaElement(CompactReader& r, SchemaElement& e) {
  return ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
    int32_t v = 0;
    switch (f.id) {
      case 1: {
        ASSIGN_OR_RETURN(bool ok, ReadI32Field(r, f, v));
        if (ok) e.type = v;
        return ok;
      }
      case 2:
        return ReadI32Field(r, f, e.type_length);
      case 3: {
        ASSIGN_OR_RETURN(bool ok, ReadI32Field(r, f, v));
        if (ok) e.repetition = v;
        return ok;
      }
      case 4:
        if (f.type != T::kBinary) return false;
        {
          ASSIGN_OR_RETURN(auto s, r.ReadBinary());
          e.name.assign(s);
        }
        return true;
      case 5:
        return ReadI32Field(r, f, e.num_children);
      case 6: {
        ASSIGN_OR_RETURN(bool ok, ReadI32Field(r, f, v));
        if (ok) e.converted_type = v;
        return ok;
      }
      case 7:
        return ReadI32Field(r, f, e.scale);
      case 8:
        return ReadI32Field(r, f, e.precision);
      case 10:
        if (f.type != T::kStruct) return false;
        RETURN_IF_ERROR(ReadLogicalType(r, e.logical));
        return true;
      default:
        return false;
    }
  });
}

Result<bool> ReadBinaryField(CompactReader& r, CompactReader::FieldHeader f,
                             std::optional<std::string>& dst) {
  if (f.type != T::kBinary) return false;
  ASSIGN_OR_RETURN(auto s, r.ReadBinary());
  dst = std::string(s);
  return true;
}

Result<bool> ReadI64Field(CompactReader& r, CompactReader::FieldHeader f, int64_t& dst) {
  if (f.type == T::kI64) {
    READ_INTO(dst, r.ReadI64());
    return true;
  }
  if (f.type == T::kI32 || f.type == T::kI16) {
    READ_INTO(dst, r.ReadI32());
    return true;
  }
  return false;
}

Status ReadStatistics(CompactReader& r, Statistics& s) {
  return ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
    switch (f.id) {
      case 1:
        return ReadBinaryField(r, f, s.legacy_max);
      case 2:
        return ReadBinaryField(r, f, s.legacy_min);
      case 3: {
        int64_t n = 0;
        ASSIGN_OR_RETURN(bool ok, ReadI64Field(r, f, n));
        if (ok) s.null_count = n;
        return ok;
      }
      case 5:
        return ReadBinaryField(r, f, s.max_value);
      case 6:
        return ReadBinaryField(r, f, s.min_value);
      default:
        return false;
    }
  });
}

Status ReadColumnMetaData(CompactReader& r, ColumnMetaData& c) {
  return ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
    switch (f.id) {
      case 1:
        return ReadI32Field(r, f, c.type);
      case 2: {
        if (f.type != T::kList) return false;
        ASSIGN_OR_RETURN(auto h, r.ReadListHeader());
        for (uint32_t i = 0; i < h.size; ++i) {
          ASSIGN_OR_RETURN(int32_t e, r.ReadI32());
          c.encodings.push_back(e);
        }
        return true;
      }
      case 3: {
        if (f.type != T::kList) return false;
        ASSIGN_OR_RETURN(auto h, r.ReadListHeader());
        for (uint32_t i = 0; i < h.size; ++i) {
          ASSIGN_OR_RETURN(auto s, r.ReadBinary());
          c.path_in_schema.emplace_back(s);
        }
        return true;
      }
      case 4:
        return ReadI32Field(r, f, c.codec);
      case 5:
        return ReadI64Field(r, f, c.num_values);
      case 6:
        return ReadI64Field(r, f, c.total_uncompressed_size);
      case 7:
        return ReadI64Field(r, f, c.total_compressed_size);
      case 9:
        return ReadI64Field(r, f, c.data_page_offset);
      case 11: {
        int64_t v = 0;
        ASSIGN_OR_RETURN(bool ok, ReadI64Field(r, f, v));
        if (ok) c.dictionary_page_offset = v;
        return ok;
      }
      case 12:
        if (f.type != T::kStruct) return false;
        c.statistics.emplace();
        RETURN_IF_ERROR(ReadStatistics(r, *c.statistics));
        return true;
      default:
        return false;
    }
  });
}

Status ReadColumnChunk(CompactReader& r, ColumnChunk& cc) {
  return ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
    switch (f.id) {
      case 1:
        cc.has_file_path = true;
        return false;
      case 2:
        return ReadI64Field(r, f, cc.file_offset);
      case 3:
        if (f.type != T::kStruct) return false;
        RETURN_IF_ERROR(ReadColumnMetaData(r, cc.meta));
        return true;
      default:
        return false;
    }
  });
}

Status ReadRowGroup(CompactReader& r, RowGroup& rg) {
  return ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
    switch (f.id) {
      case 1: {
        if (f.type != T::kList) return false;
        ASSIGN_OR_RETURN(auto h, r.ReadListHeader());
        rg.columns.resize(h.size);
        for (auto& cc : rg.columns) RETURN_IF_ERROR(ReadColumnChunk(r, cc));
        return true;
      }
      case 2:
        return ReadI64Field(r, f, rg.total_byte_size);
      case 3:
        return ReadI64Field(r, f, rg.num_rows);
      default:
        return false;
    }
  });
}

}  // namespace

Result<FileMetaData> ReadFileMetaData(std::string_view bytes, std::string_view what) {
  CompactReader r(bytes, fmt::format("{}: file metadata", what));
  FileMetaData m;
  RETURN_IF_ERROR(ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
    switch (f.id) {
      case 1:
        return ReadI32Field(r, f, m.version);
      case 2: {
        if (f.type != T::kList) return false;
        ASSIGN_OR_RETURN(auto h, r.ReadListHeader());
        m.schema.resize(h.size);
        for (auto& e : m.schema) RETURN_IF_ERROR(ReadSchemaElement(r, e));
        return true;
      }
      case 3:
        return ReadI64Field(r, f, m.num_rows);
      case 4: {
        if (f.type != T::kList) return false;
        ASSIGN_OR_RETURN(auto h, r.ReadListHeader());
        m.row_groups.resize(h.size);
        for (auto& rg : m.row_groups) RETURN_IF_ERROR(ReadRowGroup(r, rg));
        return true;
      }
      case 6: {
        if (f.type != T::kBinary) return false;
        ASSIGN_OR_RETURN(auto s, r.ReadBinary());
        m.created_by.assign(s);
        return true;
      }
      case 7:
        m.type_defined_column_orders = true;
        return false;
      default:
        return false;
    }
  }));
  return m;
}

Result<PageHeader> ReadPageHeader(std::string_view bytes, std::string_view what, size_t* consumed) {
  CompactReader r(bytes, fmt::format("{}: page header", what));
  PageHeader h;
  RETURN_IF_ERROR(ReadStruct(r, [&](CompactReader::FieldHeader f) -> Result<bool> {
    switch (f.id) {
      case 1:
        return ReadI32Field(r, f, h.type);
      case 2:
        return ReadI32Field(r, f, h.uncompressed_page_size);
      case 3:
        return ReadI32Field(r, f, h.compressed_page_size);
      case 5:
      case 7:
        if (f.type != T::kStruct) return false;
        RETURN_IF_ERROR(ReadStruct(r, [&](CompactReader::FieldHeader g) -> Result<bool> {
          switch (g.id) {
            case 1:
              return ReadI32Field(r, g, h.num_values);
            case 2:
              return ReadI32Field(r, g, h.encoding);
            case 3:
              return f.id == 5 ? ReadI32Field(r, g, h.definition_level_encoding) : false;
            case 4:
              return f.id == 5 ? ReadI32Field(r, g, h.repetition_level_encoding) : false;
            default:
              return false;
          }
        }));
        return true;
      case 8:
        if (f.type != T::kStruct) return false;
        RETURN_IF_ERROR(ReadStruct(r, [&](CompactReader::FieldHeader g) -> Result<bool> {
          switch (g.id) {
            case 1:
              return ReadI32Field(r, g, h.num_values);
            case 2:
              return ReadI32Field(r, g, h.num_nulls);
            case 3:
              return ReadI32Field(r, g, h.num_rows);
            case 4:
              return ReadI32Field(r, g, h.encoding);
            case 5:
              return ReadI32Field(r, g, h.definition_levels_byte_length);
            case 6:
              return ReadI32Field(r, g, h.repetition_levels_byte_length);
            case 7:
              if (g.type != T::kBoolTrue && g.type != T::kBoolFalse) return false;
              h.is_compressed = CompactReader::BoolFromHeader(g.type);
              return true;
            default:
              return false;
          }
        }));
        return true;
      default:
        return false;
    }
  }));
  *consumed = r.position();
  return h;
}

}  // namespace cutover::parquet
