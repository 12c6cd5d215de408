#pragma once
// A seeded corpus of quote requests and a one-line rendering of every figure of a quote, for
// the before/after test of a new edition (tests/unit/frozen_corpus_test.cpp): quotes dated
// before the new edition must keep every yen, tier, code and factor.
//
// The generator depends on nothing but its seed and the fixed lists below (the 2026-12
// product as the rate manual states it), never on the tables being tested, so the same seed
// gives the same requests in every build. Most requests are valid; a few break a rule on
// purpose (a limit not offered, covered endpoints above endpoints...), so errors are frozen
// too. Dates and amounts cluster on the edges the rules test (band edges, the EDR learning
// boundary, click-rate thresholds).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "cybercover/cybercover.hpp"

namespace cybercover::testing {

// SplitMix64: small, fast, and the same on every platform.
class CorpusRng {
 public:
  explicit CorpusRng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& values) {
    return values[below(N)];
  }

 private:
  std::uint64_t state_;
};

// The 2026-12 product's fixed lists (docs/rating_rules.md §3, §5).
inline constexpr std::array<const char*, 12> kCorpusIndustries = {
    "manufacturing", "construction", "transport_logistics", "wholesale", "retail", "restaurant",
    "accommodation", "services", "software_it", "medical_welfare", "finance_insurance_agency", "other"};
inline constexpr std::array<const char*, 3> kCorpusSections = {"liability", "response", "interruption"};
inline const std::array<std::vector<Yen>, 3> kCorpusLimits = {
    std::vector<Yen>{10'000'000, 30'000'000, 50'000'000, 100'000'000, 300'000'000, 500'000'000},
    std::vector<Yen>{5'000'000, 10'000'000, 30'000'000, 50'000'000, 100'000'000},
    std::vector<Yen>{5'000'000, 10'000'000, 30'000'000}};
inline const std::array<std::vector<Yen>, 3> kCorpusDeductibles = {
    std::vector<Yen>{0}, std::vector<Yen>{0, 100'000, 300'000, 500'000, 1'000'000},
    std::vector<Yen>{0, 100'000, 500'000, 1'000'000}};

// Amounts at and around the rules' edges.
inline std::int64_t corpus_employees(CorpusRng& rng) {
  static constexpr std::array<std::int64_t, 16> kEdges = {1, 20, 21, 50, 51, 100, 101, 199, 200, 201, 300, 301, 900, 901, 1000, 5000};
  if (rng.chance(15)) return rng.pick(kEdges);
  switch (rng.below(5)) {
    case 0: return rng.between(1, 20);
    case 1: return rng.between(21, 50);
    case 2: return rng.between(51, 100);
    case 3: return rng.between(101, 300);
    default: return rng.between(301, 1200);
  }
}

inline Yen corpus_revenue(CorpusRng& rng) {
  static constexpr std::array<Yen, 9> kEdges = {50'000'000, 100'000'000, 300'000'000, 500'000'000, 1'000'000'000,
                                                3'000'000'000, 5'000'000'000, 10'000'000'000, 0};
  if (rng.chance(15)) return std::max<Yen>(0, rng.pick(kEdges) + rng.between(-1, 1));
  static constexpr std::array<Yen, 8> kTops = {50'000'000,    100'000'000,   300'000'000,   500'000'000,
                                               1'000'000'000, 3'000'000'000, 5'000'000'000, 12'000'000'000};
  const Yen top = rng.pick(kTops);
  return rng.between(top / 10, top);
}

inline Yen corpus_capital(CorpusRng& rng) {
  static constexpr std::array<Yen, 8> kEdges = {50'000'000, 50'000'001, 100'000'000, 100'000'001,
                                                300'000'000, 300'000'001, 0, 1'000'000'000};
  if (rng.chance(20)) return rng.pick(kEdges);
  return rng.between(1, 600) * 1'000'000;
}

// The `index`-th request of the corpus of `seed`, on `questionnaire` (the 2026-12 items).
inline QuoteRequest corpus_request(const Questionnaire& questionnaire, std::uint64_t seed, std::uint64_t index) {
  CorpusRng rng(seed * 0x100000001B3ull + index);
  QuoteRequest r;
  const Date first = *Date::parse("2026-12-01"), last = *Date::parse("2027-03-31");
  r.quote_date = rng.chance(5) ? (rng.chance(50) ? first : last)
                               : Date::from_day_number(static_cast<std::int32_t>(rng.between(first.day_number(), last.day_number())));
  Company& c = r.company;
  c.industry = rng.pick(kCorpusIndustries);
  if (rng.chance(1)) c.industry = "agriculture";  // unknown to 2026-12
  c.employees = corpus_employees(rng);
  c.capital_yen = corpus_capital(rng);
  c.revenue_yen = corpus_revenue(rng);
  c.endpoints = rng.chance(3) ? 0 : std::max<std::int64_t>(1, c.employees * rng.between(5, 15) / 10);
  c.rubber_products = c.industry == std::string("manufacturing") && rng.chance(5);
  const auto sa = rng.below(100);
  r.security_action = sa < 79 ? SecurityAction::kNone : sa < 97 ? SecurityAction::kOneStar : SecurityAction::kTwoStar;

  // Answers with a company-level propensity, so scores spread over 0-1000.
  const auto good = rng.below(101);
  r.answers = AnswerSheet(questionnaire);
  for (std::size_t i = 0; i < questionnaire.items.size(); ++i) {
    const auto u = rng.below(100);
    Answer a;
    if (u < good * 7 / 10) a = Answer::kYes;
    else if (u < good * 7 / 10 + 12) a = Answer::kPartial;
    else if (u < 88) a = Answer::kNo;
    else if (u < 95) a = Answer::kUnknown;
    else if (u < 98) a = Answer::kUnanswered;
    else a = questionnaire.items[i].allow_na || rng.chance(3) ? Answer::kNa : Answer::kNo;
    r.answers.answers()[i] = a;
  }

  Controls& k = r.controls;
  const auto utm = rng.below(100);
  k.utm = utm < 40 ? UtmStatus::kNone : utm < 55 ? UtmStatus::kUnmanaged : UtmStatus::kManaged;
  const auto edr = rng.below(100);
  k.edr.status = edr < 50 ? EdrStatus::kNone : edr < 60 ? EdrStatus::kSelfManaged : EdrStatus::kManaged;
  if (k.edr.status != EdrStatus::kNone) {
    k.edr.covered_endpoints = c.endpoints == 0 ? 0 : rng.between(1, c.endpoints);
    if (rng.chance(1)) k.edr.covered_endpoints = c.endpoints + 1;
    if (k.edr.status == EdrStatus::kManaged && !rng.chance(1)) {
      const std::int64_t days = rng.chance(20) ? rng.between(28, 31) : rng.between(0, 120);
      k.edr.installed_on = Date::from_day_number(static_cast<std::int32_t>(r.quote_date.day_number() - days + (rng.chance(1) ? 200 : 0)));
    }
  }
  k.legacy_os_endpoints = rng.chance(70) || c.endpoints == 0 ? 0 : rng.between(1, std::max<std::int64_t>(1, c.endpoints / 4));
  if (rng.chance(1)) k.legacy_os_endpoints = c.endpoints + 1;
  if (rng.chance(60)) {
    static constexpr std::array<double, 8> kRates = {0.0, 0.04, 0.05, 0.0501, 0.15, 0.1501, 0.29, 1.0};
    k.phishing_click_rate = rng.chance(50) ? rng.pick(kRates) : static_cast<double>(rng.below(10001)) / 10000.0;
  }
  k.incidents_3y = rng.chance(75) ? 0 : rng.between(1, 3);

  // A plan the controls allow, mostly; now and then one they contradict.
  const bool managed_utm = k.utm == UtmStatus::kManaged, managed_edr = k.edr.status == EdrStatus::kManaged;
  std::vector<BundlePlan> plans{BundlePlan::kNone};
  if (managed_utm) plans.push_back(BundlePlan::kUtm);
  if (managed_edr) plans.push_back(BundlePlan::kEdr);
  if (managed_utm && managed_edr) plans.push_back(BundlePlan::kUtmEdr);
  r.bundle_plan = rng.chance(2) ? static_cast<BundlePlan>(rng.below(4)) : plans[rng.below(plans.size())];
  if (r.bundle_plan != BundlePlan::kNone && rng.chance(30)) r.service_monthly_price_yen = rng.between(0, 200) * 1000;
  if (r.bundle_plan == BundlePlan::kNone && rng.chance(1)) r.service_monthly_price_yen = 5000;

  for (std::size_t s = 0; s < kCorpusSections.size(); ++s) {
    if (!rng.chance(55)) continue;
    CoverSelection sel;
    sel.section = kCorpusSections[s];
    const auto& limits = kCorpusLimits[s];
    sel.limit_yen = limits[rng.below(limits.size())];
    if (rng.chance(1)) sel.limit_yen = 20'000'000;  // not offered
    if (rng.chance(60)) {
      const auto& deductibles = kCorpusDeductibles[s];
      sel.deductible_yen = deductibles[rng.below(deductibles.size())];
    }
    r.top_up.push_back(sel);
  }
  if (r.top_up.size() > 1 && rng.chance(30)) std::swap(r.top_up.front(), r.top_up.back());  // any order
  if (rng.chance(50)) r.subsidy_program = "sme-cyber-support-2026";
  return r;
}

// Every figure, code, factor and table row of a quote on one line ("ok|..."), or the error
// ("error|code|field"). Leaves out the edition's id, dates and sha256 (a new edition closes
// the old one, which changes its effective_to and hash but no figure).
inline std::string corpus_figures(const Quote& q) {
  std::string s = "ok|";
  auto add = [&s](auto v) {
    if constexpr (std::is_convertible_v<decltype(v), std::string>) s += v;
    else s += std::to_string(v);
    s += ',';
  };
  const RatingTables& t = *q.tables;
  const Assessment& a = q.assessment;
  add(a.summary.score), add(a.summary.earned), add(a.summary.applicable), add(a.summary.unknown_count);
  for (const UnmetItem& u : a.unmet) add(u.item), add(u.points_lost);
  s += '|';
  for (int i : a.unanswered) add(i);
  s += '|';
  for (const AssessmentWarning& w : a.warnings) add(w.item);
  s += '|';
  add(q.posture.score);
  for (const PostureAdjustment& adj : q.posture) add(std::string(to_string(adj.code))), add(adj.points);
  add(q.posture.edr_days ? *q.posture.edr_days : -1);
  add(q.posture.index), add(q.tier_name());
  s += '|';
  add(std::string(to_string(q.decision.outcome)));
  for (DecisionCode c : q.decision) add(std::string(to_string(c)));
  add(q.decision.is_sme), add(t.underwriting.sme_categories[static_cast<std::size_t>(q.decision.sme_category)].key);
  s += '|';
  if (q.base_cover) {
    const BaseCoverQuote& b = *q.base_cover;
    add(std::string(to_string(b.plan))), add(b.limit_yen), add(b.employee_band), add(b.band_rate_yen);
    add(b.endpoint_rate_yen), add(b.rate_yen), add(b.tier_factor.to_string()), add(b.monthly_premium_yen);
    add(b.annual_premium_yen);
    if (b.price_cap) add(b.price_cap->service_monthly_price_yen), add(b.price_cap->cap_yen), add(b.price_cap->within);
  }
  s += '|';
  if (q.top_up) {
    const TopUpQuote& u = *q.top_up;
    for (const SectionQuote& sec : u.sections) {
      add(t.top_up.sections[static_cast<std::size_t>(sec.section)].key), add(sec.limit_yen), add(sec.deductible_yen);
      add(sec.revenue_band), add(sec.base_premium_yen), add(sec.industry_factor.to_string()), add(sec.tier_factor.to_string());
      add(sec.limit_factor.to_string()), add(sec.deductible_factor.to_string());
      add(sec.has_excess_factor ? sec.excess_factor.to_string() : std::string("-")), add(sec.annual_premium_yen);
    }
    add(u.sections_total_yen), add(u.multi_section_factor.to_string()), add(u.package_yen), add(u.minimum_applied);
    add(u.annual_premium_yen), add(u.subsidy_program ? u.subsidy_program->id : std::string("-")), add(u.subsidy_yen);
    add(std::string(to_string(u.subsidy_code))), add(u.payable_annual_yen), add(u.monthly_instalment_yen);
  }
  return s;
}

inline std::string corpus_error(const Error& e) { return "error|" + std::string(to_string(e.code())) + "|" + e.field(); }

}  // namespace cybercover::testing
