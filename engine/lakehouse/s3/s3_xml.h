// The little XML S3 speaks: reading named elements out of a response body, while request bodies
// escape their text with engine/core/markup_escape.h.
//
// Design: S3's responses are flat and regular (ListBucketResult, ListMultipartUploadsResult,
// Error), so elements are found by tag name without a general XML parser; only the five
// predefined entities and numeric references are decoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cutover::lakehouse::s3 {

// The decoded text of the first <tag>...</tag> in `xml`; nullopt when absent.
std::optional<std::string> XmlText(std::string_view xml, std::string_view tag);
// The raw inner XML of every <tag>...</tag>, in order.
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag);

}  // namespace cutover::lakehouse::s3
