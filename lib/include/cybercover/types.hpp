#pragma once
// Enumerations shared by requests, tables and results, with their JSON spellings.

#include <cstdint>
#include <optional>
#include <string_view>

namespace cybercover {

enum class Answer : std::uint8_t { kUnanswered = 0, kYes, kPartial, kNo, kUnknown, kNa };
enum class SecurityAction : std::uint8_t { kNone = 0, kOneStar, kTwoStar };
enum class UtmStatus : std::uint8_t { kNone = 0, kUnmanaged, kManaged };
enum class EdrStatus : std::uint8_t { kNone = 0, kSelfManaged, kManaged };
enum class BundlePlan : std::uint8_t { kNone = 0, kUtm, kEdr, kUtmEdr };
enum class Outcome : std::uint8_t { kAccept = 0, kRefer, kDecline };

inline constexpr int kBundlePlanCount = 4;

// JSON spellings ("yes", "one_star", "managed", "utm_edr", "refer", ...).
std::string_view to_string(Answer v);
std::string_view to_string(SecurityAction v);
std::string_view to_string(UtmStatus v);
std::string_view to_string(EdrStatus v);
std::string_view to_string(BundlePlan v);
std::string_view to_string(Outcome v);

// Parsers for the spellings above; nullopt when the text is not one of them.
// (Answer::kUnanswered has no spelling: it is the absence of an answer.)
std::optional<Answer> parse_answer(std::string_view text);
std::optional<SecurityAction> parse_security_action(std::string_view text);
std::optional<UtmStatus> parse_utm_status(std::string_view text);
std::optional<EdrStatus> parse_edr_status(std::string_view text);
std::optional<BundlePlan> parse_bundle_plan(std::string_view text);

}  // namespace cybercover
