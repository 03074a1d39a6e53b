#pragma once
// Text as county offices save it: UTF-8, or GBK/GB18030 from Excel and ArcGIS on Chinese
// Windows. Every string legalcircle keeps is valid UTF-8.
#include <optional>
#include <string>
#include <string_view>

namespace legalcircle {

// Offset of the first byte that is not part of a valid UTF-8 sequence; npos when all is valid.
std::size_t first_invalid_utf8(std::string_view text);
inline bool is_valid_utf8(std::string_view text) { return first_invalid_utf8(text) == std::string_view::npos; }

// `text` decoded from `encoding` (an iconv name: GBK, GB18030, CP936, BIG5 ...) to UTF-8, or
// nullopt when it does not decode cleanly (any invalid sequence). Throws InputError for an
// encoding name iconv does not know.
std::optional<std::string> decode_to_utf8(const std::string& text, const std::string& encoding);

}  // namespace legalcircle
