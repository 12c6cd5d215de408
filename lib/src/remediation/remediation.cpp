// The remediation plan. Each measure is re-quoted through Engine::quote with everything else
// unchanged, so every figure is the engine's own. The cheapest set reaching a tier is found
// exactly: upgrades are few (at most 4, so all 16 subsets are tried) and each adds a fixed
// number of posture points; items add whole points to `earned`, and the score threshold a
// tier needs turns into a minimum `earned` in closed form, so a 0/1 knapsack over the
// items' points (min cost for "gain >= G") finds the rest. The winning set is re-quoted too.

#include "cybercover/remediation/remediation.hpp"

#include <algorithm>
#include <exception>
#include <numeric>
#include <stdexcept>

#include "cybercover/error.hpp"
#include "cybercover/io/json_io.hpp"
#include "detail/json_writer.hpp"
#include "detail/parallel.hpp"

namespace cybercover {

namespace {

using detail::JsonWriter;

bool has_utm_service(BundlePlan p) { return p == BundlePlan::kUtm || p == BundlePlan::kUtmEdr; }
bool has_edr_service(BundlePlan p) { return p == BundlePlan::kEdr || p == BundlePlan::kUtmEdr; }

// The bundle-plan rule: a control made managed is bought as the bundle's managed service, so
// the plan grows to the smallest plan holding its services plus the new one. A plan the
// edition does not offer is not chosen; the request then keeps its plan, which stays valid
// because a plan only requires controls and upgrades only improve them.
BundlePlan plan_with(const BaseCoverTable& base, BundlePlan current, bool add_utm, bool add_edr) {
  const bool utm = has_utm_service(current) || add_utm;
  const bool edr = has_edr_service(current) || add_edr;
  const BundlePlan wanted = utm && edr ? BundlePlan::kUtmEdr : utm ? BundlePlan::kUtm : edr ? BundlePlan::kEdr : BundlePlan::kNone;
  if (wanted != current && !base.plans[static_cast<std::size_t>(wanted)].offered) return current;
  return wanted;
}

// A new managed EDR is priced as it will stand once in place: past its learning period.
Date settled_installation(const PostureTable& posture, Date quote_date) {
  return Date::from_day_number(quote_date.day_number() - posture.edr_learning_days);
}

// The click rate a drill brings the company to: the low-rate threshold itself (r <= T counts).
double drill_click_rate(const PostureTable& posture) {
  return static_cast<double>(posture.phishing_low_max_rate.scaled()) / static_cast<double>(Decimal4::kScale);
}

Yen checked_mul(Yen a, std::int64_t b, const char* field) {
  Yen out = 0;
  if (__builtin_mul_overflow(a, b, &out))
    throw Error(ErrorCode::kAboveMaximum, field, "is too large to cost the measure", std::to_string(b));
  return out;
}

Yen checked_add(Yen a, Yen b, const char* field) {
  Yen out = 0;
  if (__builtin_add_overflow(a, b, &out)) throw Error(ErrorCode::kAboveMaximum, field, "is too large to cost the measure");
  return out;
}

std::int64_t raw_index_of(const Posture& p) {
  std::int64_t raw = p.score;
  for (const auto& a : p) raw += a.points;
  return raw;
}

// ---- costs --------------------------------------------------------------------------------
// The one-off part of an upgrade: per affected endpoint where the table says so, else the
// effort class's typical cost.
Yen upgrade_one_off(const RemediationTable& t, UpgradeKind kind, std::int64_t endpoints) {
  const UpgradeRule& rule = t.upgrades[static_cast<std::size_t>(kind)];
  if (rule.cost_per_endpoint_yen > 0)
    return checked_mul(rule.cost_per_endpoint_yen, endpoints,
                       kind == UpgradeKind::kLegacyOsReplaced ? "controls.legacy_os_endpoints" : "company.endpoints");
  return t.effort_classes[static_cast<std::size_t>(rule.effort)].typical_cost_yen;
}

// Added monthly service fee between two states of a request (typical bundle plan prices).
Yen added_monthly_fee(const RemediationTable& t, const QuoteRequest& before, const QuoteRequest& after) {
  return t.monthly_price_yen(after.bundle_plan, after.controls.edr.covered_endpoints) -
         t.monthly_price_yen(before.bundle_plan, before.controls.edr.covered_endpoints);
}

Yen first_year(const RatingTables& t, const MeasureCost& c) {
  return checked_add(c.one_off_yen, checked_mul(c.monthly_yen, t.base_cover.months_per_year, "controls"), "controls");
}

// ---- candidates ---------------------------------------------------------------------------
std::vector<Measure> upgrade_candidates(const RatingTables& t, const QuoteRequest& r) {
  std::vector<Measure> out;
  auto add = [&](UpgradeKind kind, std::int64_t endpoints) {
    Measure m;
    m.kind = MeasureKind::kUpgrade;
    m.upgrade = kind;
    m.endpoints_affected = endpoints;
    out.push_back(m);
  };
  const Controls& c = r.controls;
  if (c.utm != UtmStatus::kManaged) add(UpgradeKind::kUtmManaged, 0);
  const std::int64_t managed_now = c.edr.status == EdrStatus::kManaged ? c.edr.covered_endpoints : 0;
  if (r.company.endpoints >= 1 && managed_now < r.company.endpoints)
    add(UpgradeKind::kEdrManaged, r.company.endpoints - managed_now);
  if (c.legacy_os_endpoints >= 1) add(UpgradeKind::kLegacyOsReplaced, c.legacy_os_endpoints);
  if (!c.phishing_click_rate || *c.phishing_click_rate > drill_click_rate(t.posture)) add(UpgradeKind::kPhishingDrill, 0);
  return out;
}

// ---- the exact search -----------------------------------------------------------------------
// Lexicographic (cost, number of measures): among equally cheap sets the shorter wins.
struct SetKey {
  Yen cost = 0;
  int count = 0;
  friend bool operator<(const SetKey& a, const SetKey& b) {
    return a.cost != b.cost ? a.cost < b.cost : a.count < b.count;
  }
};

// 0/1 knapsack: the cheapest set of items whose gains sum to at least g, for every g up to
// `max_gain`, remembering the choices so that any g's set can be rebuilt.
class ItemKnapsack {
 public:
  ItemKnapsack(std::vector<int> gains, std::vector<Yen> costs, int max_gain)
      : gains_(std::move(gains)), costs_(std::move(costs)) {
    // Every gain is a multiple of their gcd (even points, halves for partial answers): work in
    // those units so the table is that much smaller. G units of `unit` = ceil(G / unit).
    for (int g : gains_) unit_ = std::gcd(unit_, g);
    if (unit_ == 0) unit_ = 1;
    width_ = static_cast<std::size_t>((max_gain + unit_ - 1) / unit_) + 1;
    // Key = cost x (n + 1) + count: lexicographic (cost, count) in one integer. It fits 64
    // bits: each cost is at most 10^9 (the table's bound), so n^2 x 10^9 stays below 2^63.
    constexpr std::int64_t kInf = INT64_MAX;
    best_.assign(width_, kInf);
    best_[0] = 0;
    const std::size_t n = gains_.size();
    count_scale_ = static_cast<std::int64_t>(n) + 1;
    words_ = (width_ + 63) / 64;
    taken_.assign(n * words_, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t w = static_cast<std::size_t>(gains_[i] / unit_);
      const std::int64_t key = costs_[i] * count_scale_ + 1;
      std::uint64_t* row = taken_.data() + i * words_;
      for (std::size_t g = width_ - 1; g >= 1; --g) {
        const std::int64_t from = best_[g > w ? g - w : 0];
        if (from != kInf && from + key < best_[g]) {
          best_[g] = from + key;
          row[g / 64] |= std::uint64_t{1} << (g % 64);
        }
      }
    }
  }

  // Returns whether a gain of at least `gain` is reachable, and its key.
  bool reachable(int gain) const { return best_[units(gain)] != INT64_MAX; }
  SetKey key(int gain) const {
    const std::int64_t k = best_[units(gain)];
    return {k / count_scale_, static_cast<int>(k % count_scale_)};
  }
  // Returns the items (indices into the gains given) of the cheapest set for `gain`.
  std::vector<int> items(int gain) const {
    std::vector<int> out;
    std::size_t g = units(gain);
    for (std::size_t i = gains_.size(); i-- > 0 && g > 0;) {
      if (taken_[i * words_ + g / 64] >> (g % 64) & 1) {
        out.push_back(static_cast<int>(i));
        const std::size_t w = static_cast<std::size_t>(gains_[i] / unit_);
        g = g > w ? g - w : 0;
      }
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  std::size_t units(int gain) const { return static_cast<std::size_t>((gain + unit_ - 1) / unit_); }

  std::vector<int> gains_;
  std::vector<Yen> costs_;
  int unit_ = 0;
  std::int64_t count_scale_ = 1;
  std::size_t width_ = 0, words_ = 0;
  std::vector<std::int64_t> best_;
  std::vector<std::uint64_t> taken_;
};

// The least `earned` whose score reaches `score`: rhu(M e / A) >= s  <=>  M e / A >= s - 1/2
// <=>  2 M e >= (2 s - 1) A  <=>  e >= ceil((2 s - 1) A / (2 M)).
std::int64_t earned_needed(std::int64_t score, int max_score, int applicable) {
  if (score <= 0) return 0;
  const std::int64_t num = (2 * score - 1) * applicable, den = 2 * static_cast<std::int64_t>(max_score);
  return (num + den - 1) / den;
}

struct SearchInput {
  const RatingTables* tables = nullptr;
  const QuoteRequest* request = nullptr;
  const QuoteFigures* baseline = nullptr;
  const Assessment* assessment = nullptr;
  const std::vector<Measure>* measures = nullptr;  // ranked
};

// For each target tier, the cheapest set (indices into the ranked measures), or nullopt when
// even every measure together does not reach it.
std::vector<std::optional<std::vector<int>>> cheapest_sets(const SearchInput& in, const std::vector<int>& target_tiers) {
  const RatingTables& t = *in.tables;
  const std::vector<Measure>& measures = *in.measures;
  std::vector<int> item_measures, upgrade_measures;
  for (std::size_t i = 0; i < measures.size(); ++i)
    (measures[i].kind == MeasureKind::kItem ? item_measures : upgrade_measures).push_back(static_cast<int>(i));

  const ScoreSummary& s = in.assessment->summary;
  const int max_score = t.questionnaire.max_score;
  int total_gain = 0;
  for (int m : item_measures) total_gain += measures[static_cast<std::size_t>(m)].points_recovered;
  // The adjustments' sum now; each upgrade adds its own (each adjustment reads one control).
  const std::int64_t adjustments = in.baseline->raw_index - in.baseline->score;

  // Every subset of upgrades: its posture points and first-year cost (priced on the combined
  // request, since two services together may change the plan differently than one).
  const std::size_t subsets = std::size_t{1} << upgrade_measures.size();
  std::vector<std::int64_t> subset_points(subsets, 0);
  std::vector<Yen> subset_cost(subsets, 0);
  for (std::size_t mask = 1; mask < subsets; ++mask) {
    QuoteRequest r = *in.request;
    MeasureCost cost;
    for (std::size_t u = 0; u < upgrade_measures.size(); ++u) {
      if (!(mask >> u & 1)) continue;
      const Measure& m = measures[static_cast<std::size_t>(upgrade_measures[u])];
      subset_points[mask] += m.points_gained;
      cost.one_off_yen = checked_add(cost.one_off_yen, m.cost.one_off_yen, "controls");
      apply_measure(t, r, m);
    }
    cost.monthly_yen = added_monthly_fee(t.remediation, *in.request, r);
    subset_cost[mask] = first_year(t, cost);
  }

  // The gain in `earned` each (target, subset) needs; -1 = out of reach.
  std::vector<std::vector<int>> needed(target_tiers.size(), std::vector<int>(subsets, -1));
  int max_needed = 0;
  for (std::size_t k = 0; k < target_tiers.size(); ++k) {
    const std::int64_t threshold = *t.posture.tiers[static_cast<std::size_t>(target_tiers[k])].min_index;
    for (std::size_t mask = 0; mask < subsets; ++mask) {
      std::int64_t gain = 0;
      if (t.posture.floor < threshold) {
        const std::int64_t score = threshold - adjustments - subset_points[mask];
        if (score > max_score) continue;
        gain = std::max<std::int64_t>(0, earned_needed(score, max_score, s.applicable) - s.earned);
      }
      if (gain > total_gain) continue;
      needed[k][mask] = static_cast<int>(gain);
      max_needed = std::max(max_needed, static_cast<int>(gain));
    }
  }

  std::vector<int> gains;
  std::vector<Yen> costs;
  for (int m : item_measures) {
    gains.push_back(measures[static_cast<std::size_t>(m)].points_recovered);
    costs.push_back(measures[static_cast<std::size_t>(m)].cost.first_year_yen);
  }
  const ItemKnapsack knapsack(std::move(gains), std::move(costs), max_needed);

  std::vector<std::optional<std::vector<int>>> out;
  for (std::size_t k = 0; k < target_tiers.size(); ++k) {
    std::optional<SetKey> best;
    std::size_t best_mask = 0;
    for (std::size_t mask = 0; mask < subsets; ++mask) {
      const int gain = needed[k][mask];
      if (gain < 0 || !knapsack.reachable(gain)) continue;
      SetKey key = knapsack.key(gain);
      key.cost += subset_cost[mask];
      key.count += __builtin_popcountll(mask);
      if (!best || key < *best) {
        best = key;
        best_mask = mask;
      }
    }
    if (!best) {
      out.emplace_back();
      continue;
    }
    std::vector<int> set;
    for (int i : knapsack.items(needed[k][best_mask])) set.push_back(item_measures[static_cast<std::size_t>(i)]);
    for (std::size_t u = 0; u < upgrade_measures.size(); ++u)
      if (best_mask >> u & 1) set.push_back(upgrade_measures[u]);
    std::sort(set.begin(), set.end());
    out.emplace_back(std::move(set));
  }
  return out;
}

// ---- JSON ---------------------------------------------------------------------------------
void write_figures(JsonWriter& w, const QuoteFigures& f, const RatingTables& t) {
  w.begin_object();
  w.key("base_cover");
  if (f.base_cover) {
    w.begin_object()
        .key("annual_premium_yen").value(f.base_cover->annual_premium_yen)
        .key("limit_yen").value(f.base_cover->limit_yen)
        .key("monthly_premium_yen").value(f.base_cover->monthly_premium_yen)
        .end_object();
  } else {
    w.null();
  }
  w.key("bundle_plan").value(to_string(f.plan));
  w.key("decision").begin_object().key("codes").begin_array();
  for (DecisionCode c : f.decision) w.value(to_string(c));
  w.end_array().key("outcome").value(to_string(f.decision.outcome)).end_object();
  w.key("insured_cost_yen").value(f.insured_cost_yen);
  w.key("posture_index").value(f.posture_index);
  w.key("posture_index_unfloored").value(f.raw_index);
  w.key("score").value(f.score);
  w.key("tier").value(t.posture.tiers[static_cast<std::size_t>(f.tier)].name);
  w.key("top_up");
  if (f.has_top_up) {
    w.begin_object()
        .key("annual_premium_yen").value(f.top_up_annual_premium_yen)
        .key("monthly_instalment_yen").value(f.monthly_instalment_yen)
        .key("payable_annual_yen").value(f.payable_annual_yen)
        .key("subsidy_yen").value(f.subsidy_yen)
        .end_object();
  } else {
    w.null();
  }
  w.key("unknown_count").value(f.unknown_count);
  w.end_object();
}

const std::string& measure_text(const RatingTables& t, const Measure& m, bool ja) {
  if (m.kind == MeasureKind::kItem) {
    const Item& item = t.questionnaire.items[static_cast<std::size_t>(m.item)];
    return ja ? item.measure_ja : item.measure_en;
  }
  const UpgradeRule& rule = t.remediation.upgrades[static_cast<std::size_t>(m.upgrade)];
  return ja ? rule.measure_ja : rule.measure_en;
}

void write_measure(JsonWriter& w, const Measure& m, std::size_t rank, const RatingTables& t) {
  const bool item = m.kind == MeasureKind::kItem;
  w.begin_object();
  w.key("after");
  write_figures(w, m.after, t);
  w.key("answer_before");
  if (item && m.answer_before != Answer::kUnanswered) w.value(to_string(m.answer_before));
  else w.null();
  w.key("cost").begin_object()
      .key("effort").value(t.remediation.effort_classes[static_cast<std::size_t>(m.cost.effort)].key)
      .key("first_year_yen").value(m.cost.first_year_yen)
      .key("monthly_yen").value(m.cost.monthly_yen)
      .key("one_off_yen").value(m.cost.one_off_yen)
      .end_object();
  w.key("domain");
  if (item) w.value(t.questionnaire.items[static_cast<std::size_t>(m.item)].domain);
  else w.null();
  w.key("endpoints_affected");
  if (item) w.null();
  else w.value(m.endpoints_affected);
  w.key("id").value(m.id(t.questionnaire));
  w.key("kind").value(item ? "item" : "upgrade");
  w.key("measure_en").value(measure_text(t, m, false));
  w.key("measure_ja").value(measure_text(t, m, true));
  w.key("plan_after").value(to_string(m.plan_after));
  w.key("points_gained").value(m.points_gained);
  w.key("points_recovered");
  if (item) w.value(m.points_recovered);
  else w.null();
  w.key("rank").value(static_cast<std::int64_t>(rank));
  w.key("yen_saved").value(m.yen_saved);
  w.end_object();
}

}  // namespace

// ---- public -------------------------------------------------------------------------------
QuoteFigures figures_of(const Quote& q, BundlePlan plan) {
  QuoteFigures f;
  f.score = q.assessment.summary.score;
  f.unknown_count = q.assessment.summary.unknown_count;
  f.raw_index = raw_index_of(q.posture);
  f.posture_index = q.posture.index;
  f.tier = q.posture.tier;
  f.decision = q.decision;
  f.plan = plan;
  f.base_cover = q.base_cover;
  if (q.top_up) {
    f.has_top_up = true;
    f.top_up_annual_premium_yen = q.top_up->annual_premium_yen;
    f.subsidy_yen = q.top_up->subsidy_yen;
    f.payable_annual_yen = q.top_up->payable_annual_yen;
    f.monthly_instalment_yen = q.top_up->monthly_instalment_yen;
  }
  f.insured_cost_yen = f.payable_annual_yen + (f.base_cover ? f.base_cover->annual_premium_yen : 0);
  return f;
}

std::string Measure::id(const Questionnaire& q) const {
  if (kind == MeasureKind::kItem) return q.items[static_cast<std::size_t>(item)].id;
  return std::string(to_string(upgrade));
}

void apply_measure(const RatingTables& t, QuoteRequest& r, const Measure& m) {
  if (m.kind == MeasureKind::kItem) {
    r.answers.answers().at(static_cast<std::size_t>(m.item)) = Answer::kYes;
    return;
  }
  switch (m.upgrade) {
    case UpgradeKind::kUtmManaged:
      r.controls.utm = UtmStatus::kManaged;
      r.bundle_plan = plan_with(t.base_cover, r.bundle_plan, true, false);
      break;
    case UpgradeKind::kEdrManaged:
      if (r.controls.edr.status != EdrStatus::kManaged)
        r.controls.edr.installed_on = settled_installation(t.posture, r.quote_date);
      r.controls.edr.status = EdrStatus::kManaged;
      r.controls.edr.covered_endpoints = r.company.endpoints;
      r.bundle_plan = plan_with(t.base_cover, r.bundle_plan, false, true);
      break;
    case UpgradeKind::kLegacyOsReplaced:
      r.controls.legacy_os_endpoints = 0;
      break;
    case UpgradeKind::kPhishingDrill:
      r.controls.phishing_click_rate = drill_click_rate(t.posture);
      break;
  }
}

RemediationPlan plan_remediation(const Engine& engine, const QuoteRequest& request) {
  RemediationPlan plan;
  const Quote base = engine.quote(request);
  plan.tables = base.tables;
  const RatingTables& t = *plan.tables;
  const RemediationTable& rt = t.remediation;
  plan.baseline = figures_of(base, request.bundle_plan);

  // One working copy, changed for each measure and put back.
  QuoteRequest work = request;
  auto requote = [&](Measure& m) {
    m.plan_after = work.bundle_plan;
    const Quote q = engine.quote(work);
    m.after = figures_of(q, work.bundle_plan);
    m.points_gained = m.after.raw_index - plan.baseline.raw_index;
    m.yen_saved = plan.baseline.insured_cost_yen - m.after.insured_cost_yen;
    m.cost.first_year_yen = first_year(t, m.cost);
  };

  plan.measures.reserve(base.assessment.unmet.size() + kUpgradeKindCount);
  for (const UnmetItem& u : base.assessment.unmet) {
    Measure m;
    m.kind = MeasureKind::kItem;
    m.item = u.item;
    const auto i = static_cast<std::size_t>(u.item);
    m.answer_before = effective_answer(t.questionnaire.items[i], request.security_action, request.answers.answers()[i]);
    m.points_recovered = u.points_lost;
    m.cost.effort = rt.item_effort[i];
    m.cost.one_off_yen = rt.effort_classes[static_cast<std::size_t>(m.cost.effort)].typical_cost_yen;
    Answer& slot = work.answers.answers()[i];
    const Answer saved = slot;
    slot = Answer::kYes;
    requote(m);
    slot = saved;
    plan.measures.push_back(m);
  }
  for (Measure m : upgrade_candidates(t, request)) {
    m.cost.effort = rt.upgrades[static_cast<std::size_t>(m.upgrade)].effort;
    m.cost.one_off_yen = upgrade_one_off(rt, m.upgrade, m.endpoints_affected);
    apply_measure(t, work, m);
    m.cost.monthly_yen = added_monthly_fee(rt, request, work);
    requote(m);
    work.controls = request.controls;
    work.bundle_plan = request.bundle_plan;
    plan.measures.push_back(m);
  }

  // Rank: yen saved, then points gained (both descending); then the cheaper, then the order
  // found (items by points lost, then the upgrades).
  std::stable_sort(plan.measures.begin(), plan.measures.end(), [](const Measure& a, const Measure& b) {
    if (a.yen_saved != b.yen_saved) return a.yen_saved > b.yen_saved;
    if (a.points_gained != b.points_gained) return a.points_gained > b.points_gained;
    return a.cost.first_year_yen < b.cost.first_year_yen;
  });

  std::vector<int> target_tiers;
  for (int k = 1; k <= 2 && base.posture.tier - k >= 0; ++k) target_tiers.push_back(base.posture.tier - k);
  const SearchInput in{&t, &request, &plan.baseline, &base.assessment, &plan.measures};
  const auto sets = cheapest_sets(in, target_tiers);
  for (std::size_t k = 0; k < target_tiers.size(); ++k) {
    TierTarget target;
    target.tier = target_tiers[k];
    if (sets[k]) {
      target.reachable = true;
      target.measures = *sets[k];
      QuoteRequest r = request;
      MeasureCost cost;
      for (int i : target.measures) {
        const Measure& m = plan.measures[static_cast<std::size_t>(i)];
        apply_measure(t, r, m);
        cost.one_off_yen = checked_add(cost.one_off_yen, m.cost.one_off_yen, "controls");
      }
      cost.monthly_yen = added_monthly_fee(rt, request, r);
      target.cost_yen = first_year(t, cost);
      const Quote q = engine.quote(r);
      target.after = figures_of(q, r.bundle_plan);
      // The search reasons about thresholds exactly; the engine must agree.
      if (target.after->tier > target.tier)
        throw std::logic_error("remediation: the cheapest set for tier " + t.posture.tiers[static_cast<std::size_t>(target.tier)].name +
                               " re-quoted to tier " + t.posture.tiers[static_cast<std::size_t>(target.after->tier)].name);
      target.points_gained = target.after->raw_index - plan.baseline.raw_index;
      target.yen_saved = plan.baseline.insured_cost_yen - target.after->insured_cost_yen;
      target.refer_to_accept =
          plan.baseline.decision.outcome == Outcome::kRefer && target.after->decision.outcome == Outcome::kAccept;
    }
    plan.targets.push_back(std::move(target));
  }
  return plan;
}

void write_json(const RemediationPlan& plan, std::string& out) {
  const RatingTables& t = *plan.tables;
  JsonWriter w(out);
  w.begin_object();
  w.key("baseline");
  write_figures(w, plan.baseline, t);
  w.key("engine_version").value(engine_version());
  w.key("measures").begin_array();
  for (std::size_t i = 0; i < plan.measures.size(); ++i) write_measure(w, plan.measures[i], i + 1, t);
  w.end_array();
  w.key("tables").begin_object().key("edition").value(t.edition).key("sha256").value(t.sha256).end_object();
  w.key("targets").begin_array();
  for (const TierTarget& target : plan.targets) {
    w.begin_object();
    w.key("after");
    if (target.after) write_figures(w, *target.after, t);
    else w.null();
    w.key("cost_yen").value(target.cost_yen);
    w.key("measures").begin_array();
    for (int i : target.measures) w.value(plan.measures[static_cast<std::size_t>(i)].id(t.questionnaire));
    w.end_array();
    w.key("points_gained").value(target.points_gained);
    w.key("reachable").value(target.reachable);
    w.key("refer_to_accept").value(target.refer_to_accept);
    w.key("tier").value(t.posture.tiers[static_cast<std::size_t>(target.tier)].name);
    w.key("yen_saved").value(target.yen_saved);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

nlohmann::json to_json(const RemediationPlan& plan) {
  std::string text;
  write_json(plan, text);
  return nlohmann::json::parse(text);
}

std::string remediation_json(const Engine& engine, std::string_view request_text) {
  std::string out;
  write_json(plan_remediation(engine, parse_quote_request_text(request_text, engine.library())), out);
  return out;
}

// ---- batch --------------------------------------------------------------------------------
RemediationSummary summarise(const RemediationPlan& plan) {
  RemediationSummary s;
  s.ok = true;
  s.tier = plan.baseline.tier;
  s.tier_name = plan.tables->posture.tiers[static_cast<std::size_t>(s.tier)].name;
  s.outcome = plan.baseline.decision.outcome;
  s.insured_cost_yen = plan.baseline.insured_cost_yen;
  s.measure_count = plan.measures.size();
  if (!plan.measures.empty()) {
    const Measure& best = plan.measures.front();
    s.best_measure = best.id(plan.tables->questionnaire);
    s.best_yen_saved = best.yen_saved;
    s.best_points_gained = best.points_gained;
    s.best_cost_yen = best.cost.first_year_yen;
  }
  if (!plan.targets.empty()) {
    const TierTarget& next = plan.targets.front();
    s.has_next_tier = true;
    s.next_tier = next.tier;
    s.next_tier_name = plan.tables->posture.tiers[static_cast<std::size_t>(next.tier)].name;
    s.next_tier_reachable = next.reachable;
    s.next_tier_measure_count = next.measures.size();
    s.next_tier_cost_yen = next.cost_yen;
    s.next_tier_yen_saved = next.yen_saved;
    s.next_tier_refer_to_accept = next.refer_to_accept;
  }
  return s;
}

namespace {

template <typename Plan>
std::vector<RemediationSummary> run_batch(std::size_t rows, const RemediationBatchOptions& options, Plan plan_row) {
  detail::check_thread_count(options.threads);
  std::vector<RemediationSummary> out(rows);
  std::vector<std::exception_ptr> failures(rows);
  const std::size_t workers = detail::worker_count(options.threads, rows, 8);
  detail::run_workers(workers, [&](std::size_t w) {
    for (std::size_t i = rows * w / workers; i < rows * (w + 1) / workers; ++i) {
      try {
        out[i] = summarise(plan_row(i));
      } catch (const Error& e) {
        out[i].error = e.what();
        if (options.raise_on_error) failures[i] = std::current_exception();
      } catch (...) {  // not an input error: never swallowed
        failures[i] = std::current_exception();
      }
    }
  });
  for (const auto& f : failures)
    if (f) std::rethrow_exception(f);
  return out;
}

}  // namespace

std::vector<RemediationSummary> plan_remediation_batch(const Engine& engine, const std::vector<QuoteRequest>& requests,
                                                       const RemediationBatchOptions& options) {
  return run_batch(requests.size(), options, [&](std::size_t i) { return plan_remediation(engine, requests[i]); });
}

std::vector<RemediationSummary> plan_remediation_batch_json(const Engine& engine,
                                                            const std::vector<std::string>& request_texts,
                                                            const RemediationBatchOptions& options,
                                                            const JsonReadOptions& read) {
  return run_batch(request_texts.size(), options, [&](std::size_t i) {
    return plan_remediation(engine, parse_quote_request_text(request_texts[i], engine.library(), read));
  });
}

}  // namespace cybercover
