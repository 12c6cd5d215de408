#include "cybercover/loss/loss_model.hpp"

#include <algorithm>
#include <cmath>

#include "cybercover/error.hpp"
#include "cybercover/quote/engine.hpp"
#include "loss/model_detail.hpp"

namespace cybercover {

namespace detail {

void check_exposure(const RatingTables& t, const LossExposure& e) {
  if (e.employees < 1)
    throw Error(ErrorCode::kBelowMinimum, "employees", "must be an integer >= 1",
                std::to_string(e.employees));
  if (e.tier < 0 || static_cast<std::size_t>(e.tier) >= t.posture.tiers.size())
    throw Error(ErrorCode::kUnknownValue, "tier", "must be a tier of the edition",
                "index " + std::to_string(e.tier));
  if (e.industry < -1 || e.industry >= static_cast<int>(t.underwriting.industries.size()))
    throw Error(ErrorCode::kUnknownIndustry, "industry", "must be an industry of the edition",
                "index " + std::to_string(e.industry));
  if (e.revenue_band < -1 || e.revenue_band >= static_cast<int>(t.top_up.revenue_bands.size()))
    throw Error(ErrorCode::kUnknownValue, "revenue_band", "must be a revenue band of the edition",
                "index " + std::to_string(e.revenue_band));
  const auto plan = static_cast<int>(e.bundle_plan);
  if (plan < 0 || plan >= kBundlePlanCount)
    throw Error(ErrorCode::kUnknownValue, "bundle_plan", "must be a bundle plan",
                std::to_string(plan));
  if (e.bundle_plan != BundlePlan::kNone &&
      !t.base_cover.plans[static_cast<std::size_t>(plan)].offered)
    throw Error(ErrorCode::kPlanNotOffered, "bundle_plan", "is not offered by the edition",
                quote_for_message(to_string(e.bundle_plan)));
  int previous = -1;
  for (const ResolvedSelection& s : e.top_up) {
    if (s.section <= previous || s.section >= static_cast<int>(t.top_up.sections.size()))
      throw Error(ErrorCode::kUnknownSection, "top_up",
                  "sections must be distinct sections of the edition, in table order",
                  "index " + std::to_string(s.section));
    previous = s.section;
    const Section& sec = t.top_up.sections[static_cast<std::size_t>(s.section)];
    if (s.limit_row < 0 || s.limit_row >= static_cast<int>(sec.limits.size()))
      throw Error(ErrorCode::kLimitNotOffered, "top_up." + sec.key + ".limit_yen",
                  "must be a limit row of the section", "row " + std::to_string(s.limit_row));
    if (s.deductible_row < 0 || s.deductible_row >= static_cast<int>(sec.deductibles.size()))
      throw Error(ErrorCode::kDeductibleNotOffered, "top_up." + sec.key + ".deductible_yen",
                  "must be a deductible row of the section",
                  "row " + std::to_string(s.deductible_row));
  }
}

int response_section(const RatingTables& t) {
  for (std::size_t s = 0; s < t.top_up.sections.size(); ++s)
    if (t.top_up.sections[s].excess_over_base_cover) return static_cast<int>(s);
  return -1;
}

double base_limit(const RatingTables& t, BundlePlan plan) {
  return plan == BundlePlan::kNone
             ? 0.0
             : static_cast<double>(t.base_cover.plans[static_cast<std::size_t>(plan)].limit_yen);
}

bool exposed_to(const SystemicEventType& event, BundlePlan plan) {
  return plan != BundlePlan::kNone &&
         std::find(event.plans.begin(), event.plans.end(), plan) != event.plans.end();
}

}  // namespace detail

LossExposure exposure_of(const QuoteRequest& request, const Quote& quote) {
  const RatingTables& t = *quote.tables;
  LossExposure e;
  e.employees = request.company.employees;
  e.tier = quote.posture.tier;
  e.industry = t.underwriting.industry_index(request.company.industry);
  e.revenue_band = t.top_up.revenue_band(request.company.revenue_yen);
  e.bundle_plan = request.bundle_plan;
  if (quote.top_up)
    for (const SectionQuote& s : quote.top_up->sections)
      e.top_up.push_back({s.section, s.limit_row, s.deductible_row});
  detail::check_exposure(t, e);
  return e;
}

std::vector<LayerTerms> layer_terms(const RatingTables& t, const LossExposure& e) {
  detail::check_exposure(t, e);
  const LossModelTable& m = t.loss_model;
  std::vector<LayerTerms> out;
  const int response = detail::response_section(t);
  const double base = detail::base_limit(t, e.bundle_plan);
  if (base > 0 && response >= 0) {
    LayerTerms l;
    l.layer = "base_cover";
    l.section = response;
    l.base_cover = true;
    l.claim_probability = m.claim_probability[static_cast<std::size_t>(response)];
    l.limit_yen = base;
    l.target_loss_ratio = m.base_cover_target_loss_ratio;
    out.push_back(l);
  }
  for (const ResolvedSelection& sel : e.top_up) {
    const auto s = static_cast<std::size_t>(sel.section);
    const Section& sec = t.top_up.sections[s];
    LayerTerms l;
    l.layer = sec.key;
    l.section = sel.section;
    l.claim_probability = m.claim_probability[s];
    l.attachment_yen =
        (sec.excess_over_base_cover ? base : 0.0) +
        static_cast<double>(
            sec.deductibles[static_cast<std::size_t>(sel.deductible_row)].amount_yen);
    l.limit_yen =
        static_cast<double>(sec.limits[static_cast<std::size_t>(sel.limit_row)].amount_yen);
    l.target_loss_ratio = m.top_up_target_loss_ratio;
    out.push_back(l);
  }
  return out;
}

double incident_frequency(const RatingTables& t, const LossExposure& e) {
  detail::check_exposure(t, e);
  const LossModelTable& m = t.loss_model;
  const int band = t.base_cover.employee_band(e.employees);
  const double industry =
      e.industry < 0 ? 1.0 : m.industry_multipliers[static_cast<std::size_t>(e.industry)];
  return m.frequency_by_employee_band[static_cast<std::size_t>(band)] *
         m.tier_multipliers[static_cast<std::size_t>(e.tier)] * industry;
}

ClaimCount incident_count(const RatingTables& t, const LossExposure& e) {
  return ClaimCount::of(t.loss_model, incident_frequency(t, e));
}

Severity section_severity(const RatingTables& t, const LossExposure& e, int section) {
  const LossModelTable& m = t.loss_model;
  return Severity(m.severity, m.loss_scale.at(static_cast<std::size_t>(section)) *
                                  m.revenue_scale(e.revenue_band));
}

Severity systemic_severity(const RatingTables& t, const LossExposure& e, int event, int section) {
  const LossModelTable& m = t.loss_model;
  return Severity(
      m.systemic_events.at(static_cast<std::size_t>(event)).loss_per_company,
      m.loss_scale.at(static_cast<std::size_t>(section)) * m.revenue_scale(e.revenue_band));
}

double lognormal_lev(double mu, double sigma, double d) {
  SeverityParams p;
  p.family = SeverityFamily::kLognormal;
  p.median_yen = std::exp(mu);
  p.sigma = sigma;
  return Severity(p).lev(d);
}

ExpectedLosses expected_losses(const RatingTables& t, const LossExposure& e) {
  const LossModelTable& m = t.loss_model;
  ExpectedLosses out;
  out.incident_frequency = incident_frequency(t, e);
  for (const LayerTerms& terms : layer_terms(t, e)) {
    LayerLoss l;
    l.layer = terms.layer;
    l.claim_frequency = out.incident_frequency * terms.claim_probability;
    l.attachment_yen = terms.attachment_yen;
    l.limit_yen = terms.limit_yen;
    l.target_loss_ratio = terms.target_loss_ratio;
    l.expected_loss_yen =
        l.claim_frequency *
        section_severity(t, e, terms.section).layer_expected(terms.attachment_yen, terms.limit_yen);
    l.indicated_premium_yen = l.expected_loss_yen / terms.target_loss_ratio;
    for (std::size_t k = 0; k < m.systemic_events.size(); ++k) {
      const SystemicEventType& event = m.systemic_events[k];
      if (!detail::exposed_to(event, e.bundle_plan)) continue;
      const double claims = event.events_per_year * event.share_hit *
                            event.claim_probability[static_cast<std::size_t>(terms.section)];
      if (claims == 0) continue;
      l.systemic_claim_frequency += claims;
      l.systemic_expected_loss_yen +=
          claims * systemic_severity(t, e, static_cast<int>(k), terms.section)
                       .layer_expected(terms.attachment_yen, terms.limit_yen);
    }
    out.layers.push_back(l);
  }
  return out;
}

QuoteLosses quote_losses(const QuoteRequest& request, const Quote& quote) {
  const RatingTables& t = *quote.tables;
  QuoteLosses q;
  q.losses = expected_losses(t, exposure_of(request, quote));
  ChargedPremiums& c = q.charged;
  if (quote.base_cover) c.base_cover_annual_yen = quote.base_cover->annual_premium_yen;
  if (quote.top_up) {
    const TopUpQuote& u = *quote.top_up;
    c.has_top_up = true;
    c.sections_total_yen = u.sections_total_yen;
    c.multi_section_factor = u.multi_section_factor;
    c.package_yen = u.package_yen;
    c.minimum_applied = u.minimum_applied;
    c.top_up_annual_yen = u.annual_premium_yen;
  }
  for (const LayerLoss& l : q.losses.layers) {
    if (l.layer == "base_cover") {
      c.section_premium_yen.push_back(c.base_cover_annual_yen);
      c.charged_yen.push_back(static_cast<double>(c.base_cover_annual_yen));
      continue;
    }
    Yen section = 0;
    for (const SectionQuote& s : quote.top_up->sections)
      if (t.top_up.sections[static_cast<std::size_t>(s.section)].key == l.layer)
        section = s.annual_premium_yen;
    c.section_premium_yen.push_back(section);
    c.charged_yen.push_back(c.sections_total_yen > 0 ? static_cast<double>(c.top_up_annual_yen) *
                                                           static_cast<double>(section) /
                                                           static_cast<double>(c.sections_total_yen)
                                                     : 0.0);
    q.top_up_expected_loss_yen += l.expected_loss_yen;
    q.top_up_indicated_premium_yen += l.indicated_premium_yen;
    q.top_up_systemic_expected_loss_yen += l.systemic_expected_loss_yen;
  }
  return q;
}

}  // namespace cybercover
