// The remediation plan: hand-computed figures for one company, the exact cheapest set proven
// against brute force over every subset of measures (each subset re-quoted by the engine),
// the bundle-plan rule, the batch, the JSON, the table checks, and the report's safety.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <regex>

#include "cybercover/cybercover.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

using nlohmann::json;
using testing::EditionCopy;

const Engine& engine() { return testing::default_engine(); }
const RatingTables& tables() { return testing::default_tables(); }

int item(const char* id) { return tables().questionnaire.item_index(id); }

const Measure* find_measure(const RemediationPlan& plan, const std::string& id) {
  for (const Measure& m : plan.measures)
    if (m.id(plan.tables->questionnaire) == id) return &m;
  return nullptr;
}

std::vector<std::string> ids_of(const RemediationPlan& plan, const TierTarget& target) {
  std::vector<std::string> ids;
  for (int i : target.measures) ids.push_back(plan.measures[static_cast<std::size_t>(i)].id(plan.tables->questionnaire));
  std::sort(ids.begin(), ids.end());
  return ids;
}

// All 98 items partial (score 500); UTM unmanaged +30, 2 end-of-support PCs -80, click rate
// 0.20 -30: index 420, tier D. Retail, 30 staff, capital ¥10M (an SME), revenue ¥80M (band 2),
// 20 PCs, no plan; liability ¥30M. Refer: LEGACY_OS_UNPROTECTED.
QuoteRequest retailer() {
  QuoteRequest r;
  r.quote_date = *Date::parse("2026-12-15");
  r.company = Company{"retail", 30, 10'000'000, 80'000'000, 20, false};
  r.answers = AnswerSheet(tables().questionnaire, Answer::kPartial);
  r.controls.utm = UtmStatus::kUnmanaged;
  r.controls.legacy_os_endpoints = 2;
  r.controls.phishing_click_rate = 0.20;
  r.top_up = {{"liability", 30'000'000, std::nullopt}};
  return r;
}

TEST(Remediation, ReproducesTheHandComputedPlanOfASmallRetailer) {
  const RemediationPlan plan = plan_remediation(engine(), retailer());
  // Baseline: liability 17,000 x 1.39 x 1.25 (D) x 0.72 = 21,267 -> round10 21,270 = annual.
  EXPECT_EQ(plan.baseline.score, 500);
  EXPECT_EQ(plan.baseline.posture_index, 420);
  EXPECT_EQ(tables().posture.tiers[static_cast<std::size_t>(plan.baseline.tier)].name, "D");
  EXPECT_EQ(plan.baseline.decision.outcome, Outcome::kRefer);
  ASSERT_EQ(plan.baseline.decision.code_count, 1);
  EXPECT_EQ(plan.baseline.decision.codes[0], DecisionCode::kLegacyOsUnprotected);
  EXPECT_EQ(plan.baseline.payable_annual_yen, 21'270);
  EXPECT_EQ(plan.baseline.insured_cost_yen, 21'270);
  ASSERT_EQ(plan.measures.size(), 98u + 4u);  // every item, and all four upgrades

  // Replacing the 2 PCs: +80 -> 500, tier C; no longer referred. 17,000 x 1.39 x 0.72 =
  // 17,013.6 -> 17,010; saves 4,260 for 2 x 150,000.
  const Measure& legacy = plan.measures[0];
  EXPECT_EQ(legacy.id(tables().questionnaire), "legacy_os_replaced");
  EXPECT_EQ(legacy.points_gained, 80);
  EXPECT_EQ(legacy.after.posture_index, 500);
  EXPECT_EQ(legacy.after.decision.outcome, Outcome::kAccept);
  EXPECT_EQ(legacy.after.payable_annual_yen, 17'010);
  EXPECT_EQ(legacy.yen_saved, 4'260);
  EXPECT_EQ(legacy.cost.one_off_yen, 300'000);
  EXPECT_EQ(legacy.cost.first_year_yen, 300'000);
  EXPECT_EQ(legacy.endpoints_affected, 2);

  // The drill: -30 -> +30 = +60, index 480, still D: saves nothing; ranked by its points.
  const Measure& drill = plan.measures[1];
  EXPECT_EQ(drill.id(tables().questionnaire), "phishing_drill");
  EXPECT_EQ(drill.points_gained, 60);
  EXPECT_EQ(drill.yen_saved, 0);
  EXPECT_EQ(drill.cost.first_year_yen, 50'000);

  // Then the 20-point items (+10 each, partial -> yes), the cheap ones first.
  EXPECT_EQ(plan.measures[2].id(tables().questionnaire), "D01.1");
  EXPECT_EQ(plan.measures[3].id(tables().questionnaire), "D22.1");
  EXPECT_EQ(plan.measures[2].points_gained, 10);
  EXPECT_EQ(plan.measures[2].answer_before, Answer::kPartial);
  EXPECT_EQ(plan.measures[2].points_recovered, 10);

  // Managed UTM: +90 -> 510, tier C, accepted (the old PCs sit behind a managed UTM); the plan
  // becomes utm: base cover 450 x 1.00 = 450/month = 5,400/yr. 17,010 + 5,400 - 21,270 =
  // 1,140 more. Cost 10,000 + 12 x 8,000.
  const Measure* utm = find_measure(plan, "utm_managed");
  ASSERT_NE(utm, nullptr);
  EXPECT_EQ(utm->points_gained, 90);
  EXPECT_EQ(utm->plan_after, BundlePlan::kUtm);
  EXPECT_EQ(utm->after.decision.outcome, Outcome::kAccept);
  ASSERT_TRUE(utm->after.base_cover);
  EXPECT_EQ(utm->after.base_cover->annual_premium_yen, 5'400);
  EXPECT_EQ(utm->yen_saved, -1'140);
  EXPECT_EQ(utm->cost.monthly_yen, 8'000);
  EXPECT_EQ(utm->cost.first_year_yen, 106'000);

  // Managed EDR on all 20 PCs, settled: +120 -> 540, C, still referred; plan edr: base cover
  // max(40 x 20, 200) = 800/month = 9,600/yr: 17,010 + 9,600 - 21,270 = 5,340 more.
  const Measure* edr = find_measure(plan, "edr_managed");
  ASSERT_NE(edr, nullptr);
  EXPECT_EQ(edr->points_gained, 120);
  EXPECT_EQ(edr->plan_after, BundlePlan::kEdr);
  EXPECT_EQ(edr->after.decision.outcome, Outcome::kRefer);
  EXPECT_EQ(edr->yen_saved, -5'340);
  EXPECT_EQ(edr->endpoints_affected, 20);
  EXPECT_EQ(edr->cost.first_year_yen, 10'000 + 12 * 20 * 1'000);
  EXPECT_EQ(plan.measures.back().id(tables().questionnaire), "edr_managed");  // saves least

  // Tier C needs +80: the drill (+60) and the two cheap 10-point items: 50,000 + 2 x 10,000.
  // (Cheaper than the UTM at 106,000 or 11 cheap items at 110,000.) Still referred.
  ASSERT_EQ(plan.targets.size(), 2u);
  const TierTarget& c = plan.targets[0];
  EXPECT_EQ(tables().posture.tiers[static_cast<std::size_t>(c.tier)].name, "C");
  EXPECT_TRUE(c.reachable);
  EXPECT_EQ(ids_of(plan, c), (std::vector<std::string>{"D01.1", "D22.1", "phishing_drill"}));
  EXPECT_EQ(c.cost_yen, 70'000);
  ASSERT_TRUE(c.after);
  EXPECT_EQ(c.after->posture_index, 500);
  EXPECT_EQ(c.yen_saved, 4'260);
  EXPECT_FALSE(c.refer_to_accept);
  EXPECT_EQ(tables().posture.tiers[static_cast<std::size_t>(plan.targets[1].tier)].name, "B");
  EXPECT_TRUE(plan.targets[1].reachable);
}

TEST(Remediation, ABestTierCompanyHasNoTargetsAndAFullAnswerSheetNoItems) {
  const RemediationPlan plan = plan_remediation(engine(), testing::worked_example_1(tables()));
  EXPECT_EQ(plan.baseline.tier, 0);
  EXPECT_TRUE(plan.targets.empty());
  // All 98 yes, UTM managed, click rate 0.04: only the EDR's last 3 PCs remain.
  ASSERT_EQ(plan.measures.size(), 1u);
  EXPECT_EQ(plan.measures[0].id(tables().questionnaire), "edr_managed");
  EXPECT_EQ(plan.measures[0].endpoints_affected, 3);
  EXPECT_EQ(plan.measures[0].plan_after, BundlePlan::kUtmEdr);  // already the plan
  EXPECT_EQ(plan.measures[0].cost.monthly_yen, 3'000);         // 3 more PCs at 1,000
  // 45/48 -> 48/48: rhu(112.5) = 113 -> 120.
  EXPECT_EQ(plan.measures[0].points_gained, 7);
}

TEST(Remediation, UpgradesFollowTheBundlePlanRule) {
  QuoteRequest r = retailer();
  r.controls.utm = UtmStatus::kManaged;
  r.controls.edr = EdrControl{EdrStatus::kManaged, 5, Date::parse("2026-12-10")};  // learning, 5 of 20
  r.bundle_plan = BundlePlan::kEdr;
  const RemediationPlan plan = plan_remediation(engine(), r);
  EXPECT_EQ(find_measure(plan, "utm_managed"), nullptr);  // already managed
  const Measure* edr = find_measure(plan, "edr_managed");
  ASSERT_NE(edr, nullptr);
  EXPECT_EQ(edr->plan_after, BundlePlan::kEdr);
  EXPECT_EQ(edr->endpoints_affected, 15);
  EXPECT_EQ(edr->cost.monthly_yen, 15'000);
  // Still learning (installed 5 days ago, kept): rhu(60 x 5/20) = 15 -> 60.
  EXPECT_EQ(edr->points_gained, 45);

  // UTM on an edr plan: utm_edr. A new EDR is priced settled: EDR_MANAGED, not learning.
  QuoteRequest s = retailer();
  s.controls.edr = EdrControl{EdrStatus::kManaged, 20, Date::parse("2026-11-01")};
  s.bundle_plan = BundlePlan::kEdr;
  const RemediationPlan upgraded = plan_remediation(engine(), s);  // named: utm points into it
  const Measure* utm = find_measure(upgraded, "utm_managed");
  ASSERT_NE(utm, nullptr);
  EXPECT_EQ(utm->plan_after, BundlePlan::kUtmEdr);
  EXPECT_EQ(utm->cost.monthly_yen, (8'000 + 20 * 1'000) - 20 * 1'000);

  QuoteRequest fresh = retailer();
  Measure m;
  m.kind = MeasureKind::kUpgrade;
  m.upgrade = UpgradeKind::kEdrManaged;
  apply_measure(tables(), fresh, m);
  EXPECT_EQ(fresh.bundle_plan, BundlePlan::kEdr);
  EXPECT_EQ(fresh.controls.edr.covered_endpoints, 20);
  const Quote q = engine().quote(fresh);
  bool settled = false;
  for (const auto& a : q.posture) settled |= a.code == PostureCode::kEdrManaged && a.points == 120;
  EXPECT_TRUE(settled);
  // The drill lands exactly on the threshold, which counts as low (0.05 <= 0.05).
  m.upgrade = UpgradeKind::kPhishingDrill;
  apply_measure(tables(), fresh, m);
  bool low = false;
  for (const auto& a : engine().quote(fresh).posture) low |= a.code == PostureCode::kPhishingLow;
  EXPECT_TRUE(low);
}

TEST(Remediation, EachMeasureIsTheEnginesOwnRequoteWithEverythingElseUnchanged) {
  std::mt19937_64 rng(7);
  for (int n = 0; n < 30; ++n) {
    const QuoteRequest r = testing::random_request(tables(), rng);
    const RemediationPlan plan = plan_remediation(engine(), r);
    const Quote base = engine().quote(r);
    EXPECT_EQ(plan.baseline.insured_cost_yen,
              (base.top_up ? base.top_up->payable_annual_yen : 0) + (base.base_cover ? base.base_cover->annual_premium_yen : 0));
    EXPECT_EQ(plan.measures.size() - base.assessment.unmet.size(),
              static_cast<std::size_t>(std::count_if(plan.measures.begin(), plan.measures.end(),
                                                     [](const Measure& m) { return m.kind == MeasureKind::kUpgrade; })));
    for (std::size_t i = 0; i < plan.measures.size(); ++i) {
      const Measure& m = plan.measures[i];
      QuoteRequest changed = r;
      apply_measure(tables(), changed, m);
      const Quote q = engine().quote(changed);
      EXPECT_EQ(m.after.tier, q.posture.tier);
      EXPECT_EQ(m.after.posture_index, q.posture.index);
      EXPECT_EQ(m.after.decision.outcome, q.decision.outcome);
      EXPECT_EQ(m.after.payable_annual_yen, q.top_up ? q.top_up->payable_annual_yen : 0);
      EXPECT_EQ(m.yen_saved, plan.baseline.insured_cost_yen - m.after.insured_cost_yen);
      if (i > 0) {  // ranked: yen saved, then points gained, both descending
        const Measure& prev = plan.measures[i - 1];
        EXPECT_TRUE(prev.yen_saved > m.yen_saved || (prev.yen_saved == m.yen_saved && prev.points_gained >= m.points_gained));
      }
    }
  }
}

// ---- optimality against brute force ------------------------------------------------------
// A request with few unmet items (the rest yes, some na so that the score is a rounded ratio),
// random controls and a random plan consistent with them.
QuoteRequest small_case(const RatingTables& t, std::mt19937_64& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
  QuoteRequest r;
  r.quote_date = *Date::parse("2026-12-15");
  r.company = Company{"manufacturing", 1 + pick(80), 10'000'000, 50'000'000 + pick(100) * 10'000'000, 1 + pick(40), false};
  r.answers = AnswerSheet(t.questionnaire, Answer::kYes);
  const std::size_t n = t.questionnaire.items.size();
  for (std::size_t i = 0; i < n; ++i)
    if (t.questionnaire.items[i].allow_na && pick(2)) r.answers.answers()[i] = Answer::kNa;
  const int unmet = 3 + pick(8);
  for (int k = 0; k < unmet; ++k) {
    const std::size_t i = static_cast<std::size_t>(pick(static_cast<int>(n)));
    r.answers.answers()[i] = static_cast<Answer>(2 + pick(3));  // partial, no, unknown
  }
  r.controls.utm = static_cast<UtmStatus>(pick(3));
  r.controls.edr.status = static_cast<EdrStatus>(pick(3));
  if (r.controls.edr.status != EdrStatus::kNone)
    r.controls.edr.covered_endpoints = 1 + pick(static_cast<int>(r.company.endpoints));
  r.controls.edr.installed_on = Date::parse(pick(2) ? "2026-10-01" : "2026-12-01");
  r.controls.legacy_os_endpoints = pick(3) == 0 ? 0 : pick(static_cast<int>(r.company.endpoints) + 1);
  if (pick(3)) r.controls.phishing_click_rate = std::vector<double>{0.0, 0.05, 0.06, 0.15, 0.16, 0.4}[static_cast<std::size_t>(pick(6))];
  r.controls.incidents_3y = pick(4);
  const bool utm = r.controls.utm == UtmStatus::kManaged && pick(2);
  const bool edr = r.controls.edr.status == EdrStatus::kManaged && pick(2);
  r.bundle_plan = utm && edr ? BundlePlan::kUtmEdr : utm ? BundlePlan::kUtm : edr ? BundlePlan::kEdr : BundlePlan::kNone;
  r.top_up = {{"liability", pick(2) ? 50'000'000 : 10'000'000, std::nullopt}, {"response", 10'000'000, std::nullopt}};
  if (pick(2)) r.top_up.pop_back();
  return r;
}

// Random effort classes, costs and service prices (within the caps), so that costs vary.
void randomise_remediation(const EditionCopy& copy, std::mt19937_64& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
  copy.edit("remediation", [&](json& j) {
    for (auto& c : j["effort_classes"]) c["typical_cost_yen"] = 1'000 * (1 + pick(60));
    const std::vector<std::string> classes = {"low", "medium", "high"};
    json groups = {{"low", json::array()}, {"medium", json::array()}, {"high", json::array()}};
    for (const auto& [cls, ids] : j["items"].items())
      for (const auto& id : ids) groups[classes[static_cast<std::size_t>(pick(3))]].push_back(id);
    j["items"] = groups;
    for (auto& [name, u] : j["upgrades"].items()) u["effort"] = classes[static_cast<std::size_t>(pick(3))];
    j["upgrades"]["legacy_os_replaced"]["cost_per_endpoint_yen"] = 1'000 * (1 + pick(40));
    const int utm = 1'000 * pick(11), edr = 100 * pick(21);
    j["service_prices"] = {{"utm", {{"fixed_yen", utm}}},
                           {"edr", {{"per_covered_endpoint_yen", edr}}},
                           {"utm_edr", {{"fixed_yen", std::min(10'000, utm + 1'000 * pick(3))},
                                        {"per_covered_endpoint_yen", std::min(2'000, edr + 100 * pick(3))}}}};
  });
}

TEST(Remediation, TheCheapestSetIsOptimalAgainstBruteForceOverEverySubset) {
  std::mt19937_64 rng(20261215);
  int cases = 0, reachable_targets = 0, unreachable_targets = 0;
  for (int edition = 0; edition < 4; ++edition) {
    EditionCopy copy("brute_" + std::to_string(edition));
    randomise_remediation(copy, rng);
    // Heavier incident points in half the editions, so that some tiers are out of reach.
    copy.edit("posture", [&](json& j) { j["prior_incidents"]["points_per_incident"] = edition % 2 ? -300 : -100; });
    const Engine e(TableLibrary::load(copy.dir()));
    const RatingTables& t = e.tables_for(*Date::parse("2026-12-15"));
    for (int n = 0; n < 30; ++n) {
      const QuoteRequest r = small_case(t, rng);
      const RemediationPlan plan = plan_remediation(e, r);
      ASSERT_LE(plan.measures.size(), 15u);
      // Every subset, re-quoted: the cheapest first-year cost reaching each tier.
      const std::size_t subsets = std::size_t{1} << plan.measures.size();
      std::vector<std::optional<Yen>> cheapest(t.posture.tiers.size());
      for (std::size_t mask = 0; mask < subsets; ++mask) {
        QuoteRequest changed = r;
        Yen one_off = 0;
        for (std::size_t i = 0; i < plan.measures.size(); ++i) {
          if (!(mask >> i & 1)) continue;
          apply_measure(t, changed, plan.measures[i]);
          one_off += plan.measures[i].cost.one_off_yen;
        }
        const Yen monthly = t.remediation.monthly_price_yen(changed.bundle_plan, changed.controls.edr.covered_endpoints) -
                            t.remediation.monthly_price_yen(r.bundle_plan, r.controls.edr.covered_endpoints);
        const Yen cost = one_off + t.base_cover.months_per_year * monthly;
        const int tier = e.quote(changed).posture.tier;
        for (int k = tier; k < static_cast<int>(cheapest.size()); ++k) {  // reaching tier also reaches worse ones
          auto& best = cheapest[static_cast<std::size_t>(k)];
          if (!best || cost < *best) best = cost;
        }
      }
      for (const TierTarget& target : plan.targets) {
        const auto& expected = cheapest[static_cast<std::size_t>(target.tier)];
        EXPECT_EQ(target.reachable, expected.has_value()) << "case " << cases;
        if (!expected || !target.reachable) {
          ++unreachable_targets;
          continue;
        }
        ++reachable_targets;
        EXPECT_EQ(target.cost_yen, *expected) << "case " << cases << " tier " << target.tier;
        ASSERT_TRUE(target.after);
        EXPECT_LE(target.after->tier, target.tier);
      }
      ++cases;
    }
  }
  // The cases exercise both outcomes.
  EXPECT_GT(reachable_targets, 60);
  EXPECT_GT(unreachable_targets, 5);
}

TEST(Remediation, OnFullQuestionnairesNoMeasureCanBeDroppedFromTheCheapestSet) {
  std::mt19937_64 rng(99);
  int checked = 0;
  for (int n = 0; n < 40; ++n) {
    const QuoteRequest r = testing::random_request(tables(), rng);
    const RemediationPlan plan = plan_remediation(engine(), r);
    for (const TierTarget& target : plan.targets) {
      if (!target.reachable) continue;
      // Every cost is positive, so an optimal set has no measure it can do without.
      for (std::size_t drop = 0; drop < target.measures.size(); ++drop) {
        QuoteRequest changed = r;
        for (std::size_t k = 0; k < target.measures.size(); ++k)
          if (k != drop) apply_measure(tables(), changed, plan.measures[static_cast<std::size_t>(target.measures[k])]);
        EXPECT_GT(engine().quote(changed).posture.tier, target.tier);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

// ---- batch and JSON -----------------------------------------------------------------------
TEST(Remediation, TheBatchEqualsTheSinglePlanRowByRowAndCollectsErrors) {
  std::mt19937_64 rng(3);
  std::vector<QuoteRequest> requests;
  for (int n = 0; n < 24; ++n) requests.push_back(testing::random_request(tables(), rng));
  requests[5].company.employees = 0;  // invalid
  for (int threads : {1, 2}) {
    const auto rows = plan_remediation_batch(engine(), requests, {threads, false});
    ASSERT_EQ(rows.size(), requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (i == 5) {
        EXPECT_FALSE(rows[i].ok);
        EXPECT_NE(rows[i].error.find("company.employees"), std::string::npos) << rows[i].error;
        continue;
      }
      const RemediationSummary single = summarise(plan_remediation(engine(), requests[i]));
      EXPECT_TRUE(rows[i].ok);
      EXPECT_EQ(rows[i].best_measure, single.best_measure);
      EXPECT_EQ(rows[i].best_yen_saved, single.best_yen_saved);
      EXPECT_EQ(rows[i].next_tier_cost_yen, single.next_tier_cost_yen);
      EXPECT_EQ(rows[i].next_tier_yen_saved, single.next_tier_yen_saved);
      EXPECT_EQ(rows[i].next_tier_refer_to_accept, single.next_tier_refer_to_accept);
    }
  }
  EXPECT_THROW(plan_remediation_batch(engine(), requests, {2, true}), Error);
  std::vector<std::string> texts = {"{}", R"({"quote_date": "2026-12-15"})"};
  const auto from_text = plan_remediation_batch_json(engine(), texts);
  EXPECT_FALSE(from_text[0].ok);
  EXPECT_NE(from_text[0].error.find("input.missing"), std::string::npos) << from_text[0].error;
}

TEST(Remediation, TheJsonHasEveryMeasureAndTargetAndTextInEqualsStructIn) {
  const RemediationPlan plan = plan_remediation(engine(), retailer());
  std::string text;
  write_json(plan, text);
  const json j = json::parse(text);
  EXPECT_EQ(j.dump(), text);  // keys written sorted, like the quote's JSON
  EXPECT_EQ(to_json(plan), j);
  EXPECT_EQ(j["baseline"]["tier"], "D");
  EXPECT_EQ(j["baseline"]["decision"]["codes"], json::array({"LEGACY_OS_UNPROTECTED"}));
  EXPECT_EQ(j["measures"].size(), 102u);
  EXPECT_EQ(j["measures"][0]["id"], "legacy_os_replaced");
  EXPECT_EQ(j["measures"][0]["kind"], "upgrade");
  EXPECT_EQ(j["measures"][0]["yen_saved"], 4260);
  EXPECT_EQ(j["measures"][0]["rank"], 1);
  EXPECT_EQ(j["measures"][2]["id"], "D01.1");
  EXPECT_EQ(j["measures"][2]["answer_before"], "partial");
  EXPECT_EQ(j["measures"][2]["cost"]["effort"], "low");
  EXPECT_EQ(j["targets"][0]["measures"], json::array({"phishing_drill", "D01.1", "D22.1"}));
  EXPECT_EQ(j["targets"][0]["cost_yen"], 70000);
  EXPECT_EQ(j["targets"][0]["tier"], "C");
  EXPECT_EQ(j["tables"]["sha256"], tables().sha256);

  const std::string request_text = R"({"quote_date": "2026-12-15",
    "company": {"industry": "retail", "employees": 30, "capital_yen": 10000000, "revenue_yen": 80000000, "endpoints": 20},
    "answers": {}, "controls": {"utm": "unmanaged", "edr": {"status": "none"}, "legacy_os_endpoints": 2,
    "phishing_click_rate": 0.2, "incidents_3y": 0}, "bundle_plan": "none",
    "top_up": {"liability": {"limit_yen": 30000000}}})";
  QuoteRequest unanswered = retailer();
  unanswered.answers = AnswerSheet(tables().questionnaire);
  std::string expected;
  write_json(plan_remediation(engine(), unanswered), expected);
  EXPECT_EQ(remediation_json(engine(), request_text), expected);
  EXPECT_THROW(remediation_json(engine(), "{"), Error);
}

// ---- the table ----------------------------------------------------------------------------
void expect_rejected(const std::function<void(json&)>& change, const std::vector<std::string>& parts) {
  EditionCopy copy("remediation_reject");
  copy.edit("remediation", change);
  try {
    load_edition(copy.dir());
    ADD_FAILURE() << "accepted a bad remediation table; expected: " << parts[0];
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTable) << e.what();
    EXPECT_NE(std::string(e.what()).find(copy.file("remediation")), std::string::npos) << e.what();
    for (const auto& part : parts) EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what() << "\nlacks: " << part;
  }
}

TEST(RemediationTable, LoadsTheDefaultEstimates) {
  const RemediationTable& t = tables().remediation;
  ASSERT_EQ(t.effort_classes.size(), 3u);
  EXPECT_EQ(t.effort_classes[0].key, "low");
  EXPECT_EQ(t.effort_classes[0].typical_cost_yen, 10'000);
  EXPECT_EQ(t.item_effort.size(), 98u);
  EXPECT_EQ(t.effort_classes[static_cast<std::size_t>(t.item_effort[static_cast<std::size_t>(item("D01.3"))])].key, "high");
  EXPECT_EQ(t.upgrades[static_cast<std::size_t>(UpgradeKind::kLegacyOsReplaced)].cost_per_endpoint_yen, 150'000);
  EXPECT_EQ(t.monthly_price_yen(BundlePlan::kUtmEdr, 48), 8'000 + 48 * 1'000);
  EXPECT_EQ(t.monthly_price_yen(BundlePlan::kNone, 48), 0);
  EXPECT_EQ(t.reading_for(1000).label_en, "Good");
  EXPECT_EQ(t.reading_for(999).label_en, "Some gaps");
  EXPECT_EQ(t.reading_for(700).label_en, "Some gaps");
  EXPECT_EQ(t.reading_for(499).label_en, "At risk");
  EXPECT_THROW(t.monthly_price_yen(BundlePlan::kEdr, INT64_MAX / 100), Error);
}

TEST(RemediationTable, RejectsBadTablesNamingTheKey) {
  auto drop = [](json& list, const std::string& id) {
    list.erase(std::find(list.begin(), list.end(), id));
  };
  expect_rejected([&](json& j) { drop(j["items"]["medium"], "D08.2"); }, {"items", "missing \"D08.2\"", "one effort class"});
  expect_rejected([](json& j) { j["items"]["low"].push_back("D99.1"); }, {"items.low[65]", "unknown item", "\"D99.1\""});
  expect_rejected([](json& j) { j["items"]["high"].push_back("D01.1"); }, {"items.high[6]", "listed twice", "already in \"low\""});
  expect_rejected([](json& j) { j["items"]["tiny"] = json::array(); }, {"items.tiny", "unknown effort class"});
  expect_rejected([](json& j) { j["effort_classes"][1]["key"] = "low"; }, {"effort_classes[1].key", "duplicate"});
  expect_rejected([](json& j) { j["effort_classes"][0]["typical_cost_yen"] = -1; }, {"effort_classes[0].typical_cost_yen", ">= 0"});
  expect_rejected([](json& j) { j["upgrades"].erase("phishing_drill"); }, {"upgrades.phishing_drill", "missing"});
  expect_rejected([](json& j) { j["upgrades"]["firewall"] = j["upgrades"]["utm_managed"]; }, {"upgrades.firewall", "unknown upgrade"});
  expect_rejected([](json& j) { j["service_prices"]["utm"]["fixed_yen"] = 10'001; }, {"service_prices.utm.fixed_yen", "price cap", "10000"});
  expect_rejected([](json& j) { j["service_prices"]["edr"]["per_covered_endpoint_yen"] = 2'500; },
                  {"service_prices.edr.per_covered_endpoint_yen", "price cap"});
  expect_rejected([](json& j) { j["service_prices"]["utm_edr"]["fixed_yen"] = 7'000; },
                  {"service_prices.utm_edr", "must not be below the price of plan utm"});
  expect_rejected([](json& j) { j["service_prices"]["gold"] = json::object(); }, {"service_prices.gold", "unknown plan"});
  expect_rejected([](json& j) { j["score_readings"][2]["min_score"] = 800; }, {"score_readings[2].min_score", "decrease"});
  expect_rejected([](json& j) { j["score_readings"][3]["min_score"] = 100; }, {"score_readings[3].min_score", "start at 0"});
  expect_rejected([](json& j) { j["score_readings"][0]["min_score"] = 1001; }, {"score_readings[0].min_score", "<= 1000"});
  expect_rejected([](json& j) { j["colour"] = "blue"; }, {"colour", "unknown"});
  EditionCopy copy("remediation_missing");
  std::filesystem::remove(copy.file("remediation"));
  EXPECT_THROW(load_edition(copy.dir()), Error);
}

TEST(RemediationTable, TheSecondEditionsEstimatesApplyFromItsDate) {
  EditionCopy copy("remediation_editions");
  for (const char* table : {"questionnaire", "posture", "underwriting", "base_cover", "top_up", "subsidies", "loss_model", "remediation", "policy"})
    copy.edit(table, [](json& j) { j["effective_to"] = "2027-03-31"; });
  std::filesystem::copy(std::string(CYBERCOVER_TEST_DATA_DIR) + "/editions/2027-04", copy.root() + "/2027-04");
  const Engine e(TableLibrary::load(copy.root()));
  QuoteRequest r = retailer();
  for (const char* date : {"2027-03-31", "2027-04-01"}) {
    r.quote_date = *Date::parse(date);
    const RemediationPlan dated = plan_remediation(e, r);  // named: edr points into it
    const Measure* edr = find_measure(dated, "edr_managed");
    ASSERT_NE(edr, nullptr);
    // 2027-04: EDR at ¥900 a PC (default ¥1,000).
    EXPECT_EQ(edr->cost.monthly_yen, std::string(date) == "2027-03-31" ? 20'000 : 18'000);
  }
}

// ---- the report ---------------------------------------------------------------------------
std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(Report, HasTheScoreTierDecisionChartAndPlanInBothLanguages) {
  const QuoteRequest r = retailer();
  for (ReportLanguage lang : {ReportLanguage::kJa, ReportLanguage::kEn}) {
    ReportOptions o;
    o.language = lang;
    o.company_name = "Kagami Retail";
    const std::string html = report_html(engine(), r, o);
    const bool ja = lang == ReportLanguage::kJa;
    EXPECT_NE(html.find(ja ? "<html lang=\"ja\">" : "<html lang=\"en\">"), std::string::npos);
    EXPECT_NE(html.find("data-score=\"500\""), std::string::npos);
    EXPECT_NE(html.find("data-tier=\"D\""), std::string::npos);
    EXPECT_NE(html.find("data-outcome=\"refer\""), std::string::npos);
    EXPECT_NE(html.find("data-code=\"LEGACY_OS_UNPROTECTED\""), std::string::npos);
    EXPECT_EQ(count_of(html, "<rect class=\"bar "), 24u);
    EXPECT_EQ(count_of(html, "data-percent=\"50\""), 24u);  // all partial
    EXPECT_NE(html.find(ja ? "4,260円" : "¥4,260"), std::string::npos);
    EXPECT_NE(html.find(ja ? "21,270円" : "¥21,270"), std::string::npos);  // liability ¥30M at D, selected
    EXPECT_EQ(count_of(html, "class=\"measure in-set\""), 3u);  // the next-tier set
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(count_of(html, "http"), 1u);  // no link: only the SVG namespace
    EXPECT_NE(html.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
    EXPECT_EQ(html.find("url("), std::string::npos);
  }
}

TEST(Report, TheTopUpTablePricesEveryLimitAsASingleQuoteWould) {
  const QuoteRequest r = retailer();
  const auto options = price_top_up_options(engine(), r);
  EXPECT_EQ(options.size(), 6u + 5u + 3u);
  for (const TopUpOption& o : options) {
    QuoteRequest single = r;
    single.top_up = {{tables().top_up.sections[static_cast<std::size_t>(o.section)].key, o.limit_yen, std::nullopt}};
    const Quote q = engine().quote(single);
    ASSERT_TRUE(q.top_up);
    EXPECT_EQ(q.top_up->sections[0].annual_premium_yen, o.annual_premium_yen);
    EXPECT_EQ(o.selected, o.section == 0 && o.limit_yen == 30'000'000);
  }
  QuoteRequest big = r;
  big.company.capital_yen = 1'000'000'000;
  big.company.employees = 500;
  EXPECT_TRUE(price_top_up_options(engine(), big).empty());  // declined: NOT_SME
}

TEST(Report, MarkupInANameOrATableTextStaysText) {
  ReportOptions o;
  o.company_name = "<script>alert('x')</script> & \"Co\"";
  const std::string html = report_html(engine(), retailer(), o);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;"), std::string::npos);

  EditionCopy copy("report_markup");
  copy.edit("questionnaire", [](json& j) {
    j["items"][0]["measure_ja"] = "<script>document.title='pwned'</script>更新";
    j["domains"][0]["name_ja"] = "<b>更新</b>";
  });
  const Engine e(TableLibrary::load(copy.dir()));
  QuoteRequest r = retailer();
  const std::string marked = report_html(e, r, ReportOptions{});
  EXPECT_EQ(marked.find("<script"), std::string::npos);
  EXPECT_EQ(marked.find("<b>"), std::string::npos);
  EXPECT_NE(marked.find("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;更新"), std::string::npos);
}

TEST(Report, RejectsBadOptionsNamingTheField) {
  ReportOptions o;
  o.company_name = std::string(201, 'a');
  try {
    report_html(engine(), retailer(), o);
    ADD_FAILURE() << "a 201-byte name was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kAboveMaximum);
    EXPECT_EQ(e.field(), "company_name");
  }
  for (const std::string& bad : {std::string("a\nb"), std::string("\xff\xfe"), std::string("\xe3\x81"), std::string("\xc0\xaf")}) {
    o.company_name = bad;
    try {
      validate_report_options(o);
      ADD_FAILURE() << "accepted " << quote_for_message(bad);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kWrongType) << e.what();
      EXPECT_EQ(e.field(), "company_name");
    }
  }
  o.company_name = "株式会社テスト 🏭";
  EXPECT_NO_THROW(validate_report_options(o));
  o.max_measures = -1;
  EXPECT_THROW(validate_report_options(o), Error);
  EXPECT_EQ(parse_report_language("ja"), ReportLanguage::kJa);
  EXPECT_FALSE(parse_report_language("fr"));
}

}  // namespace
}  // namespace cybercover
