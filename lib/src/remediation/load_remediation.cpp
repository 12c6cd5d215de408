// Reads remediation.json. Every item of the questionnaire needs an effort class and every
// upgrade its rule; the typical service prices must respect the お助け隊 caps and must not
// fall when a plan adds a service, so that an upgrade never comes out cheaper than nothing.

#include "remediation/load_remediation.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "cybercover/error.hpp"

namespace cybercover {

namespace {

// Largest typical cost the table may give (¥1 billion): sums over 98 items stay far inside 64 bits.
constexpr std::int64_t kMaxTableYen = 1000000000;

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

namespace detail {

void load_remediation(const JsonCursor& root, RemediationTable& t, const Questionnaire& q, const BaseCoverTable& base) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "effort_classes", "items", "upgrades",
                  "service_prices", "score_readings"});

  // ---- effort classes
  const JsonCursor classes = root.at("effort_classes");
  classes.require_array(1, 64);
  std::vector<std::string> class_keys;
  const std::vector<JsonCursor> classes_elements = classes.elements();
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const JsonCursor c = classes_elements[i];
    c.only_keys({"key", "name_ja", "name_en", "typical_cost_yen"});
    EffortClass e;
    e.key = c.at("key").string();
    if (e.key.empty()) c.at("key").fail_value("must not be empty");
    if (std::find(class_keys.begin(), class_keys.end(), e.key) != class_keys.end())
      c.at("key").fail_value(Rule::kDuplicate, "duplicate effort class");
    e.name_ja = c.at("name_ja").string();
    e.name_en = c.at("name_en").string();
    e.typical_cost_yen = c.at("typical_cost_yen").integer(0, kMaxTableYen);
    class_keys.push_back(e.key);
    t.effort_classes.push_back(std::move(e));
  }
  auto effort_of = [&](const JsonCursor& c) {
    const std::string_view key = c.string_view();
    for (std::size_t i = 0; i < class_keys.size(); ++i)
      if (class_keys[i] == key) return static_cast<int>(i);
    c.fail_value(Rule::kUnknownValue, "must be one of the effort classes above (" + joined(class_keys) + ")");
  };

  // ---- every questionnaire item in exactly one effort class: {class: [item ids]}
  const JsonCursor items = root.at("items");
  items.for_each_member([&](std::string_view key, const JsonCursor& value) {
    if (std::find(class_keys.begin(), class_keys.end(), key) == class_keys.end())
      value.fail(Rule::kUnknownKey, "unknown effort class: expected one of the effort classes above (" + joined(class_keys) + ")");
  });
  t.item_effort.assign(q.items.size(), -1);
  for (std::size_t c = 0; c < class_keys.size(); ++c) {
    const auto list = items.find(class_keys[c]);
    if (!list) continue;  // a class no item is in
    list->require_array(0, q.items.size());
    const std::vector<JsonCursor> list_elements = list->elements();
    for (std::size_t i = 0; i < list->size(); ++i) {
      const JsonCursor id = list_elements[i];
      const int index = q.item_index(id.string_view());
      if (index < 0) id.fail_value(Rule::kUnknownValue, "unknown item: not in questionnaire.json");
      int& slot = t.item_effort[static_cast<std::size_t>(index)];
      if (slot >= 0)
        id.fail_value(Rule::kDuplicate, "item listed twice (already in \"" + class_keys[static_cast<std::size_t>(slot)] + "\")");
      slot = static_cast<int>(c);
    }
  }
  for (std::size_t i = 0; i < q.items.size(); ++i)
    if (t.item_effort[i] < 0)
      items.fail(Rule::kMissing, "missing \"" + q.items[i].id + "\": every item of questionnaire.json must be in one effort class");

  // ---- control upgrades
  const JsonCursor upgrades = root.at("upgrades");
  std::vector<std::string> upgrade_names;
  for (int k = 0; k < kUpgradeKindCount; ++k) upgrade_names.emplace_back(to_string(static_cast<UpgradeKind>(k)));
  upgrades.for_each_member([&](std::string_view key, const JsonCursor& value) {
    if (std::find(upgrade_names.begin(), upgrade_names.end(), key) == upgrade_names.end())
      value.fail(Rule::kUnknownKey, "unknown upgrade: expected one of " + joined(upgrade_names));
  });
  for (int k = 0; k < kUpgradeKindCount; ++k) {
    const JsonCursor u = upgrades.at(upgrade_names[static_cast<std::size_t>(k)]);
    u.only_keys({"effort", "cost_per_endpoint_yen", "measure_ja", "measure_en"});
    UpgradeRule& rule = t.upgrades[static_cast<std::size_t>(k)];
    rule.effort = effort_of(u.at("effort"));
    if (const auto per = u.find("cost_per_endpoint_yen")) rule.cost_per_endpoint_yen = per->integer(0, kMaxTableYen);
    rule.measure_ja = u.at("measure_ja").string();
    rule.measure_en = u.at("measure_en").string();
  }

  // ---- typical service prices, one per offered plan, within the お助け隊 caps
  const JsonCursor prices = root.at("service_prices");
  std::vector<std::string> offered;
  for (BundlePlan plan : {BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr})
    if (base.plans[static_cast<std::size_t>(plan)].offered) offered.emplace_back(to_string(plan));
  prices.for_each_member([&](std::string_view key, const JsonCursor& value) {
    if (std::find(offered.begin(), offered.end(), key) == offered.end())
      value.fail(Rule::kUnknownKey, "unknown plan: expected one of the plans of base_cover.json (" + joined(offered) + ")");
  });
  for (BundlePlan plan : {BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr}) {
    const BasePlan& bp = base.plans[static_cast<std::size_t>(plan)];
    if (!bp.offered) continue;
    const JsonCursor p = prices.at(to_string(plan));
    p.only_keys({"fixed_yen", "per_covered_endpoint_yen"});
    ServicePrice& price = t.service_prices[static_cast<std::size_t>(plan)];
    if (const auto f = p.find("fixed_yen")) price.fixed_yen = f->integer(0, kMaxTableYen);
    if (const auto per = p.find("per_covered_endpoint_yen")) price.per_covered_endpoint_yen = per->integer(0, kMaxTableYen);
    if (price.fixed_yen > bp.cap_fixed_yen)
      p.at("fixed_yen").fail_value(Rule::kInconsistent, "must not exceed the plan's price cap in base_cover.json (" +
                                                            std::to_string(bp.cap_fixed_yen) + ")");
    if (price.per_covered_endpoint_yen > bp.cap_per_covered_endpoint_yen)
      p.at("per_covered_endpoint_yen")
          .fail_value(Rule::kInconsistent, "must not exceed the plan's price cap per covered endpoint in base_cover.json (" +
                                               std::to_string(bp.cap_per_covered_endpoint_yen) + ")");
  }
  // A plan that adds a service costs at least as much as either part, whatever the endpoints.
  const auto both = static_cast<std::size_t>(BundlePlan::kUtmEdr);
  if (base.plans[both].offered) {
    for (BundlePlan part : {BundlePlan::kUtm, BundlePlan::kEdr}) {
      if (!base.plans[static_cast<std::size_t>(part)].offered) continue;
      const ServicePrice& whole = t.service_prices[both];
      const ServicePrice& piece = t.service_prices[static_cast<std::size_t>(part)];
      if (whole.fixed_yen < piece.fixed_yen || whole.per_covered_endpoint_yen < piece.per_covered_endpoint_yen)
        prices.at(to_string(BundlePlan::kUtmEdr)).fail(Rule::kInconsistent, "must not be below the price of plan " + std::string(to_string(part)) +
                                                            " (fixed and per covered endpoint)");
    }
  }

  // ---- readings of the score, best first, down to 0
  const JsonCursor readings = root.at("score_readings");
  readings.require_array(1, 64);
  const std::vector<JsonCursor> readings_elements = readings.elements();
  for (std::size_t i = 0; i < readings.size(); ++i) {
    const JsonCursor r = readings_elements[i];
    r.only_keys({"min_score", "label_ja", "label_en", "reading_ja", "reading_en"});
    ScoreReading reading;
    reading.min_score = static_cast<int>(r.at("min_score").integer(0, q.max_score));
    if (!t.score_readings.empty() && reading.min_score >= t.score_readings.back().min_score)
      r.at("min_score").fail_value(Rule::kNotIncreasing, "min_score must decrease from one reading to the next");
    reading.label_ja = r.at("label_ja").string();
    reading.label_en = r.at("label_en").string();
    reading.reading_ja = r.at("reading_ja").string();
    reading.reading_en = r.at("reading_en").string();
    t.score_readings.push_back(std::move(reading));
  }
  if (t.score_readings.back().min_score != 0)
    readings.element(readings.size() - 1).at("min_score").fail_value("the last reading must start at 0");
}

}  // namespace detail
}  // namespace cybercover
