#pragma once
// Command-line flag helpers shared by the subcommands: a usage error (exit 2 with the usage
// text) and strict whole-number flags.

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "cybercover/error.hpp"

namespace cybercover::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A whole number in [min, max], written in decimal digits only: "2x", "1e9", " 2", "+2" and
// "-1" are refused rather than read as something else.
inline std::int64_t whole_number_flag(const std::string& flag, const std::string& text, std::int64_t min,
                                      std::int64_t max) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  const auto r = std::from_chars(text.data(), end, v);
  if (!digits || r.ec != std::errc() || r.ptr != end || v < min || v > max)
    throw UsageError(flag + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", got " + quote_for_message(text));
  return v;
}

}  // namespace cybercover::cli
