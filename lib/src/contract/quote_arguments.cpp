#include "contract/quote_arguments.hpp"

#include <algorithm>

#include "contract/field_checks.hpp"
#include "cybercover/error.hpp"
#include "cybercover/underwriting/underwriting.hpp"

namespace cybercover::detail {

namespace {

// The field table, looked up once: check_values runs on every row of a portfolio.
const FieldSpec* const kSpecs = request_fields().data();
const std::int32_t kMinDay = bounds::min_date().day_number();
const std::int32_t kMaxDay = bounds::max_date().day_number();

const FieldSpec& spec(Field f) { return kSpecs[static_cast<std::size_t>(f)]; }

// The JSON path of a fixed field, as an error would name it.
std::string path(Field f) { return std::string(spec(f).json_path); }
FieldPath lazy(Field f) { return FieldPath(spec(f).json_path); }

// The checks of check_values, inline: in bounds costs two comparisons; the message is built
// only for a value out of bounds.
[[gnu::noinline]] [[noreturn]] void out_of_bounds(Field f, std::string_view key, std::int64_t v) {
  check_integer(spec(f), key.empty() ? lazy(f) : keyed_path(f, key), v);
  throw std::logic_error("out_of_bounds: the value is within bounds");
}
inline void bounded(Field f, std::int64_t v, std::string_view key = {}) {
  const FieldSpec& s = spec(f);
  if (v < s.min || v > s.max) out_of_bounds(f, key, v);
}
inline void dated(Field f, Date d) {
  if (d.day_number() < kMinDay || d.day_number() > kMaxDay) check_date(spec(f), lazy(f), d);
}

std::string known_list(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

void check_edr(const QuoteArguments& a) {
  const Controls& c = a.controls;
  if (c.edr.status == EdrStatus::kNone) return;  // covered endpoints and install date are ignored
  if (a.endpoints == 0)
    throw Error(ErrorCode::kEdrWithoutEndpoints, path(Field::kEndpoints),
                "must be at least 1 when an EDR is deployed (controls.edr.status \"" +
                    std::string(to_string(c.edr.status)) + "\")",
                "0");
  if (c.edr.covered_endpoints < 1)
    throw Error(ErrorCode::kEdrWithoutCovered, path(Field::kEdrCoveredEndpoints),
                "must be at least 1 when an EDR is deployed", std::to_string(c.edr.covered_endpoints));
  if (c.edr.covered_endpoints > a.endpoints)
    throw Error(ErrorCode::kCoveredAboveEndpoints, path(Field::kEdrCoveredEndpoints),
                "must not exceed company.endpoints (" + std::to_string(a.endpoints) + ")",
                std::to_string(c.edr.covered_endpoints));
  if (c.edr.status != EdrStatus::kManaged) return;
  if (!c.edr.installed_on)
    throw Error(ErrorCode::kMissing, path(Field::kEdrInstalledOn), "is required for a managed EDR");
  if (*c.edr.installed_on > a.quote_date)
    throw Error(ErrorCode::kInstalledAfterQuoteDate, path(Field::kEdrInstalledOn),
                "must not be after quote_date (" + a.quote_date.to_string() + ")",
                quote_for_message(c.edr.installed_on->to_string()));
}

void check_plan(const BaseCoverTable& table, const QuoteArguments& a) {
  const std::string name(to_string(a.bundle_plan));
  if (a.bundle_plan == BundlePlan::kNone) {
    if (a.service_monthly_price_yen)
      throw Error(ErrorCode::kServicePriceWithoutPlan, path(Field::kServiceMonthlyPrice),
                  "is only allowed with a bundle plan, but bundle_plan is \"none\"",
                  std::to_string(*a.service_monthly_price_yen));
    return;
  }
  const BasePlan& p = table.plans[static_cast<std::size_t>(a.bundle_plan)];
  if (p.requires_managed_utm && a.controls.utm != UtmStatus::kManaged)
    throw Error(ErrorCode::kPlanRequiresManagedUtm, path(Field::kBundlePlan),
                "includes a managed UTM, but controls.utm is \"" + std::string(to_string(a.controls.utm)) + "\"",
                quote_for_message(name));
  if (p.requires_managed_edr && a.controls.edr.status != EdrStatus::kManaged)
    throw Error(ErrorCode::kPlanRequiresManagedEdr, path(Field::kBundlePlan),
                "includes a managed EDR, but controls.edr.status is \"" +
                    std::string(to_string(a.controls.edr.status)) + "\"",
                quote_for_message(name));
}

void resolve_covers(const TopUpTable& table, QuoteArguments& a) {
  a.selections = ResolvedSelections();
  if (a.covers.empty()) return;
  for (QuoteArguments::Cover& c : a.covers) {
    if (c.section < 0) c.section = table.section_index(c.key);
    if (c.section < 0) {
      std::vector<std::string> keys;
      for (const Section& s : table.sections) keys.push_back(s.key);
      throw Error(ErrorCode::kUnknownSection, "top_up." + std::string(c.key),
                  "no such section (offered: " + known_list(keys) + ")");
    }
  }
  // Sections are checked, priced and reported in table order, whatever order the request used.
  auto by_section = [](const auto& x, const auto& y) { return x.section < y.section; };
  if (!std::is_sorted(a.covers.begin(), a.covers.end(), by_section)) std::sort(a.covers.begin(), a.covers.end(), by_section);
  for (std::size_t i = 0; i < a.covers.size(); ++i) {
    const QuoteArguments::Cover& c = a.covers[i];
    const std::string& key = table.sections[static_cast<std::size_t>(c.section)].key;
    if (i > 0 && a.covers[i - 1].section == c.section)
      throw Error(ErrorCode::kDuplicateField, "top_up." + key, "section selected twice");
    a.selections.push_back(resolve_selection(table, c.section, c.limit_yen, c.deductible_yen));
  }
}

}  // namespace

int resolve_industry(const UnderwritingTable& table, std::string_view key) {
  const int index = table.industry_index(key);
  if (index < 0) {
    std::vector<std::string> keys;
    for (const Industry& i : table.industries) keys.push_back(i.key);
    throw Error(ErrorCode::kUnknownIndustry, path(Field::kIndustry), "unknown industry (known: " + known_list(keys) + ")",
                quote_for_message(key));
  }
  return index;
}

// An enum of a C++ struct holds what was cast into it: only its values pass.
template <typename E>
inline void check_enum(Field f, E value, E max) {
  if (static_cast<unsigned>(value) > static_cast<unsigned>(max)) throw_bad_code(spec(f), lazy(f), static_cast<unsigned>(value));
}

void check_values(const QuoteArguments& a) {
  dated(Field::kQuoteDate, a.quote_date);
  bounded(Field::kEmployees, a.employees);
  bounded(Field::kCapitalYen, a.capital_yen);
  bounded(Field::kRevenueYen, a.revenue_yen);
  bounded(Field::kEndpoints, a.endpoints);
  check_enum(Field::kSecurityAction, a.security_action, SecurityAction::kTwoStar);
  const Controls& c = a.controls;
  check_enum(Field::kUtm, c.utm, UtmStatus::kManaged);
  check_enum(Field::kEdrStatus, c.edr.status, EdrStatus::kManaged);
  if (c.edr.status != EdrStatus::kNone || c.edr.covered_endpoints != 0) bounded(Field::kEdrCoveredEndpoints, c.edr.covered_endpoints);
  if (c.edr.installed_on) dated(Field::kEdrInstalledOn, *c.edr.installed_on);
  bounded(Field::kLegacyOsEndpoints, c.legacy_os_endpoints);
  if (c.phishing_click_rate) {
    const double r = *c.phishing_click_rate;
    if (!(r >= 0.0 && r <= 1.0)) check_number(spec(Field::kPhishingClickRate), lazy(Field::kPhishingClickRate), r);  // NaN too
  }
  bounded(Field::kIncidents3y, c.incidents_3y);
  check_enum(Field::kBundlePlan, a.bundle_plan, BundlePlan::kUtmEdr);
  for (const QuoteArguments::Cover& cover : a.covers) {
    bounded(Field::kTopUpLimit, cover.limit_yen, cover.key);
    if (cover.deductible_yen) bounded(Field::kTopUpDeductible, *cover.deductible_yen, cover.key);
  }
  if (a.service_monthly_price_yen) bounded(Field::kServiceMonthlyPrice, *a.service_monthly_price_yen);
  if (a.prior_annual_premium_yen) bounded(Field::kPriorAnnualPremium, *a.prior_annual_premium_yen);
}

void check_industry(const RatingTables& t, QuoteArguments& a) {
  if (a.industry < 0 || static_cast<std::size_t>(a.industry) >= t.underwriting.industries.size())
    a.industry = resolve_industry(t.underwriting, a.industry_key);
}

void check_cover(const RatingTables& t, QuoteArguments& a) {
  if (a.bundle_plan != BundlePlan::kNone && !t.base_cover.plans[static_cast<std::size_t>(a.bundle_plan)].offered)
    throw Error(ErrorCode::kPlanNotOffered, path(Field::kBundlePlan),
                "is not offered in this edition (offered: " + known_list(allowed_values(t, Field::kBundlePlan)) + ")",
                quote_for_message(to_string(a.bundle_plan)));
  resolve_covers(t.top_up, a);
  if (!a.subsidy_program_id) {
    a.subsidy_program = nullptr;
  } else if (!a.subsidy_program) {  // not resolved by the door (the batch resolves it once per edition)
    a.subsidy_program = t.find_subsidy(*a.subsidy_program_id);
    if (!a.subsidy_program)
      throw Error(ErrorCode::kUnknownSubsidyProgram, path(Field::kSubsidyProgram),
                  "unknown programme (known: " + known_list(allowed_values(t, Field::kSubsidyProgram)) + ")",
                  quote_for_message(*a.subsidy_program_id));
  }
}

void check_rules(const RatingTables& t, const QuoteArguments& a, int applicable_points) {
  const Controls& c = a.controls;
  sme_category_of(t.underwriting, a.industry, a.rubber_products);  // rubber products with another industry
  check_edr(a);
  if (c.legacy_os_endpoints > a.endpoints)
    throw Error(ErrorCode::kLegacyAboveEndpoints, path(Field::kLegacyOsEndpoints),
                "must not exceed company.endpoints (" + std::to_string(a.endpoints) + ")",
                std::to_string(c.legacy_os_endpoints));
  check_plan(t.base_cover, a);
  if (applicable_points == 0)
    throw Error(ErrorCode::kNoApplicableItem, "answers", "no item is applicable: every item was answered \"na\"");
}

}  // namespace cybercover::detail
