#include "cybercover/posture/posture.hpp"

#include <algorithm>

#include "cybercover/error.hpp"
#include "cybercover/exact.hpp"
#include "detail/decimal_text.hpp"

namespace cybercover {

std::string_view to_string(PostureCode code) {
  switch (code) {
    case PostureCode::kUtmManaged: return "UTM_MANAGED";
    case PostureCode::kUtmUnmanaged: return "UTM_UNMANAGED";
    case PostureCode::kEdrManaged: return "EDR_MANAGED";
    case PostureCode::kEdrLearning: return "EDR_LEARNING";
    case PostureCode::kEdrSelfManaged: return "EDR_SELF_MANAGED";
    case PostureCode::kLegacyOs: return "LEGACY_OS";
    case PostureCode::kPhishingLow: return "PHISHING_LOW";
    case PostureCode::kPhishingHigh: return "PHISHING_HIGH";
    case PostureCode::kPriorIncidents: return "PRIOR_INCIDENTS";
  }
  return "";
}

namespace {
std::string count_text(std::int64_t v) { return std::to_string(v); }

Rational exact_click_rate(double rate) {
  const auto exact = detail::exact_decimal(rate);
  if (!exact) throw_input_error("controls.phishing_click_rate", "must be a finite number between 0 and 1");
  return *exact;
}
}  // namespace

void validate_controls(const Controls& c, std::int64_t endpoints, Date quote_date) {
  if (c.edr.status != EdrStatus::kNone) {
    if (endpoints == 0)
      throw_input_error("company.endpoints",
                        "must be at least 1 when an EDR is deployed (controls.edr.status \"" +
                            std::string(to_string(c.edr.status)) + "\"), got 0");
    if (c.edr.covered_endpoints < 1)
      throw_input_error("controls.edr.covered_endpoints",
                        "must be at least 1 when an EDR is deployed, got " + count_text(c.edr.covered_endpoints));
    if (c.edr.covered_endpoints > endpoints)
      throw_input_error("controls.edr.covered_endpoints",
                        "must not exceed company.endpoints (" + count_text(endpoints) + "), got " +
                            count_text(c.edr.covered_endpoints));
  } else if (c.edr.covered_endpoints < 0) {
    throw_input_error("controls.edr.covered_endpoints", "must be an integer >= 0, got " + count_text(c.edr.covered_endpoints));
  }
  if (c.edr.status == EdrStatus::kManaged) {
    if (!c.edr.installed_on)
      throw_input_error("controls.edr.installed_on", "is required for a managed EDR");
    if (*c.edr.installed_on > quote_date)
      throw_input_error("controls.edr.installed_on",
                        "must not be after quote_date (" + quote_date.to_string() + "), got " +
                            c.edr.installed_on->to_string());
  }
  if (c.legacy_os_endpoints < 0)
    throw_input_error("controls.legacy_os_endpoints", "must be an integer >= 0, got " + count_text(c.legacy_os_endpoints));
  if (c.legacy_os_endpoints > endpoints)
    throw_input_error("controls.legacy_os_endpoints",
                      "must not exceed company.endpoints (" + count_text(endpoints) + "), got " +
                          count_text(c.legacy_os_endpoints));
  if (c.incidents_3y < 0)
    throw_input_error("controls.incidents_3y", "must be an integer >= 0, got " + count_text(c.incidents_3y));
  if (c.phishing_click_rate) {
    const Rational r = exact_click_rate(*c.phishing_click_rate);
    if (r.num < 0 || r.num > r.den)
      throw_input_error("controls.phishing_click_rate",
                        "must be between 0 and 1, got " + std::to_string(*c.phishing_click_rate));
  }
}

Posture compute_posture(const PostureTable& t, int score, const Controls& c,
                        std::int64_t endpoints, Date quote_date) {
  Posture p;
  p.score = score;
  auto add = [&p](PostureCode code, std::int64_t points) {
    if (points != 0) p.adjustments[static_cast<std::size_t>(p.adjustment_count++)] = {code, points};
  };
  if (c.utm == UtmStatus::kManaged) add(PostureCode::kUtmManaged, t.utm_managed);
  if (c.utm == UtmStatus::kUnmanaged) add(PostureCode::kUtmUnmanaged, t.utm_unmanaged);
  if (c.edr.status != EdrStatus::kNone && endpoints > 0) {
    // Credit in proportion to the endpoints the EDR covers: rhu(max x covered / endpoints).
    auto share = [&](std::int64_t max) {
      return round_half_up(Rational{Int128(max) * c.edr.covered_endpoints, endpoints});
    };
    if (c.edr.status == EdrStatus::kSelfManaged) {
      add(PostureCode::kEdrSelfManaged, share(t.edr_self_managed_max));
    } else {
      p.edr_days = quote_date.days_since(*c.edr.installed_on);
      if (*p.edr_days < t.edr_learning_days)
        add(PostureCode::kEdrLearning, share(t.edr_learning_max));
      else
        add(PostureCode::kEdrManaged, share(t.edr_managed_max));
    }
  }
  if (c.legacy_os_endpoints >= 1) add(PostureCode::kLegacyOs, t.legacy_os);
  if (c.phishing_click_rate) {
    const Rational r = exact_click_rate(*c.phishing_click_rate);
    const Rational low{t.phishing_low_max_rate.scaled(), Decimal4::kScale};
    const Rational high{t.phishing_high_above_rate.scaled(), Decimal4::kScale};
    if (compare(r, low) <= 0) add(PostureCode::kPhishingLow, t.phishing_low);
    else if (compare(r, high) > 0) add(PostureCode::kPhishingHigh, t.phishing_high);
  }
  if (c.incidents_3y >= 1)
    add(PostureCode::kPriorIncidents,
        t.prior_incident_points * std::min(c.incidents_3y, t.prior_incidents_max_counted));
  std::int64_t index = score;
  for (const auto& a : p) index += a.points;
  p.index = std::max(index, t.floor);
  p.tier = t.tier_for(p.index);
  return p;
}

}  // namespace cybercover
