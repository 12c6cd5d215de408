#include "cybercover/contract/request_contract.hpp"

#include <algorithm>

#include "cybercover/error.hpp"
#include "cybercover/tables/rating_tables.hpp"

namespace cybercover {

namespace {

std::vector<FieldSpec> make_fields() {
  using T = FieldType;
  using S = ValueSource;
  std::vector<FieldSpec> f;
  auto add = [&](FieldSpec spec) { f.push_back(std::move(spec)); };
  add({Field::kQuoteDate, "quote_date", "quote_date", T::kDate, true, "", 0, 0, bounds::kMinDateText,
       bounds::kMaxDateText, {}, S::kBounds,
       "The day of the quote; picks the edition in force that day. CSV: the column, or --date for "
       "every row; DataFrame: the column, or the quote_date= argument."});
  add({Field::kIndustry, "company.industry", "industry", T::kTableKey, true, "", 0, 0, {}, {}, {},
       S::kIndustries, "The company's industry, a key of underwriting.json."});
  add({Field::kEmployees, "company.employees", "employees", T::kInteger, true, "", 1, bounds::kMaxEmployees,
       {}, {}, {}, S::kBounds, "Number of employees (staff), for the SME test and the size bands."});
  add({Field::kCapitalYen, "company.capital_yen", "capital_yen", T::kInteger, true, "", 0, bounds::kMaxYen,
       {}, {}, {}, S::kBounds, "Paid-in capital in yen, for the SME test."});
  add({Field::kRevenueYen, "company.revenue_yen", "revenue_yen", T::kInteger, true, "", 0, bounds::kMaxYen,
       {}, {}, {}, S::kBounds, "Annual revenue in yen: the top-up's revenue band and the revenue limit."});
  add({Field::kEndpoints, "company.endpoints", "endpoints", T::kInteger, true, "", 0, bounds::kMaxEndpoints,
       {}, {}, {}, S::kBounds, "PCs and servers the company runs."});
  add({Field::kRubberProducts, "company.rubber_products", "rubber_products", T::kBoolean, false, "false", 0, 0,
       {}, {}, {}, S::kBounds,
       "A manufacturer of rubber products (its own SME category); true only with an industry that has one."});
  add({Field::kSecurityAction, "security_action", "security_action", T::kLabel, false, "none", 0, 0, {}, {},
       {"none", "one_star", "two_star"}, S::kSpellings,
       "The SECURITY ACTION declaration; one_star and two_star answer their tagged items yes."});
  add({Field::kAnswer, "answers.{item}", "{item}", T::kAnswer, false, "unanswered (scores 0, counts as unknown)",
       0, 0, {}, {}, {"yes", "partial", "no", "unknown", "na"}, S::kItems,
       "The answer to one questionnaire item, by its id (D01.1 ... D24.4); na only where the item allows it. "
       "Columns: empty = unanswered; a numeric answers matrix holds codes 0 (unanswered) to 5 (na)."});
  add({Field::kUtm, "controls.utm", "utm", T::kLabel, true, "", 0, 0, {}, {}, {"none", "unmanaged", "managed"},
       S::kSpellings, "The UTM: none, a device nobody monitors (unmanaged), or a managed service."});
  add({Field::kEdrStatus, "controls.edr.status", "edr_status", T::kLabel, true, "", 0, 0, {}, {},
       {"none", "self_managed", "managed"}, S::kSpellings, "The EDR: none, run by the company itself, or managed."});
  add({Field::kEdrCoveredEndpoints, "controls.edr.covered_endpoints", "edr_covered_endpoints", T::kInteger, false,
       "0 (required when the EDR status is not none)", 0, bounds::kMaxEndpoints, {}, {}, {}, S::kBounds,
       "Endpoints the EDR covers: at least 1 with an EDR, at most company.endpoints."});
  add({Field::kEdrInstalledOn, "controls.edr.installed_on", "edr_installed_on", T::kDate, false,
       "required for a managed EDR, ignored otherwise", 0, 0, bounds::kMinDateText, bounds::kMaxDateText, {},
       S::kBounds, "When the managed EDR was installed; not after the quote date (d < 30 days: learning)."});
  add({Field::kLegacyOsEndpoints, "controls.legacy_os_endpoints", "legacy_os_endpoints", T::kInteger, true, "", 0,
       bounds::kMaxEndpoints, {}, {}, {}, S::kBounds, "Endpoints on an end-of-support OS; at most company.endpoints."});
  add({Field::kPhishingClickRate, "controls.phishing_click_rate", "phishing_click_rate", T::kNumber, false,
       "not measured", 0, 0, "0", "1", {}, S::kBounds,
       "Share of phishing-drill recipients who clicked, compared as the decimal written (0.05 <= 0.05)."});
  add({Field::kIncidents3y, "controls.incidents_3y", "incidents_3y", T::kInteger, true, "", 0, bounds::kMaxIncidents,
       {}, {}, {}, S::kBounds, "Security incidents in the last three years."});
  add({Field::kBundlePlan, "bundle_plan", "bundle_plan", T::kLabel, true, "", 0, 0, {}, {},
       {"none", "utm", "edr", "utm_edr"}, S::kBundlePlans,
       "The bundle the company subscribes to; every plan but none carries the base cover and implies its controls."});
  add({Field::kTopUpLimit, "top_up.{section}.limit_yen", "{section}_limit_yen", T::kInteger, false,
       "section not selected (JSON: required inside a selected section; columns: empty or 0)", 0,
       bounds::kMaxCoverYen, {}, {}, {}, S::kLimits, "The selected limit of a top-up section: one of its table rows."});
  add({Field::kTopUpDeductible, "top_up.{section}.deductible_yen", "{section}_deductible_yen", T::kInteger, false,
       "the section's default deductible", 0, bounds::kMaxCoverYen, {}, {}, {}, S::kDeductibles,
       "The selected deductible of a top-up section: one of its table rows."});
  add({Field::kSubsidyProgram, "subsidy_program", "subsidy_program", T::kTableKey, false,
       "no programme (CSV: --subsidy; DataFrame: the subsidy_program= argument)", 0, 0, {}, {}, {},
       S::kSubsidyPrograms, "A premium-subsidy programme of subsidies.json."});
  add({Field::kServiceMonthlyPrice, "service_monthly_price_yen", "service_monthly_price_yen", T::kInteger, false,
       "not given", 0, bounds::kMaxMonthlyPriceYen, {}, {}, {}, S::kBounds,
       "The bundle service's own monthly price to the customer, checked against the price cap; only with a plan."});
  add({Field::kPriorAnnualPremium, "prior_annual_premium_yen", "prior_annual_premium_yen", T::kInteger, false,
       "not a renewal", 1, bounds::kMaxYen, {}, {}, {}, S::kBounds,
       "A renewal: the top-up's annual premium of the prior year (before subsidy). An edition with a renewal cap "
       "(top_up.json renewal_cap) keeps the new annual premium within its maximum increase and decrease of it."});
  return f;
}

std::string expand(std::string_view pattern, std::string_view key) {
  std::string out(pattern);
  for (const char* placeholder : {"{item}", "{section}"}) {
    const auto at = out.find(placeholder);
    if (at != std::string::npos) out.replace(at, std::string_view(placeholder).size(), key);
  }
  return out;
}

}  // namespace

const char* to_string(FieldType type) noexcept {
  switch (type) {
    case FieldType::kDate: return "date";
    case FieldType::kInteger: return "integer";
    case FieldType::kNumber: return "number";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kLabel: return "label";
    case FieldType::kTableKey: return "table key";
    case FieldType::kAnswer: return "answer";
  }
  return "";
}

namespace bounds {
Date min_date() {
  static const Date d = *Date::parse(kMinDateText);
  return d;
}
Date max_date() {
  static const Date d = *Date::parse(kMaxDateText);
  return d;
}
}  // namespace bounds

const std::vector<FieldSpec>& request_fields() {
  static const std::vector<FieldSpec> fields = make_fields();
  return fields;
}

const FieldSpec& field_spec(Field field) { return request_fields()[static_cast<std::size_t>(field)]; }

std::string json_path(Field field, std::string_view key) { return expand(field_spec(field).json_path, key); }
std::string column_name(Field field, std::string_view key) { return expand(field_spec(field).column, key); }

std::string column_for_field(std::string_view path) {
  for (const FieldSpec& f : request_fields())
    if (f.json_path == path) return std::string(f.column);
  constexpr std::string_view kAnswers = "answers.", kTopUp = "top_up.";
  if (path.substr(0, kAnswers.size()) == kAnswers) return std::string(path.substr(kAnswers.size()));
  if (path.substr(0, kTopUp.size()) == kTopUp) {
    std::string_view rest = path.substr(kTopUp.size());
    const auto dot = rest.find('.');
    const std::string_view section = rest.substr(0, dot);
    if (dot == std::string_view::npos || rest.substr(dot + 1) == "limit_yen") return column_name(Field::kTopUpLimit, section);
    if (rest.substr(dot + 1) == "deductible_yen") return column_name(Field::kTopUpDeductible, section);
  }
  return "";
}

std::vector<std::string> allowed_values(const RatingTables& t, Field field, std::string_view key) {
  std::vector<std::string> out;
  const FieldSpec& spec = field_spec(field);
  auto amounts = [&](bool limits) {
    const int s = t.top_up.section_index(key);
    if (s < 0) return;
    const Section& sec = t.top_up.sections[static_cast<std::size_t>(s)];
    for (const LimitOption& o : limits ? sec.limits : sec.deductibles) out.push_back(std::to_string(o.amount_yen));
  };
  switch (spec.source) {
    case ValueSource::kBounds:
      break;
    case ValueSource::kSpellings:
      for (std::string_view s : spec.spellings) out.emplace_back(s);
      break;
    case ValueSource::kIndustries:
      for (const Industry& i : t.underwriting.industries) out.push_back(i.key);
      break;
    case ValueSource::kBundlePlans:
      out.emplace_back("none");
      for (BundlePlan p : {BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr})
        if (t.base_cover.plans[static_cast<std::size_t>(p)].offered) out.emplace_back(to_string(p));
      break;
    case ValueSource::kSubsidyPrograms:
      for (const SubsidyProgram& p : t.subsidies) out.push_back(p.id);
      break;
    case ValueSource::kLimits:
      amounts(true);
      break;
    case ValueSource::kDeductibles:
      amounts(false);
      break;
    case ValueSource::kItems: {
      const int i = t.questionnaire.item_index(key);
      if (i < 0) break;
      const bool na = t.questionnaire.items[static_cast<std::size_t>(i)].allow_na;
      for (std::string_view s : spec.spellings)
        if (s != "na" || na) out.emplace_back(s);
      break;
    }
  }
  return out;
}

std::vector<std::string> portfolio_columns(const RatingTables& t) {
  std::vector<std::string> out{"id"};
  for (const FieldSpec& f : request_fields()) {
    if (f.field == Field::kAnswer) {
      for (const Item& item : t.questionnaire.items) out.push_back(item.id);
    } else if (f.field == Field::kTopUpLimit || f.field == Field::kTopUpDeductible) {
      if (f.field == Field::kTopUpDeductible) continue;  // listed with its limit below
      for (const Section& s : t.top_up.sections) {
        out.push_back(column_name(Field::kTopUpLimit, s.key));
        out.push_back(column_name(Field::kTopUpDeductible, s.key));
      }
    } else {
      out.emplace_back(f.column);
    }
  }
  return out;
}

}  // namespace cybercover
