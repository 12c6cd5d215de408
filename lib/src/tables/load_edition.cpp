// Loads one edition directory and validates every table against the others. Errors name the
// file and the key: "rating_tables/2026-12/top_up.json: sections[1].limits[2].factor: ...".

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "cybercover/contract/request_contract.hpp"
#include "cybercover/error.hpp"
#include "cybercover/fixed_list.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "detail/json_cursor.hpp"
#include "detail/json_doc.hpp"
#include "detail/sha256.hpp"
#include "loss/load_loss_model.hpp"
#include "remediation/load_remediation.hpp"
#include "tables/compiled_questionnaire.hpp"
#include "tables/premium_bounds.hpp"
#include "tables/table_files.hpp"

namespace cybercover {

namespace {

namespace fs = std::filesystem;

// Upper bounds on every list of a table (docs/tables.md): far above any real product, low
// enough that no check of a hostile file is slow.
namespace limits {
constexpr std::size_t kMaxDomains = 99;  // numbered 1..99
constexpr std::size_t kMaxItems = 10000;
constexpr std::size_t kMaxTiers = 16;
constexpr std::size_t kMaxSmeCategories = 64;
constexpr std::size_t kMaxIndustries = 1000;
constexpr std::size_t kMaxBands = 64;         // employee bands, revenue bands
constexpr std::size_t kMaxOptionRows = 64;    // limits and deductibles of a section
constexpr std::size_t kMaxSubsidyPrograms = 256;
// Every amount of yen in a table, like every amount in a request (bounds::kMaxYen).
constexpr std::int64_t kMaxTableYen = bounds::kMaxYen;
constexpr std::int64_t kMaxPoints = 1'000'000;      // one posture adjustment
constexpr std::int64_t kMaxIndex = 1'000'000'000'000;  // tier minimums and the index floor
constexpr std::int64_t kMaxCount = 1'000'000'000'000;  // band edges, thresholds of counts
// A factor is a positive 4-place decimal up to this.
constexpr Decimal4 kMaxFactor = Decimal4::from_integer(1000);
}  // namespace limits

using detail::JsonCursor;
using detail::JsonDoc;
using detail::Rule;

struct TableFile {
  std::string relative_path;  // within the edition directory, '/' separated
  std::string display_path;   // as the user named it, for errors
  std::string bytes;
  JsonDoc document;  // views into `bytes`
};

constexpr const char* kTableNames[] = {"questionnaire", "posture",   "underwriting", "base_cover",
                                       "top_up",        "subsidies", "loss_model",   "remediation"};

JsonCursor root_of(const TableFile& f) {
  return JsonCursor(f.document, ErrorKind::kTable, f.display_path);
}

// Reads an object keyed by the given names exactly (no name missing, none extra). `source`
// says where the names come from (e.g. "the industries of underwriting.json"), since a
// mismatch may be the other file's fault.
template <typename T, typename ReadValue>
std::vector<T> read_keyed(const JsonCursor& c, const std::vector<std::string>& names, const std::string& source,
                          ReadValue read_value) {
  auto expected = [&] {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  };
  // One pass over the members and hashed names: linear however long both lists are.
  std::unordered_map<std::string_view, std::size_t> position;
  position.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) position.emplace(names[i], i);
  std::vector<std::optional<JsonCursor>> given(names.size());
  c.for_each_member([&](std::string_view key, const JsonCursor& value) {
    const auto it = position.find(key);
    if (it == position.end())
      value.fail(Rule::kUnknownKey, "unknown key: expected one of " + source + " (" + expected() + ")");
    if (!value.is_null()) given[it->second] = value;
  });
  std::vector<T> out;
  out.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!given[i])
      c.fail(Rule::kMissing, "missing \"" + names[i] + "\": must give a value for each of " + source + " (" + expected() + ")");
    out.push_back(read_value(*given[i]));
  }
  return out;
}

Decimal4 positive_factor(const JsonCursor& c) {
  if (c.finite_double() <= 0) c.fail_value(Rule::kBelowMinimum, "must be a positive factor");
  return c.decimal4(Decimal4::from_scaled(1), limits::kMaxFactor);
}

Yen yen(const JsonCursor& c) { return c.integer(0, limits::kMaxTableYen); }
std::int64_t points(const JsonCursor& c) { return c.integer(-limits::kMaxPoints, limits::kMaxPoints); }

// ---- questionnaire ----------------------------------------------------------------------
void load_questionnaire(const JsonCursor& root, Questionnaire& q) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "max_score",
                  "answer_credits", "domains", "items"});
  q.max_score = static_cast<int>(root.at("max_score").integer(1, 65535));

  const JsonCursor credits = root.at("answer_credits");
  credits.only_keys({"yes", "partial", "no", "unknown"});
  for (Answer a : {Answer::kYes, Answer::kPartial, Answer::kNo, Answer::kUnknown}) {
    const JsonCursor c = credits.at(std::string(to_string(a)));
    q.credit[static_cast<int>(a)] = c.decimal4(Decimal4::from_integer(0), Decimal4::from_integer(1));
  }

  const JsonCursor domains = root.at("domains");
  domains.require_array(1, limits::kMaxDomains);
  std::set<std::string> domain_keys;
  const std::vector<JsonCursor> domains_elements = domains.elements();
  for (std::size_t i = 0; i < domains.size(); ++i) {
    const JsonCursor d = domains_elements[i];
    d.only_keys({"number", "key", "name_ja", "name_en"});
    Domain domain;
    domain.number = static_cast<int>(d.at("number").integer(1, 99));
    if (!q.domains.empty() && domain.number <= q.domains.back().number)
      d.at("number").fail_value(Rule::kNotIncreasing, "domain numbers must be unique and increasing");
    domain.key = d.at("key").string();
    if (!domain_keys.insert(domain.key).second) d.at("key").fail_value(Rule::kDuplicate, "duplicate domain key");
    domain.name_ja = d.at("name_ja").string();
    domain.name_en = d.at("name_en").string();
    q.domains.push_back(std::move(domain));
  }

  const JsonCursor items = root.at("items");
  items.require_array(1, limits::kMaxItems);
  std::set<std::string> ids;
  std::set<std::int64_t> ipa_numbers;
  const std::vector<JsonCursor> items_elements = items.elements();
  for (std::size_t i = 0; i < items.size(); ++i) {
    const JsonCursor it = items_elements[i];
    it.only_keys({"id", "domain", "points", "ipa_no", "allow_na", "security_action",
                  "question_ja", "question_en", "measure_ja", "measure_en"});
    Item item;
    item.id = it.at("id").string();
    if (!ids.insert(item.id).second) it.at("id").fail_value(Rule::kDuplicate, "duplicate item id");
    item.domain = static_cast<int>(it.at("domain").integer());
    if (q.domain_index(item.domain) < 0) it.at("domain").fail_value("unknown domain");
    // The id spells the domain and the item number: "D07.3" (two-digit domain, no leading 0).
    const std::string& id = item.id;
    int id_domain = -1, id_number = 0;
    bool well_formed = id.size() >= 5 && id.size() <= 7 && id[0] == 'D' && id[3] == '.' &&
                       std::isdigit(static_cast<unsigned char>(id[1])) &&
                       std::isdigit(static_cast<unsigned char>(id[2])) && id[4] != '0';
    for (std::size_t k = 4; well_formed && k < id.size(); ++k) {
      well_formed = std::isdigit(static_cast<unsigned char>(id[k])) != 0;
      id_number = id_number * 10 + (id[k] - '0');
    }
    if (well_formed) id_domain = (id[1] - '0') * 10 + (id[2] - '0');
    if (!well_formed || id_domain != item.domain)
      it.at("id").fail_value("must be \"Dnn.m\" with nn the item's domain number");
    item.number = id_number;
    if (!q.items.empty()) {
      const Item& prev = q.items.back();
      if (std::make_pair(item.domain, item.number) <= std::make_pair(prev.domain, prev.number))
        it.at("id").fail_value(Rule::kNotIncreasing, "items must be listed in domain then item order");
    }
    const JsonCursor points = it.at("points");
    item.points = static_cast<int>(points.integer(1, 10000));
    if (item.points % 2 != 0) points.fail_value("must be an even number of points");
    for (Answer a : {Answer::kYes, Answer::kPartial, Answer::kNo, Answer::kUnknown}) {
      if ((item.points * q.credit[static_cast<int>(a)].scaled()) % Decimal4::kScale != 0)
        points.fail_value("times the " + std::string(to_string(a)) +
                          " credit must give whole points");
    }
    if (const auto ipa = it.find("ipa_no")) {
      item.ipa_no = static_cast<int>(ipa->integer(1, 25));
      if (!ipa_numbers.insert(*item.ipa_no).second) ipa->fail_value(Rule::kDuplicate, "duplicate ipa_no");
    }
    if (const auto na = it.find("allow_na")) item.allow_na = na->boolean();
    if (const auto sa = it.find("security_action")) {
      const auto tag = parse_security_action(sa->string());
      if (!tag || *tag == SecurityAction::kNone) sa->fail_value("must be \"one_star\" or \"two_star\"");
      item.security_action = *tag;
    }
    item.question_ja = it.at("question_ja").string();
    item.question_en = it.at("question_en").string();
    item.measure_ja = it.at("measure_ja").string();
    item.measure_en = it.at("measure_en").string();
    q.total_points += item.points;
    q.items.push_back(std::move(item));
  }
  if (q.items.empty()) items.fail("must list at least one item");
  std::vector<int> count_of_domain(100, 0);  // domain numbers are 1-99
  for (std::size_t i = 0; i < q.items.size(); ++i) {
    const Item& item = q.items[i];
    if (item.number != ++count_of_domain[static_cast<std::size_t>(item.domain)])
      items_elements[i].at("id").fail_value(Rule::kNotIncreasing, "item numbers must run 1, 2, 3... within a domain");
  }
  if (q.total_points != q.max_score)
    items.fail(Rule::kInconsistent, "item points sum to " + std::to_string(q.total_points) + ", must sum to max_score " +
               std::to_string(q.max_score));
}

// ---- posture ----------------------------------------------------------------------------
void load_posture(const JsonCursor& root, PostureTable& p) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "utm", "edr",
                  "legacy_os_points", "phishing", "prior_incidents", "index_floor", "tiers"});
  const JsonCursor utm = root.at("utm");
  utm.only_keys({"managed_points", "unmanaged_points"});
  p.utm_managed = points(utm.at("managed_points"));
  p.utm_unmanaged = points(utm.at("unmanaged_points"));
  const JsonCursor edr = root.at("edr");
  edr.only_keys({"managed_max_points", "learning_max_points", "self_managed_max_points",
                 "learning_days"});
  p.edr_managed_max = edr.at("managed_max_points").integer(0, limits::kMaxPoints);
  p.edr_learning_max = edr.at("learning_max_points").integer(0, limits::kMaxPoints);
  p.edr_self_managed_max = edr.at("self_managed_max_points").integer(0, limits::kMaxPoints);
  p.edr_learning_days = static_cast<std::int32_t>(edr.at("learning_days").integer(0, 3650));
  p.legacy_os = points(root.at("legacy_os_points"));
  const JsonCursor ph = root.at("phishing");
  ph.only_keys({"low_max_rate", "low_points", "high_above_rate", "high_points"});
  p.phishing_low_max_rate = ph.at("low_max_rate").decimal4(Decimal4::from_integer(0), Decimal4::from_integer(1));
  p.phishing_high_above_rate = ph.at("high_above_rate").decimal4(Decimal4::from_integer(0), Decimal4::from_integer(1));
  if (p.phishing_high_above_rate < p.phishing_low_max_rate)
    ph.at("high_above_rate").fail_value("must not be below low_max_rate");
  p.phishing_low = points(ph.at("low_points"));
  p.phishing_high = points(ph.at("high_points"));
  const JsonCursor inc = root.at("prior_incidents");
  inc.only_keys({"points_per_incident", "max_counted"});
  p.prior_incident_points = points(inc.at("points_per_incident"));
  p.prior_incidents_max_counted = inc.at("max_counted").integer(0, 1000);
  p.floor = root.at("index_floor").integer(-limits::kMaxIndex, limits::kMaxIndex);

  const JsonCursor tiers = root.at("tiers");
  tiers.require_array(1, limits::kMaxTiers);
  std::set<std::string> names;
  const std::vector<JsonCursor> tiers_elements = tiers.elements();
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const JsonCursor t = tiers_elements[i];
    t.only_keys({"tier", "min_index"});
    Tier tier;
    tier.name = t.at("tier").string();
    if (tier.name.empty() || !names.insert(tier.name).second) t.at("tier").fail_value(Rule::kDuplicate, "tier names must be unique and non-empty");
    const bool last = i + 1 == tiers.size();
    if (const auto m = t.find("min_index")) {
      if (last) m->fail_value("the last tier is the catch-all and must have min_index null");
      tier.min_index = m->integer(-limits::kMaxIndex, limits::kMaxIndex);
      if (!p.tiers.empty() && *tier.min_index >= *p.tiers.back().min_index)
        m->fail_value(Rule::kNotIncreasing, "min_index must decrease from one tier to the next");
    } else if (!last) {
      t.at("min_index").fail("only the last tier may have min_index null");
    }
    p.tiers.push_back(std::move(tier));
  }
}

// ---- underwriting -----------------------------------------------------------------------
struct PendingReferSection {
  std::string section;
  JsonCursor cursor;
};

PendingReferSection load_underwriting(const JsonCursor& root, UnderwritingTable& u,
                                      const PostureTable& posture) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "sme_categories",
                  "industries", "revenue_max_yen", "refer"});
  const JsonCursor cats = root.at("sme_categories");
  cats.require_array(0, limits::kMaxSmeCategories);
  const std::vector<JsonCursor> cats_elements = cats.elements();
  for (std::size_t i = 0; i < cats.size(); ++i) {
    const JsonCursor c = cats_elements[i];
    c.only_keys({"key", "capital_max_yen", "employees_max"});
    SmeCategory cat;
    cat.key = c.at("key").string();
    for (const auto& other : u.sme_categories)
      if (other.key == cat.key) c.at("key").fail_value(Rule::kDuplicate, "duplicate SME category");
    cat.capital_max_yen = yen(c.at("capital_max_yen"));
    cat.employees_max = c.at("employees_max").integer(0, limits::kMaxCount);
    u.sme_categories.push_back(std::move(cat));
  }
  auto category_index = [&](const JsonCursor& c) {
    const std::string key = c.string();
    for (std::size_t i = 0; i < u.sme_categories.size(); ++i)
      if (u.sme_categories[i].key == key) return static_cast<int>(i);
    c.fail_value("unknown SME category");
  };
  const JsonCursor inds = root.at("industries");
  inds.require_array(1, limits::kMaxIndustries);
  const std::vector<JsonCursor> inds_elements = inds.elements();
  for (std::size_t i = 0; i < inds.size(); ++i) {
    const JsonCursor c = inds_elements[i];
    c.only_keys({"key", "sme_category", "rubber_products_category"});
    Industry ind;
    ind.key = c.at("key").string();
    if (u.industry_index(ind.key) >= 0) c.at("key").fail_value(Rule::kDuplicate, "duplicate industry");
    ind.sme_category = category_index(c.at("sme_category"));
    if (const auto r = c.find("rubber_products_category")) ind.rubber_category = category_index(*r);
    u.industries.push_back(std::move(ind));
  }
  u.revenue_max_yen = yen(root.at("revenue_max_yen"));
  const JsonCursor refer = root.at("refer");
  refer.only_keys({"tier_high_limit", "too_many_unknown_min", "prior_incidents_min",
                   "legacy_os_unprotected_min"});
  const JsonCursor thl = refer.at("tier_high_limit");
  thl.only_keys({"tiers", "section", "limit_above_yen"});
  const JsonCursor tiers = thl.at("tiers");
  tiers.require_array(0, limits::kMaxTiers);
  const std::vector<JsonCursor> tiers_elements = tiers.elements();
  for (std::size_t i = 0; i < tiers.size(); ++i) {
    const std::string name = tiers_elements[i].string();
    int found = -1;
    for (std::size_t t = 0; t < posture.tiers.size(); ++t)
      if (posture.tiers[t].name == name) found = static_cast<int>(t);
    if (found < 0) tiers_elements[i].fail_value("unknown tier (the tiers are those of posture.json)");
    u.high_limit_tiers.push_back(found);
  }
  u.high_limit_above_yen = yen(thl.at("limit_above_yen"));
  u.too_many_unknown_min = refer.at("too_many_unknown_min").integer(1, limits::kMaxCount);
  u.prior_incidents_min = refer.at("prior_incidents_min").integer(1, limits::kMaxCount);
  u.legacy_os_min = refer.at("legacy_os_unprotected_min").integer(1, limits::kMaxCount);
  return {thl.at("section").string(), thl.at("section")};
}

std::vector<std::string> tier_names(const PostureTable& p) {
  std::vector<std::string> names;
  for (const auto& t : p.tiers) names.push_back(t.name);
  return names;
}

// ---- base cover -------------------------------------------------------------------------
void load_base_cover(const JsonCursor& root, BaseCoverTable& b, const PostureTable& posture) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "employee_bands",
                  "plans", "tier_factors", "months_per_year"});
  const JsonCursor bands = root.at("employee_bands");
  bands.require_array(1, limits::kMaxBands);
  const std::vector<JsonCursor> bands_elements = bands.elements();
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const JsonCursor band = bands_elements[i];
    band.only_keys({"max_employees"});
    const bool last = i + 1 == bands.size();
    if (const auto m = band.find("max_employees")) {
      if (last) m->fail_value("the last band is open-ended and must have max_employees null");
      const std::int64_t max = m->integer(1, limits::kMaxCount);
      if (!b.employee_band_max.empty() && max <= b.employee_band_max.back())
        m->fail_value(Rule::kNotIncreasing, "bands must be contiguous and increasing");
      b.employee_band_max.push_back(max);
    } else {
      if (!last) band.at("max_employees").fail("only the last band may be open-ended");
      b.employee_band_max.push_back(INT64_MAX);
    }
  }
  const JsonCursor plans = root.at("plans");
  plans.only_keys({"utm", "edr", "utm_edr"});
  for (BundlePlan plan : {BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr}) {
    const auto pc = plans.find(std::string(to_string(plan)));
    if (!pc) continue;
    BasePlan& bp = b.plans[static_cast<int>(plan)];
    pc->only_keys({"limit_yen", "requires", "monthly_rate", "price_cap"});
    bp.offered = true;
    bp.limit_yen = pc->at("limit_yen").integer(1, limits::kMaxTableYen);
    const JsonCursor req = pc->at("requires");
    req.only_keys({"utm", "edr"});
    for (const char* control : {"utm", "edr"}) {
      if (const auto r = req.find(control)) {
        if (r->string() != "managed") r->fail_value("the only requirement offered is \"managed\"");
        (std::string(control) == "utm" ? bp.requires_managed_utm : bp.requires_managed_edr) = true;
      }
    }
    const JsonCursor rate = pc->at("monthly_rate");
    rate.only_keys({"by_employee_band_yen", "per_covered_endpoint_yen", "minimum_yen"});
    if (const auto by_band = rate.find("by_employee_band_yen")) {
      by_band->require_array();
      if (by_band->size() != b.employee_band_max.size())
        by_band->fail(Rule::kInconsistent, "must give one rate per employee band (" +
                      std::to_string(b.employee_band_max.size()) + "), got " +
                      std::to_string(by_band->size()));
      const std::vector<JsonCursor> by_band_elements = by_band->elements();
      for (std::size_t i = 0; i < by_band->size(); ++i)
        bp.rate_by_employee_band.push_back(yen(by_band_elements[i]));
    }
    if (const auto per = rate.find("per_covered_endpoint_yen")) bp.rate_per_covered_endpoint_yen = yen(*per);
    if (const auto min = rate.find("minimum_yen")) bp.rate_minimum_yen = yen(*min);
    if (bp.rate_by_employee_band.empty() && bp.rate_per_covered_endpoint_yen == 0 && bp.rate_minimum_yen == 0)
      rate.fail("must give a band rate, a per-endpoint rate or a minimum");
    const JsonCursor cap = pc->at("price_cap");
    cap.only_keys({"fixed_yen", "per_covered_endpoint_yen"});
    if (const auto f = cap.find("fixed_yen")) bp.cap_fixed_yen = yen(*f);
    if (const auto per = cap.find("per_covered_endpoint_yen")) bp.cap_per_covered_endpoint_yen = yen(*per);
  }
  b.tier_factors = read_keyed<Decimal4>(root.at("tier_factors"), tier_names(posture), "the tiers of posture.json", positive_factor);
  b.months_per_year = root.at("months_per_year").integer(1, 12);
}

// ---- top-up -----------------------------------------------------------------------------
std::vector<LimitOption> load_options(const JsonCursor& rows, const char* amount_key) {
  rows.require_array(1, limits::kMaxOptionRows);
  std::vector<LimitOption> out;
  const std::vector<JsonCursor> rows_elements = rows.elements();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const JsonCursor r = rows_elements[i];
    r.only_keys({amount_key, "factor"});
    LimitOption o;
    o.amount_yen = yen(r.at(amount_key));
    if (!out.empty() && o.amount_yen <= out.back().amount_yen)
      r.at(amount_key).fail_value(Rule::kNotIncreasing, "amounts must be unique and increasing");
    o.factor = positive_factor(r.at("factor"));
    out.push_back(o);
  }
  return out;
}

void load_top_up(const JsonCursor& root, TopUpTable& t, const PostureTable& posture,
                 const UnderwritingTable& u) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "sections",
                  "revenue_bands", "industry_factors", "tier_factors", "excess_factors",
                  "multi_section_factors", "minimum_premium_yen", "instalment", "renewal_cap"});
  const JsonCursor sections = root.at("sections");
  sections.require_array();
  if (sections.size() == 0) sections.fail("must list at least one section");
  if (sections.size() > kMaxSections)
    sections.fail("lists " + std::to_string(sections.size()) + " sections; at most " + std::to_string(kMaxSections) + " are supported");
  std::vector<std::string> section_names;
  const std::vector<JsonCursor> sections_elements = sections.elements();
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const JsonCursor s = sections_elements[i];
    s.only_keys({"key", "name_ja", "limits", "deductibles", "default_deductible_yen",
                 "excess_over_base_cover"});
    Section sec;
    sec.key = s.at("key").string();
    if (t.section_index(sec.key) >= 0) s.at("key").fail_value(Rule::kDuplicate, "duplicate section");
    sec.name_ja = s.at("name_ja").string();
    sec.limits = load_options(s.at("limits"), "limit_yen");
    sec.deductibles = load_options(s.at("deductibles"), "deductible_yen");
    sec.default_deductible_yen = yen(s.at("default_deductible_yen"));
    if (sec.deductible_row(sec.default_deductible_yen) < 0)
      s.at("default_deductible_yen").fail_value("must be one of the section's deductibles");
    sec.excess_over_base_cover = s.at("excess_over_base_cover").boolean();
    section_names.push_back(sec.key);
    t.sections.push_back(std::move(sec));
  }
  const JsonCursor bands = root.at("revenue_bands");
  bands.require_array(1, limits::kMaxBands);
  const std::vector<JsonCursor> bands_elements = bands.elements();
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const JsonCursor b = bands_elements[i];
    b.only_keys({"max_revenue_yen", "base_premium_yen"});
    RevenueBand band;
    band.max_revenue_yen = b.at("max_revenue_yen").integer(1, limits::kMaxTableYen);
    if (!t.revenue_bands.empty() && band.max_revenue_yen <= t.revenue_bands.back().max_revenue_yen)
      b.at("max_revenue_yen").fail_value(Rule::kNotIncreasing, "bands must be contiguous and increasing");
    band.base_premium_yen = read_keyed<Yen>(b.at("base_premium_yen"), section_names, "the sections above",
                                            yen);
    t.revenue_bands.push_back(std::move(band));
  }
  if (t.revenue_bands.back().max_revenue_yen < u.revenue_max_yen)
    bands.fail(Rule::kInconsistent, "the last band ends at " + std::to_string(t.revenue_bands.back().max_revenue_yen) +
               ", below underwriting.json revenue_max_yen " + std::to_string(u.revenue_max_yen) +
               ": an accepted company would have no band");
  std::vector<std::string> industry_names;
  for (const auto& ind : u.industries) industry_names.push_back(ind.key);
  t.industry_factors = read_keyed<Decimal4>(root.at("industry_factors"), industry_names,
                                            "the industries of underwriting.json", positive_factor);
  t.tier_factors = read_keyed<Decimal4>(root.at("tier_factors"), tier_names(posture), "the tiers of posture.json", positive_factor);
  const auto excess = read_keyed<Decimal4>(root.at("excess_factors"), {"none", "utm", "edr", "utm_edr"}, "the bundle plans",
                                           positive_factor);
  std::copy(excess.begin(), excess.end(), t.excess_factors.begin());
  const JsonCursor multi = root.at("multi_section_factors");
  multi.require_array();
  if (multi.size() != t.sections.size())
    multi.fail(Rule::kInconsistent, "must give one factor per number of sections (" + std::to_string(t.sections.size()) +
               "), got " + std::to_string(multi.size()));
  const std::vector<JsonCursor> multi_elements = multi.elements();
  for (std::size_t i = 0; i < multi.size(); ++i) t.multi_section_factors.push_back(positive_factor(multi_elements[i]));
  t.minimum_premium_yen = yen(root.at("minimum_premium_yen"));
  const JsonCursor inst = root.at("instalment");
  inst.only_keys({"loading", "months"});
  t.instalment_loading = positive_factor(inst.at("loading"));
  t.instalment_months = inst.at("months").integer(1, 120);
  // Optional: how far a renewal's premium may move from its prior premium (rate revision).
  if (const auto cap = root.find("renewal_cap")) {
    cap->only_keys({"max_increase", "max_decrease"});
    t.renewal_cap = RenewalCap{cap->at("max_increase").decimal4(Decimal4::from_integer(0), Decimal4::from_integer(10)),
                               cap->at("max_decrease").decimal4(Decimal4::from_integer(0), Decimal4::from_integer(1))};
  }
}

// ---- subsidies --------------------------------------------------------------------------
void load_subsidies(const JsonCursor& root, std::vector<SubsidyProgram>& programs) {
  root.only_keys({"table", "edition", "effective_from", "effective_to", "programs"});
  const JsonCursor list = root.at("programs");
  list.require_array(0, limits::kMaxSubsidyPrograms);
  const std::vector<JsonCursor> list_elements = list.elements();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const JsonCursor c = list_elements[i];
    c.only_keys({"id", "name_ja", "share", "cap_yen", "in_force_from", "in_force_to",
                 "requires_sme", "requires_security_action"});
    SubsidyProgram p;
    p.id = c.at("id").string();
    for (const auto& other : programs)
      if (other.id == p.id) c.at("id").fail_value(Rule::kDuplicate, "duplicate programme id");
    c.at("name_ja").string();
    const JsonCursor share = c.at("share");
    share.only_keys({"numerator", "denominator"});
    p.share_denominator = share.at("denominator").integer(1, 1000000);
    p.share_numerator = share.at("numerator").integer(0, p.share_denominator);
    p.cap_yen = yen(c.at("cap_yen"));
    p.in_force.from = c.at("in_force_from").date();
    p.in_force.to = c.at("in_force_to").date();
    if (*p.in_force.to < p.in_force.from) c.at("in_force_to").fail_value("must not be before in_force_from");
    p.requires_sme = c.at("requires_sme").boolean();
    p.requires_security_action = c.at("requires_security_action").boolean();
    programs.push_back(std::move(p));
  }
}

}  // namespace

std::shared_ptr<const RatingTables> load_edition(const std::string& edition_dir) {
  std::map<std::string, std::string> contents;
  for (const auto& entry : detail::list_directory(edition_dir)) {
    if (!entry.is_regular_file || fs::path(entry.name).extension() != ".json") continue;
    contents.emplace(entry.name, detail::read_table_file(entry.path));
  }
  return load_edition_from_files(contents, edition_dir);
}

std::shared_ptr<const RatingTables> load_edition_from_files(
    const std::map<std::string, std::string>& contents, const std::string& edition_dir) {
  const fs::path dir(edition_dir);
  std::map<std::string, TableFile> files;  // by relative path: sorted as the hash needs
  for (const auto& [name, bytes] : contents) {
    TableFile& f = files[name];  // parsed in place: the document views its bytes
    f.relative_path = name;
    f.display_path = (dir / name).generic_string();
    if (bytes.size() > detail::kMaxTableFileBytes)
      throw Error(ErrorCode::kTableTooLarge, f.display_path,
                  "is " + std::to_string(bytes.size()) + " bytes; a table file may have at most " +
                      std::to_string(detail::kMaxTableFileBytes));
    f.bytes = bytes;
    try {
      f.document = JsonDoc::parse(f.bytes);
    } catch (const JsonDoc::TooManyValues& e) {
      throw Error(ErrorCode::kTableTooLarge, f.display_path, e.what());
    } catch (const std::invalid_argument& e) {
      throw Error(ErrorCode::kTableMalformedJson, f.display_path, std::string("malformed JSON: ") + e.what());
    }
  }

  auto tables = std::make_shared<RatingTables>();
  tables->source_dir = edition_dir;

  // Every file names its table and its edition; all must agree on edition and dates.
  std::map<std::string, const TableFile*> by_table;
  const TableFile* first = nullptr;
  for (const auto& [rel, f] : files) {
    const JsonCursor root = root_of(f);
    root.require_object();
    const std::string table = root.at("table").string();
    if (std::find(std::begin(kTableNames), std::end(kTableNames), table) == std::end(kTableNames))
      root.at("table").fail_value("unknown table");
    if (rel != table + ".json") root.at("table").fail_value(Rule::kInconsistent, "must match the file name " + rel);
    const std::string edition = root.at("edition").string();
    if (edition.empty()) root.at("edition").fail_value("must not be empty");
    DateRange range{root.at("effective_from").date(), root.at("effective_to").optional_date()};
    if (range.to && *range.to < range.from)
      root.at("effective_to").fail_value("must not be before effective_from");
    if (!first) {
      first = &f;
      tables->edition = edition;
      tables->in_force = range;
    } else {
      const std::string against = " (" + first->relative_path + " says ";
      if (edition != tables->edition)
        root.at("edition").fail_value(Rule::kInconsistent, "must match the other files of the edition" + against + tables->edition + ")");
      if (range.from != tables->in_force.from)
        root.at("effective_from").fail_value(Rule::kInconsistent, "must match" + against + tables->in_force.from.to_string() + ")");
      if (range.to != tables->in_force.to)
        root.at("effective_to").fail_value(Rule::kInconsistent, "must match" + against +
                                           (tables->in_force.to ? tables->in_force.to->to_string() : "null") + ")");
    }
    by_table[table] = &f;
  }
  for (const char* name : kTableNames)
    if (!by_table.count(name))
      throw Error(ErrorCode::kTableMissingFile, (dir / (std::string(name) + ".json")).generic_string(), "table file is missing");

  load_questionnaire(root_of(*by_table["questionnaire"]), tables->questionnaire);
  tables->questionnaire.compiled = detail::compile_questionnaire(tables->questionnaire);
  load_posture(root_of(*by_table["posture"]), tables->posture);
  const auto refer_section = load_underwriting(root_of(*by_table["underwriting"]), tables->underwriting, tables->posture);
  load_base_cover(root_of(*by_table["base_cover"]), tables->base_cover, tables->posture);
  load_top_up(root_of(*by_table["top_up"]), tables->top_up, tables->posture, tables->underwriting);
  tables->underwriting.high_limit_section = tables->top_up.section_index(refer_section.section);
  if (tables->underwriting.high_limit_section < 0)
    refer_section.cursor.fail_value("unknown top-up section (the sections are those of top_up.json)");
  load_subsidies(root_of(*by_table["subsidies"]), tables->subsidies);
  detail::load_loss_model(root_of(*by_table["loss_model"]), tables->loss_model, tables->posture,
                          tables->underwriting, tables->base_cover, tables->top_up);
  detail::load_remediation(root_of(*by_table["remediation"]), tables->remediation, tables->questionnaire, tables->base_cover);
  detail::prove_premiums_fit(*tables, {by_table["base_cover"]->display_path, by_table["top_up"]->display_path});

  detail::Sha256 hash;
  for (const auto& [rel, f] : files) {
    hash.update(rel);
    hash.update(std::string_view("\0", 1));
    hash.update(f.bytes);
    hash.update(std::string_view("\0", 1));
  }
  tables->sha256 = hash.hex_digest();
  for (const auto& [rel, f] : files) tables->files.emplace(rel, f.bytes);
  return tables;
}

}  // namespace cybercover
