#pragma once
// The loss model behind the prices (docs/rating_rules.md §6, docs/loss_model.md), for actuaries:
// who claims on which layer, and the expected annual loss per layer in closed form, from
// independent incidents and from systemic events, beside what a quote charges. Figures are model
// estimates in yen (doubles), never premiums: charged premiums are read off the engine's Quote.
//
// Per company and year: incidents ~ Poisson or negative binomial (lambda by employee band x
// tier x industry multiplier); each incident's ground-up cost X has the table's severity
// (scaled by the revenue band); it becomes a claim on section s with probability p_s, the
// section's loss X x scale_s. The base cover pays min(X_response, A) per response claim; the
// top-up pays min(max(loss - attachment - deductible, 0), limit); each layer's annual aggregate
// equals its per-claim limit.

#include <cstdint>
#include <string>
#include <vector>

#include "cybercover/loss/distributions.hpp"
#include "cybercover/loss/loss_tables.hpp"
#include "cybercover/pricing/top_up.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "cybercover/types.hpp"

namespace cybercover {

struct Quote;
struct QuoteRequest;

// One company as the loss model sees it.
struct LossExposure {
  std::int64_t employees = 1;
  int tier = 0;          // index into PostureTable::tiers
  int industry = -1;     // index into UnderwritingTable::industries; -1: multiplier 1.0
  int revenue_band = 0;  // index into TopUpTable::revenue_bands; -1: above the last band
  BundlePlan bundle_plan = BundlePlan::kNone;
  ResolvedSelections top_up;  // sections with limit and deductible rows
};

// The exposure a quote priced: its tier, plan, industry, revenue band and selected sections.
LossExposure exposure_of(const QuoteRequest& request, const Quote& quote);

// The layers a company's claims reach: the base cover first (if any), then the selected
// top-up sections in table order.
struct LayerTerms {
  std::string layer;  // "base_cover" or a section key
  int section = 0;    // the section whose claims it pays (response for the base cover)
  bool base_cover = false;
  double claim_probability = 0;  // per incident
  double attachment_yen = 0;     // base limit for response, plus the deductible
  double limit_yen = 0;          // per claim and annual aggregate
  double target_loss_ratio = 0;
};
std::vector<LayerTerms> layer_terms(const RatingTables& t, const LossExposure& exposure);

// Returns lambda: expected incidents a year (band x tier x industry multiplier).
double incident_frequency(const RatingTables& t, const LossExposure& exposure);
// The incident count of the table's family with mean lambda.
ClaimCount incident_count(const RatingTables& t, const LossExposure& exposure);
// The loss of one claim on `section` from an incident: X x scale_s x the revenue band's scale.
Severity section_severity(const RatingTables& t, const LossExposure& exposure, int section);
// The same for a company hit by systemic event type `event`.
Severity systemic_severity(const RatingTables& t, const LossExposure& exposure, int event,
                           int section);

// E[min(X, d)] for X lognormal(mu, sigma): the limited expected value.
double lognormal_lev(double mu, double sigma, double d);

struct LayerLoss {
  std::string layer;           // "base_cover" or a section key
  double claim_frequency = 0;  // expected claims a year from incidents (lambda x p)
  double attachment_yen = 0;   // where the layer starts (base limit for response; plus deductible)
  double limit_yen = 0;
  double expected_loss_yen = 0;      // independent incidents, per-claim limits only (closed form)
  double indicated_premium_yen = 0;  // expected_loss / target loss ratio
  double systemic_claim_frequency = 0;    // expected claims a year from systemic events
  double systemic_expected_loss_yen = 0;  // systemic events, per-claim limits only
  double target_loss_ratio = 0;
  // expected loss and indicated premium with systemic events
  double total_expected_loss_yen() const { return expected_loss_yen + systemic_expected_loss_yen; }
  double total_indicated_premium_yen() const {
    return total_expected_loss_yen() / target_loss_ratio;
  }
};

struct ExpectedLosses {
  double incident_frequency = 0;  // lambda: incidents a year
  std::vector<LayerLoss> layers;  // base cover first (if any), then top-up sections in table order
};

// Expected annual loss per layer with per-claim limits only, as the manual's closed form:
// lambda x p x (LEV(att + ded + limit) - LEV(att + ded)) of the section's scaled severity, and
// the same for each systemic event type the company is exposed to (rate x share hit x p).
// The annual aggregate makes the exact figure lower: aggregate.hpp gives it.
ExpectedLosses expected_losses(const RatingTables& t, const LossExposure& exposure);

// ---- beside the quote ------------------------------------------------------------------------

// What a quote charges, read off the Quote (never recomputed).
struct ChargedPremiums {
  Yen base_cover_annual_yen = 0;  // 0 without base cover
  bool has_top_up = false;
  std::vector<Yen> section_premium_yen;  // by layer (base cover: its annual premium)
  Yen sections_total_yen = 0;            // top-up sections before the multi-section factor
  Decimal4 multi_section_factor;
  Yen package_yen = 0;  // after the multi-section factor
  bool minimum_applied = false;
  Yen top_up_annual_yen = 0;  // after the minimum premium: what the company pays
  // By layer: the base cover's annual premium, or the section's share of the top-up's annual
  // premium in proportion to the section premiums (the package factor and the minimum spread
  // over the sections). An allocation for comparison, not a premium of the manual.
  std::vector<double> charged_yen;
};

struct QuoteLosses {
  ExpectedLosses losses;
  ChargedPremiums charged;
  // Totals of the top-up layers (0 without a top-up).
  double top_up_expected_loss_yen = 0, top_up_indicated_premium_yen = 0;
  double top_up_systemic_expected_loss_yen = 0;
};

// The expected losses of the quoted company beside what the quote charges.
// Example:
//   const auto request = parse_quote_request_text(text, engine.library());
//   const QuoteLosses l = quote_losses(request, engine.quote(request));
QuoteLosses quote_losses(const QuoteRequest& request, const Quote& quote);

}  // namespace cybercover
