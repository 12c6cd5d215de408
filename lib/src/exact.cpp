#include "cybercover/exact.hpp"

namespace cybercover {

std::string Decimal4::to_string() const {
  const bool negative = scaled_ < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(scaled_ + 1)) + 1 : static_cast<std::uint64_t>(scaled_);
  std::string out = (negative ? "-" : "") + std::to_string(magnitude / kScale);
  std::uint64_t frac = magnitude % kScale;
  if (frac != 0) {
    std::string digits = std::to_string(frac + kScale).substr(1);  // 4 digits, leading zeros
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out;
}

}  // namespace cybercover
