#pragma once
// SHA-256 (FIPS 180-4), for the table edition fingerprint.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace cybercover::detail {

class Sha256 {
 public:
  Sha256();
  void update(std::string_view bytes);
  // Returns the lowercase hex digest; the object must not be updated afterwards.
  std::string hex_digest();

 private:
  void compress(const unsigned char* block);
  std::array<std::uint32_t, 8> state_;
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

}  // namespace cybercover::detail
