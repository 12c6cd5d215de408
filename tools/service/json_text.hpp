#pragma once
// Small JSON writing helpers for the service's own documents (errors, batches, the access
// log). The quotes themselves are the library's text, passed through untouched.

#include <string>
#include <string_view>

namespace cybercover::service {

// Appends `text` as a JSON string: quotes, backslashes and control characters escaped.
// Bytes >= 0x80 are copied; callers pass valid UTF-8 (sanitize_for_message makes it so).
void append_json_string(std::string& out, std::string_view text);

}  // namespace cybercover::service
