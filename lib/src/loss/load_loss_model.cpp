// Reads loss_model.json. Every parameter is checked here, once, so the closed forms, the
// aggregate distributions and the simulation never meet a value they cannot use.

#include "loss/load_loss_model.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "cybercover/error.hpp"
#include "cybercover/loss/distributions.hpp"

namespace cybercover::detail {

namespace {

// Bounds that keep every figure finite and every sampler fast; far beyond any real book.
constexpr double kMaxIncidentsPerYear = 100;  // largest lambda x tier x industry multiplier
constexpr double kMaxOverdispersion = 100;
constexpr double kMaxYen = 1e15;
constexpr double kMaxSigma = 10;
constexpr double kMaxAlpha = 100;
constexpr double kMaxEventsPerYear = 100;
constexpr int kMaxClaimsPerYear = 4000;  // the simulation's count tables (simulation.cpp)

std::string list_of(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// A finite number in (0, max] when `zero_allowed` is false, else in [0, max].
double number_in(const JsonCursor& c, bool zero_allowed, double max) {
  const double v = c.finite_double();
  if (zero_allowed ? v < 0 : v <= 0)
    c.fail_value(Rule::kBelowMinimum, zero_allowed ? "must be >= 0" : "must be > 0");
  if (v > max) {
    std::string bound = std::to_string(max);
    bound.erase(bound.find_last_not_of('0') + 1);
    if (bound.back() == '.') bound.pop_back();
    c.fail_value(Rule::kAboveMaximum, "must be at most " + bound);
  }
  return v;
}

double positive(const JsonCursor& c, double max) { return number_in(c, false, max); }

double probability(const JsonCursor& c) {
  const double v = c.finite_double();
  if (v < 0) c.fail_value(Rule::kBelowMinimum, "must be a probability between 0 and 1");
  if (v > 1) c.fail_value(Rule::kAboveMaximum, "must be a probability between 0 and 1");
  return v;
}

// An object keyed by `names`. With `all_required`, every name must appear; otherwise missing
// names keep `fallback`. Unknown names are errors that list the expected ones.
std::vector<double> read_keyed(const JsonCursor& c, const std::vector<std::string>& names,
                               const std::string& source, bool all_required, double fallback,
                               double (*read)(const JsonCursor&)) {
  c.require_object();
  c.for_each_member([&](std::string_view key, const JsonCursor& value) {
    if (std::find(names.begin(), names.end(), key) == names.end())
      value.fail(Rule::kUnknownKey,
                 "unknown key: expected one of " + source + " (" + list_of(names) + ")");
  });
  std::vector<double> out;
  for (const auto& name : names) {
    const auto value = c.find(name);
    if (!value) {
      if (all_required)
        c.fail(Rule::kMissing, "missing \"" + name + "\": must give a value for each of " + source +
                                   " (" + list_of(names) + ")");
      out.push_back(fallback);
    } else {
      out.push_back(read(*value));
    }
  }
  return out;
}

double multiplier(const JsonCursor& c) { return positive(c, kMaxIncidentsPerYear); }

// A severity object: {"distribution": ..., and that family's parameters}. `allow_fixed` lets a
// systemic event's lognormal have sigma 0 (the same loss at every company hit).
SeverityParams read_severity(const JsonCursor& c, bool allow_fixed) {
  c.require_object();
  SeverityParams s;
  const JsonCursor dist = c.at("distribution");
  const std::string family = dist.string();
  if (family == "lognormal") {
    c.only_keys({"distribution", "median_yen", "sigma", "revenue_band_scales"});
    s.family = SeverityFamily::kLognormal;
    s.median_yen = positive(c.at("median_yen"), kMaxYen);
    s.sigma = allow_fixed ? number_in(c.at("sigma"), true, kMaxSigma)
                          : positive(c.at("sigma"), kMaxSigma);
  } else if (family == "pareto") {
    c.only_keys({"distribution", "alpha", "scale_yen", "revenue_band_scales"});
    s.family = SeverityFamily::kPareto;
    s.alpha = positive(c.at("alpha"), kMaxAlpha);
    s.scale_yen = positive(c.at("scale_yen"), kMaxYen);
  } else if (family == "spliced_lognormal_pareto") {
    c.only_keys({"distribution", "median_yen", "sigma", "threshold_yen", "tail_alpha",
                 "body_probability", "revenue_band_scales"});
    s.family = SeverityFamily::kSplicedLognormalPareto;
    s.median_yen = positive(c.at("median_yen"), kMaxYen);
    s.sigma = positive(c.at("sigma"), kMaxSigma);
    s.threshold_yen = positive(c.at("threshold_yen"), kMaxYen);
    s.alpha = positive(c.at("tail_alpha"), kMaxAlpha);
    const double z = (std::log(s.threshold_yen) - std::log(s.median_yen)) / s.sigma;
    s.body_probability = 0.5 * std::erfc(-z / std::sqrt(2.0));  // the lognormal's own mass below
    if (const auto w = c.find("body_probability")) {
      s.body_probability = w->finite_double();
      if (!(s.body_probability > 0 && s.body_probability < 1))
        w->fail_value(Rule::kInvalidValue, "must be strictly between 0 and 1");
    }
    if (!(s.body_probability > 0 && s.body_probability < 1))
      c.at("threshold_yen")
          .fail_value(Rule::kInvalidValue,
                      "leaves no mass to the body or to the tail of the lognormal; "
                      "give body_probability");
  } else {
    dist.fail_value(Rule::kUnknownValue,
                    "must be \"lognormal\", \"pareto\" or \"spliced_lognormal_pareto\"");
  }
  return s;
}

std::vector<BundlePlan> read_plans(const JsonCursor& c) {
  c.require_array();
  if (c.size() == 0) c.fail(Rule::kInvalidValue, "must list at least one plan");
  std::vector<BundlePlan> plans;
  for (const JsonCursor& element : c.elements()) {
    const auto plan = parse_bundle_plan(element.string_view());
    if (!plan || *plan == BundlePlan::kNone)
      element.fail_value(Rule::kUnknownValue, "must be \"utm\", \"edr\" or \"utm_edr\"");
    if (std::find(plans.begin(), plans.end(), *plan) != plans.end())
      element.fail_value(Rule::kDuplicate, "plan listed twice");
    plans.push_back(*plan);
  }
  return plans;
}

}  // namespace

void load_loss_model(const JsonCursor& root, LossModelTable& m, const PostureTable& posture,
                     const UnderwritingTable& underwriting, const BaseCoverTable& base,
                     const TopUpTable& top_up) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "frequency", "severity",
                  "sections", "target_loss_ratio", "systemic_events"});
  std::vector<std::string> tiers, industries, sections;
  for (const auto& t : posture.tiers) tiers.push_back(t.name);
  for (const auto& i : underwriting.industries) industries.push_back(i.key);
  for (const auto& s : top_up.sections) sections.push_back(s.key);

  // ---- frequency
  const JsonCursor freq = root.at("frequency");
  freq.only_keys({"distribution", "overdispersion", "tier_c_lambda_by_employee_band",
                  "tier_multipliers", "industry_multipliers"});
  m.frequency_family = FrequencyFamily::kPoisson;
  if (const auto d = freq.find("distribution")) {
    const std::string family = d->string();
    if (family == "negative_binomial")
      m.frequency_family = FrequencyFamily::kNegativeBinomial;
    else if (family != "poisson")
      d->fail_value(Rule::kUnknownValue, "must be \"poisson\" or \"negative_binomial\"");
  }
  if (m.frequency_family == FrequencyFamily::kNegativeBinomial) {
    m.overdispersion = positive(freq.at("overdispersion"), kMaxOverdispersion);
  } else if (const auto o = freq.find("overdispersion")) {
    o->fail(Rule::kInconsistent, "only a negative_binomial frequency has an overdispersion");
  }
  const JsonCursor lambdas = freq.at("tier_c_lambda_by_employee_band");
  lambdas.require_array();
  if (lambdas.size() != base.employee_band_max.size())
    lambdas.fail(Rule::kInconsistent,
                 "must give one frequency per employee band of base_cover.json (" +
                     std::to_string(base.employee_band_max.size()) + "), got " +
                     std::to_string(lambdas.size()));
  m.frequency_by_employee_band.clear();
  const std::vector<JsonCursor> lambda_elements = lambdas.elements();
  for (std::size_t i = 0; i < lambda_elements.size(); ++i)
    m.frequency_by_employee_band.push_back(positive(lambda_elements[i], kMaxIncidentsPerYear));
  m.tier_multipliers = read_keyed(freq.at("tier_multipliers"), tiers, "the tiers of posture.json",
                                  true, 1.0, multiplier);
  m.industry_multipliers.assign(industries.size(), 1.0);
  if (const auto im = freq.find("industry_multipliers"))
    m.industry_multipliers =
        read_keyed(*im, industries, "the industries of underwriting.json", false, 1.0, multiplier);
  const double top =
      *std::max_element(m.frequency_by_employee_band.begin(), m.frequency_by_employee_band.end()) *
      *std::max_element(m.tier_multipliers.begin(), m.tier_multipliers.end()) *
      *std::max_element(m.industry_multipliers.begin(), m.industry_multipliers.end());
  if (top > kMaxIncidentsPerYear)
    freq.fail(Rule::kAboveMaximum, "the largest frequency (band x tier x industry multiplier) is " +
                                       std::to_string(top) +
                                       " incidents a year; must be at most 100");
  // The simulation draws at most 4,000 claims a company-year: the heaviest count the table
  // allows (its largest frequency; thinned counts are lighter) must not reach beyond that.
  const ClaimCount heaviest = ClaimCount::of(m, top);
  if (const double beyond = 1 - heaviest.cdf(kMaxClaimsPerYear - 1); beyond > 1e-12)
    (m.frequency_family == FrequencyFamily::kNegativeBinomial ? freq.at("overdispersion") : freq)
        .fail(Rule::kAboveMaximum, "at the largest frequency (" + std::to_string(top) +
                                       " a year) a company-year has probability " + std::to_string(beyond) +
                                       " of more than " + std::to_string(kMaxClaimsPerYear) +
                                       " claims, which the simulation cannot draw; lower the overdispersion");

  // ---- severity
  const JsonCursor sev = root.at("severity");
  m.severity = read_severity(sev, false);
  m.revenue_band_scales.assign(top_up.revenue_bands.size(), 1.0);
  if (const auto scales = sev.find("revenue_band_scales")) {
    scales->require_array();
    if (scales->size() != top_up.revenue_bands.size())
      scales->fail(Rule::kInconsistent, "must give one scale per revenue band of top_up.json (" +
                                            std::to_string(top_up.revenue_bands.size()) +
                                            "), got " + std::to_string(scales->size()));
    const std::vector<JsonCursor> scale_elements = scales->elements();
    for (std::size_t i = 0; i < scale_elements.size(); ++i)
      m.revenue_band_scales[i] = positive(scale_elements[i], 1000);
  }

  // ---- sections
  const JsonCursor secs = root.at("sections");
  secs.require_object();
  secs.for_each_member([&](std::string_view key, const JsonCursor& value) {
    if (std::find(sections.begin(), sections.end(), key) == sections.end())
      value.fail(Rule::kUnknownKey, "unknown key: expected one of the sections of top_up.json (" +
                                        list_of(sections) + ")");
  });
  m.claim_probability.clear();
  m.loss_scale.clear();
  for (const auto& name : sections) {
    const auto c = secs.find(name);
    if (!c)
      secs.fail(Rule::kMissing,
                "missing \"" + name +
                    "\": must give a value for each of the sections of top_up.json (" +
                    list_of(sections) + ")");
    c->only_keys({"claim_probability", "loss_scale"});
    m.claim_probability.push_back(probability(c->at("claim_probability")));
    m.loss_scale.push_back(positive(c->at("loss_scale"), 1000));
  }

  // ---- target loss ratios
  const JsonCursor lr = root.at("target_loss_ratio");
  lr.only_keys({"base_cover", "top_up"});
  m.base_cover_target_loss_ratio = positive(lr.at("base_cover"), 1);
  m.top_up_target_loss_ratio = positive(lr.at("top_up"), 1);

  // ---- systemic events
  m.systemic_events.clear();
  if (const auto events = root.find("systemic_events")) {
    events->require_array();
    std::set<std::string> keys;
    for (const JsonCursor& e : events->elements()) {
      e.only_keys({"key", "scope", "plans", "events_per_year", "share_hit", "loss_per_company",
                   "claim_probability"});
      SystemicEventType t;
      t.key = e.at("key").string();
      if (t.key.empty()) e.at("key").fail_value(Rule::kInvalidValue, "must not be empty");
      if (!keys.insert(t.key).second)
        e.at("key").fail_value(Rule::kDuplicate, "duplicate event key");
      const std::string scope = e.at("scope").string();
      if (scope == "provider")
        t.scope = SystemicScope::kProvider;
      else if (scope == "plan")
        t.scope = SystemicScope::kPlan;
      else
        e.at("scope").fail_value(Rule::kUnknownValue, "must be \"provider\" or \"plan\"");
      t.plans = {BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr};
      if (const auto plans = e.find("plans")) t.plans = read_plans(*plans);
      t.events_per_year = number_in(e.at("events_per_year"), true, kMaxEventsPerYear);
      t.share_hit = probability(e.at("share_hit"));
      t.loss_per_company = read_severity(e.at("loss_per_company"), true);
      if (e.at("loss_per_company").find("revenue_band_scales"))
        e.at("loss_per_company")
            .at("revenue_band_scales")
            .fail(Rule::kUnknownKey, "revenue band scales belong to the incident severity");
      t.claim_probability = read_keyed(e.at("claim_probability"), sections,
                                       "the sections of top_up.json", false, 0.0, probability);
      m.systemic_events.push_back(std::move(t));
    }
  }
}

}  // namespace cybercover::detail
