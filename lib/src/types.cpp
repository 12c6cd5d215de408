#include "cybercover/types.hpp"

#include <array>
#include <utility>

namespace cybercover {

namespace {
template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& names,
                        std::string_view text) {
  for (const auto& [value, name] : names)
    if (name == text) return value;
  return std::nullopt;
}
template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E v) {
  for (const auto& [value, name] : names)
    if (value == v) return name;
  return "";
}

constexpr std::array<std::pair<Answer, std::string_view>, 5> kAnswers{{
    {Answer::kYes, "yes"},
    {Answer::kPartial, "partial"},
    {Answer::kNo, "no"},
    {Answer::kUnknown, "unknown"},
    {Answer::kNa, "na"},
}};
constexpr std::array<std::pair<SecurityAction, std::string_view>, 3> kSecurityActions{{
    {SecurityAction::kNone, "none"},
    {SecurityAction::kOneStar, "one_star"},
    {SecurityAction::kTwoStar, "two_star"},
}};
constexpr std::array<std::pair<UtmStatus, std::string_view>, 3> kUtm{{
    {UtmStatus::kNone, "none"},
    {UtmStatus::kUnmanaged, "unmanaged"},
    {UtmStatus::kManaged, "managed"},
}};
constexpr std::array<std::pair<EdrStatus, std::string_view>, 3> kEdr{{
    {EdrStatus::kNone, "none"},
    {EdrStatus::kSelfManaged, "self_managed"},
    {EdrStatus::kManaged, "managed"},
}};
constexpr std::array<std::pair<BundlePlan, std::string_view>, 4> kPlans{{
    {BundlePlan::kNone, "none"},
    {BundlePlan::kUtm, "utm"},
    {BundlePlan::kEdr, "edr"},
    {BundlePlan::kUtmEdr, "utm_edr"},
}};
constexpr std::array<std::pair<Outcome, std::string_view>, 3> kOutcomes{{
    {Outcome::kAccept, "accept"},
    {Outcome::kRefer, "refer"},
    {Outcome::kDecline, "decline"},
}};
}  // namespace

std::string_view to_string(Answer v) {
  return v == Answer::kUnanswered ? "unanswered" : name_of(kAnswers, v);
}
std::string_view to_string(SecurityAction v) { return name_of(kSecurityActions, v); }
std::string_view to_string(UtmStatus v) { return name_of(kUtm, v); }
std::string_view to_string(EdrStatus v) { return name_of(kEdr, v); }
std::string_view to_string(BundlePlan v) { return name_of(kPlans, v); }
std::string_view to_string(Outcome v) { return name_of(kOutcomes, v); }

std::optional<Answer> parse_answer(std::string_view t) { return lookup(kAnswers, t); }
std::optional<SecurityAction> parse_security_action(std::string_view t) {
  return lookup(kSecurityActions, t);
}
std::optional<UtmStatus> parse_utm_status(std::string_view t) { return lookup(kUtm, t); }
std::optional<EdrStatus> parse_edr_status(std::string_view t) { return lookup(kEdr, t); }
std::optional<BundlePlan> parse_bundle_plan(std::string_view t) { return lookup(kPlans, t); }

}  // namespace cybercover
