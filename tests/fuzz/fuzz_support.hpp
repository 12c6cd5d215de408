#pragma once
// Shared by the libFuzzer targets (docs/reliability.md): the engine over the default tables,
// loaded once per process, and the invariants every target asserts. A broken invariant
// prints what broke and aborts, which libFuzzer reports as a crash with its reproducer.

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cybercover/cybercover.hpp"

namespace cybercover::fuzz {

inline const std::string kSourceDir = CYBERCOVER_SOURCE_DIR;

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "\n==cybercover fuzz== invariant broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// Fails with `message` (built only then) unless `condition` holds.
#define FUZZ_REQUIRE(condition, message) \
  do {                                   \
    if (!(condition)) ::cybercover::fuzz::fail(message); \
  } while (false)

// The engine over the default tables (rating_tables/ of the source tree).
inline const Engine& default_engine() {
  static const Engine engine(TableLibrary::load(kSourceDir + "/rating_tables"));
  return engine;
}

inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

// Longest message an error may have: values are cut at kMaxQuotedValueBytes, so anything
// much longer echoes input without a limit.
inline constexpr std::size_t kMaxMessageBytes = 4096;

// A library error is well formed: a code of the table, its kind, a what() that starts with
// the code and holds no raw control character, no invalid UTF-8 and no unbounded echo.
inline void check_error(const Error& e) {
  const auto code = static_cast<std::size_t>(e.code());
  FUZZ_REQUIRE(code < static_cast<std::size_t>(ErrorCode::kCount), "error code out of range: " + std::to_string(code));
  const std::string name = to_string(e.code());
  FUZZ_REQUIRE(name.rfind(std::string(to_string(e.kind())) + ".", 0) == 0, "code " + name + " is not of its kind");
  const std::string what = e.what();
  FUZZ_REQUIRE(what.rfind("[cybercover." + name + "] ", 0) == 0, "what() does not start with its code: " + what);
  FUZZ_REQUIRE(what.size() <= kMaxMessageBytes, "message of " + std::to_string(what.size()) + " bytes: " + what.substr(0, 300));
  for (const char ch : what) {
    const auto c = static_cast<unsigned char>(ch);
    FUZZ_REQUIRE(c >= 0x20 && c != 0x7f, "raw control character " + std::to_string(c) + " in message: " + what.substr(0, 300));
  }
  FUZZ_REQUIRE(valid_utf8(what), "invalid UTF-8 in message: " + what.substr(0, 300));
}

// Runs `body`; a cybercover::Error is checked and ends the input quietly (bad input is
// expected), anything else escaping is a finding.
template <typename Body>
bool run_or_error(Body&& body) {
  try {
    body();
    return true;
  } catch (const Error& e) {
    check_error(e);
    return false;
  } catch (const std::exception& e) {
    fail(std::string("a non-cybercover exception escaped: ") + typeid(e).name() + ": " + e.what());
  } catch (...) {
    fail("a non-std exception escaped");
  }
}

// Every money figure of a response (a key ending in "_yen", or "yen") is null or an integer
// >= 0: never a double, never negative.
inline void check_money(const nlohmann::json& j, const std::string& path = "") {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      const std::string at = path + "." + key;
      const bool money = key == "yen" || (key.size() > 4 && key.compare(key.size() - 4, 4, "_yen") == 0);
      if (money) {
        FUZZ_REQUIRE(value.is_null() || value.is_number_integer(), at + " is not an integer: " + value.dump());
        FUZZ_REQUIRE(value.is_null() || value.is_number_unsigned() || value.get<std::int64_t>() >= 0,
                at + " is negative: " + value.dump());
      }
      check_money(value, at);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) check_money(j[i], path + "[" + std::to_string(i) + "]");
  }
}

// The response names its edition and that edition's SHA-256 (64 lowercase hex digits).
inline void check_tables(const nlohmann::json& response, const Engine& engine) {
  FUZZ_REQUIRE(response.contains("tables") && response["tables"].is_object(), "no tables object: " + response.dump().substr(0, 300));
  const auto& t = response["tables"];
  FUZZ_REQUIRE(t.contains("sha256") && t["sha256"].is_string(), "no tables.sha256");
  const std::string sha = t["sha256"];
  FUZZ_REQUIRE(sha.size() == 64 && sha.find_first_not_of("0123456789abcdef") == std::string::npos, "bad sha256: " + sha);
  FUZZ_REQUIRE(t.contains("edition") && t["edition"].is_string(), "no tables.edition");
  const auto edition = engine.library().edition(t["edition"].get<std::string>());
  FUZZ_REQUIRE(edition->sha256 == sha, "sha256 " + sha + " is not edition " + edition->edition + "'s");
}

// Parses a response the library wrote: it must be one JSON object.
inline nlohmann::json parse_response(const std::string& text) {
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    FUZZ_REQUIRE(j.is_object(), "response is not an object: " + text.substr(0, 300));
    return j;
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("response is not JSON (") + e.what() + "): " + text.substr(0, 300));
  }
}

// nlohmann's DOM of a request the strict parser accepted. RFC 8259's grammar allows any
// exponent, and the strict parser keeps a number beyond the doubles as infinite for a field
// to refuse it (or for a field a door does not read, such as an assessment's top_up, to skip
// it); nlohmann refuses to parse it (out_of_range.406), so such text has no DOM: nullopt.
// Any other refusal is a finding.
inline std::optional<nlohmann::json> dom_of_accepted(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::out_of_range& e) {
    if (e.id == 406) return std::nullopt;
    fail(std::string("the strict parser accepted text that nlohmann rejects: ") + e.what());
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("the strict parser accepted text that nlohmann rejects: ") + e.what());
  }
}

}  // namespace cybercover::fuzz
