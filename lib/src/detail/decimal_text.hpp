#pragma once
// Exact decimal values of JSON numbers. A double is read back as the shortest decimal that
// round-trips (what the sender wrote: 0.05 stays 0.05, never 0.05000000000000000277).

#include <optional>
#include <string>
#include <string_view>

#include "cybercover/exact.hpp"
#include "detail/exact_arith.hpp"

namespace cybercover::detail {

// Parses "-12.345", "1e-05", "3" exactly as num / 10^k; nullopt if malformed or too long.
std::optional<Rational> parse_decimal_text(std::string_view text);

// Returns the exact decimal value a double prints as (shortest round-trip form).
std::optional<Rational> exact_decimal(double value);

// Returns a double as JSON text the way nlohmann and Python print it: the shortest form that
// round-trips, with ".0" on an integral value ("2.0", "0.05", "1e-05"), so a float never reads
// as an integer in an error message.
std::string float_text(double value);

// Returns the value as a 4-place decimal, or nullopt if it needs more places or overflows.
std::optional<Decimal4> to_decimal4(const Rational& value);

}  // namespace cybercover::detail
