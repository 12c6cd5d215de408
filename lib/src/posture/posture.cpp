#include "cybercover/posture/posture.hpp"

#include <algorithm>
#include <cmath>

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

// The manual compares a click rate as the decimal it is written as (0.05 <= 0.05). A double
// prints as the shortest decimal that rounds to it, and a 4-place threshold T converts to the
// double nearest T (scaled / 10^4 is one correctly rounded division). Rounding is monotone,
// so decimal(r) <= T exactly when r <= double(T): a plain double comparison is exact.
double threshold(Decimal4 t) { return static_cast<double>(t.scaled()) / static_cast<double>(Decimal4::kScale); }
}  // namespace

void validate_controls(const Controls& c, std::int64_t endpoints, Date quote_date) {
  if (c.edr.status != EdrStatus::kNone) {
    if (endpoints == 0)
      throw Error(ErrorCode::kEdrWithoutEndpoints, "company.endpoints",
                  "must be at least 1 when an EDR is deployed (controls.edr.status \"" +
                      std::string(to_string(c.edr.status)) + "\")",
                  "0");
    if (c.edr.covered_endpoints < 1)
      throw Error(ErrorCode::kEdrWithoutCovered, "controls.edr.covered_endpoints",
                  "must be at least 1 when an EDR is deployed", count_text(c.edr.covered_endpoints));
    if (c.edr.covered_endpoints > endpoints)
      throw Error(ErrorCode::kCoveredAboveEndpoints, "controls.edr.covered_endpoints",
                  "must not exceed company.endpoints (" + count_text(endpoints) + ")", count_text(c.edr.covered_endpoints));
  } else if (c.edr.covered_endpoints < 0) {
    throw Error(ErrorCode::kBelowMinimum, "controls.edr.covered_endpoints", "must be an integer >= 0", count_text(c.edr.covered_endpoints));
  }
  if (c.edr.status == EdrStatus::kManaged) {
    if (!c.edr.installed_on)
      throw Error(ErrorCode::kMissing, "controls.edr.installed_on", "is required for a managed EDR");
    if (*c.edr.installed_on > quote_date)
      throw Error(ErrorCode::kInstalledAfterQuoteDate, "controls.edr.installed_on",
                  "must not be after quote_date (" + quote_date.to_string() + ")",
                  quote_for_message(c.edr.installed_on->to_string()));
  }
  if (c.legacy_os_endpoints < 0)
    throw Error(ErrorCode::kBelowMinimum, "controls.legacy_os_endpoints", "must be an integer >= 0", count_text(c.legacy_os_endpoints));
  if (c.legacy_os_endpoints > endpoints)
    throw Error(ErrorCode::kLegacyAboveEndpoints, "controls.legacy_os_endpoints",
                "must not exceed company.endpoints (" + count_text(endpoints) + ")", count_text(c.legacy_os_endpoints));
  if (c.incidents_3y < 0)
    throw Error(ErrorCode::kBelowMinimum, "controls.incidents_3y", "must be an integer >= 0", count_text(c.incidents_3y));
  if (c.phishing_click_rate) {
    const double r = *c.phishing_click_rate;
    if (!std::isfinite(r))
      throw Error(ErrorCode::kNotFinite, "controls.phishing_click_rate", "must be a finite number",
                  std::isnan(r) ? "NaN" : r > 0 ? "Infinity" : "-Infinity");
    if (r < 0)
      throw Error(ErrorCode::kBelowMinimum, "controls.phishing_click_rate", "must be between 0 and 1", detail::float_text(r));
    if (r > 1)
      throw Error(ErrorCode::kAboveMaximum, "controls.phishing_click_rate", "must be between 0 and 1", detail::float_text(r));
  }
}

Posture compute_posture(const PostureTable& t, int score, const Controls& c,
                        std::int64_t endpoints, Date quote_date) {
  Posture p;
  compute_posture_into(p, t, score, c, endpoints, quote_date);
  return p;
}

void compute_posture_into(Posture& p, const PostureTable& t, int score, const Controls& c,
                          std::int64_t endpoints, Date quote_date) {
  p.score = score;
  p.adjustment_count = 0;
  p.edr_days.reset();
  // Each adjustment is chosen by selects rather than branches and appended only when its
  // points are not 0: over a portfolio the controls vary row to row, and branches mispredict.
  auto add = [&p](PostureCode code, std::int64_t points) {
    p.adjustments[static_cast<std::size_t>(p.adjustment_count)] = {code, points};
    p.adjustment_count += points != 0;
  };
  const bool utm_managed = c.utm == UtmStatus::kManaged;
  add(utm_managed ? PostureCode::kUtmManaged : PostureCode::kUtmUnmanaged,
      utm_managed ? t.utm_managed : c.utm == UtmStatus::kUnmanaged ? t.utm_unmanaged : 0);
  if (c.edr.status != EdrStatus::kNone && endpoints > 0) {
    // Credit in proportion to the endpoints the EDR covers: rhu(max x covered / endpoints).
    auto share = [&](std::int64_t max) {
      return round_half_up(Rational{Int128(max) * c.edr.covered_endpoints, endpoints});
    };
    if (c.edr.status == EdrStatus::kSelfManaged) {
      add(PostureCode::kEdrSelfManaged, share(t.edr_self_managed_max));
    } else {
      p.edr_days = quote_date.days_since(*c.edr.installed_on);
      const bool learning = *p.edr_days < t.edr_learning_days;
      add(learning ? PostureCode::kEdrLearning : PostureCode::kEdrManaged,
          share(learning ? t.edr_learning_max : t.edr_managed_max));
    }
  }
  add(PostureCode::kLegacyOs, c.legacy_os_endpoints >= 1 ? t.legacy_os : 0);
  const double rate = c.phishing_click_rate.value_or(-1.0);  // -1: not measured
  const bool low = c.phishing_click_rate.has_value() && rate <= threshold(t.phishing_low_max_rate);
  const bool high = rate > threshold(t.phishing_high_above_rate);
  add(low ? PostureCode::kPhishingLow : PostureCode::kPhishingHigh, low ? t.phishing_low : high ? t.phishing_high : 0);
  add(PostureCode::kPriorIncidents, t.prior_incident_points * std::min(c.incidents_3y, t.prior_incidents_max_counted));
  std::int64_t index = score;
  for (const auto& a : p) index += a.points;
  p.index = std::max(index, t.floor);
  p.tier = t.tier_for(p.index);
}

}  // namespace cybercover
