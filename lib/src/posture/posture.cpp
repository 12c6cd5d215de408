#include "cybercover/posture/posture.hpp"

#include <algorithm>
#include <cmath>

#include "cybercover/error.hpp"
#include "detail/exact_arith.hpp"
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

// The manual compares a click rate as the decimal it is written as (0.05 <= 0.05). A double
// prints as the shortest decimal that rounds to it, and a 4-place threshold T converts to the
// double nearest T (scaled / 10^4 is one correctly rounded division). Rounding is monotone,
// so decimal(r) <= T exactly when r <= double(T): a plain double comparison is exact.
double threshold(Decimal4 t) { return static_cast<double>(t.scaled()) / static_cast<double>(Decimal4::kScale); }
}  // namespace

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
