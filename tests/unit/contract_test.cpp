// The request contract walked field by field through the C++ doors: JSON text, the
// QuoteRequest struct, portfolio columns and a CSV file. For every field and each class of bad
// value the door can hold, every door gives the same code and message (the columnar doors add
// the row and the column). The Python suite (test_contract.py) walks the same schema through
// the Python doors and the CLI.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cybercover/cybercover.hpp"
#include "support/columns.hpp"
#include "support/requests.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const Engine& engine() { return testing::default_engine(); }
const RatingTables& tables() { return testing::default_tables(); }

// A bad value as each door holds it: a change to the struct and the same change to the JSON.
struct Case {
  std::string name;
  std::function<void(QuoteRequest&)> in_struct;
  std::function<void(nlohmann::json&)> in_json;
  // Raw int64 portfolio columns say "the default deductible" and "no service price" with -1
  // (PortfolioColumns::kDefault, kNone): that value cannot reach them as a bad value.
  bool columns_can_hold = true;
};

nlohmann::json json_of(const QuoteRequest& r) {
  nlohmann::json j;
  j["quote_date"] = r.quote_date.to_string();
  j["company"] = {{"industry", r.company.industry},     {"employees", r.company.employees},
                  {"capital_yen", r.company.capital_yen}, {"revenue_yen", r.company.revenue_yen},
                  {"endpoints", r.company.endpoints},     {"rubber_products", r.company.rubber_products}};
  j["security_action"] = to_string(r.security_action);
  j["answers"] = nlohmann::json::object();
  for (std::size_t i = 0; i < r.answers.answers().size(); ++i)
    if (r.answers.answers()[i] != Answer::kUnanswered)
      j["answers"][tables().questionnaire.items[i].id] = to_string(r.answers.answers()[i]);
  nlohmann::json edr = {{"status", to_string(r.controls.edr.status)}, {"covered_endpoints", r.controls.edr.covered_endpoints}};
  if (r.controls.edr.installed_on) edr["installed_on"] = r.controls.edr.installed_on->to_string();
  j["controls"] = {{"utm", to_string(r.controls.utm)},
                   {"edr", edr},
                   {"legacy_os_endpoints", r.controls.legacy_os_endpoints},
                   {"incidents_3y", r.controls.incidents_3y}};
  if (r.controls.phishing_click_rate) j["controls"]["phishing_click_rate"] = *r.controls.phishing_click_rate;
  j["bundle_plan"] = to_string(r.bundle_plan);
  for (const auto& s : r.top_up) {
    j["top_up"][s.section] = {{"limit_yen", s.limit_yen}};
    if (s.deductible_yen) j["top_up"][s.section]["deductible_yen"] = *s.deductible_yen;
  }
  if (r.subsidy_program) j["subsidy_program"] = *r.subsidy_program;
  if (r.service_monthly_price_yen) j["service_monthly_price_yen"] = *r.service_monthly_price_yen;
  if (r.prior_annual_premium_yen) j["prior_annual_premium_yen"] = *r.prior_annual_premium_yen;
  return j;
}

// The integer fields, reached in the struct and in the JSON.
struct IntegerField {
  Field field;
  std::function<std::int64_t&(QuoteRequest&)> slot;
  std::function<nlohmann::json&(nlohmann::json&)> node;
};

std::vector<IntegerField> integer_fields() {
  return {
      {Field::kEmployees, [](QuoteRequest& r) -> std::int64_t& { return r.company.employees; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["company"]["employees"]; }},
      {Field::kCapitalYen, [](QuoteRequest& r) -> std::int64_t& { return r.company.capital_yen; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["company"]["capital_yen"]; }},
      {Field::kRevenueYen, [](QuoteRequest& r) -> std::int64_t& { return r.company.revenue_yen; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["company"]["revenue_yen"]; }},
      {Field::kEndpoints, [](QuoteRequest& r) -> std::int64_t& { return r.company.endpoints; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["company"]["endpoints"]; }},
      {Field::kEdrCoveredEndpoints, [](QuoteRequest& r) -> std::int64_t& { return r.controls.edr.covered_endpoints; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["controls"]["edr"]["covered_endpoints"]; }},
      {Field::kLegacyOsEndpoints, [](QuoteRequest& r) -> std::int64_t& { return r.controls.legacy_os_endpoints; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["controls"]["legacy_os_endpoints"]; }},
      {Field::kIncidents3y, [](QuoteRequest& r) -> std::int64_t& { return r.controls.incidents_3y; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["controls"]["incidents_3y"]; }},
      {Field::kTopUpLimit, [](QuoteRequest& r) -> std::int64_t& { return r.top_up[1].limit_yen; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["top_up"]["response"]["limit_yen"]; }},
      {Field::kTopUpDeductible, [](QuoteRequest& r) -> std::int64_t& { return *r.top_up[1].deductible_yen; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["top_up"]["response"]["deductible_yen"]; }},
      {Field::kServiceMonthlyPrice, [](QuoteRequest& r) -> std::int64_t& { return *r.service_monthly_price_yen; },
       [](nlohmann::json& j) -> nlohmann::json& { return j["service_monthly_price_yen"]; }},
      {Field::kPriorAnnualPremium,
       [](QuoteRequest& r) -> std::int64_t& { return r.prior_annual_premium_yen.emplace(); },
       [](nlohmann::json& j) -> nlohmann::json& { return j["prior_annual_premium_yen"]; }},
  };
}

std::vector<Case> cases() {
  std::vector<Case> out;
  // Every integer field below its bound, above it, and (limits and deductibles) off the table.
  for (const IntegerField& f : integer_fields()) {
    const FieldSpec& spec = field_spec(f.field);
    for (const std::int64_t v : {spec.min - 1, spec.max + 1, std::int64_t{-1}}) {
      const bool sentinel = v == -1 && (f.field == Field::kTopUpDeductible || f.field == Field::kServiceMonthlyPrice ||
                                        f.field == Field::kPriorAnnualPremium);
      out.push_back({std::string(spec.json_path) + " = " + std::to_string(v), [f, v](QuoteRequest& r) { f.slot(r) = v; },
                     [f, v](nlohmann::json& j) { f.node(j) = v; }, !sentinel});
    }
    if (f.field == Field::kTopUpLimit || f.field == Field::kTopUpDeductible)
      out.push_back({std::string(spec.json_path) + " not in the table", [f](QuoteRequest& r) { f.slot(r) = 12345; },
                     [f](nlohmann::json& j) { f.node(j) = 12345; }});
  }
  // Dates out of range, and after the quote date.
  for (const char* d : {"1899-12-31", "2200-01-01", "9999-12-31"}) {
    const Date date = Date::from_ymd(std::stoi(std::string(d).substr(0, 4)), static_cast<unsigned>(std::stoi(std::string(d).substr(5, 2))),
                                     static_cast<unsigned>(std::stoi(std::string(d).substr(8, 2))));
    out.push_back({std::string("quote_date = ") + d, [date](QuoteRequest& r) { r.quote_date = date; },
                   [d](nlohmann::json& j) { j["quote_date"] = d; }});
    out.push_back({std::string("installed_on = ") + d, [date](QuoteRequest& r) { r.controls.edr.installed_on = date; },
                   [d](nlohmann::json& j) { j["controls"]["edr"]["installed_on"] = d; }});
  }
  out.push_back({"quote date in no edition", [](QuoteRequest& r) { r.quote_date = *Date::parse("2026-11-30"); },
                 [](nlohmann::json& j) { j["quote_date"] = "2026-11-30"; }});
  // The click rate outside 0-1.
  for (const double v : {-0.1, 1.5}) {
    out.push_back({"phishing_click_rate = " + std::to_string(v), [v](QuoteRequest& r) { r.controls.phishing_click_rate = v; },
                   [v](nlohmann::json& j) { j["controls"]["phishing_click_rate"] = v; }});
  }
  // Keys the tables define.
  out.push_back({"unknown industry", [](QuoteRequest& r) { r.company.industry = "fishing"; },
                 [](nlohmann::json& j) { j["company"]["industry"] = "fishing"; }});
  out.push_back({"unknown subsidy programme", [](QuoteRequest& r) { r.subsidy_program = "no-such-programme"; },
                 [](nlohmann::json& j) { j["subsidy_program"] = "no-such-programme"; }});
  out.push_back({"na where the item does not allow it", [](QuoteRequest& r) { r.answers.answers()[0] = Answer::kNa; },
                 [](nlohmann::json& j) { j["answers"]["D01.1"] = "na"; }});
  // Rules that relate fields.
  out.push_back({"covered above endpoints", [](QuoteRequest& r) { r.controls.edr.covered_endpoints = 49; },
                 [](nlohmann::json& j) { j["controls"]["edr"]["covered_endpoints"] = 49; }});
  out.push_back({"installed after the quote date", [](QuoteRequest& r) { r.controls.edr.installed_on = *Date::parse("2026-12-16"); },
                 [](nlohmann::json& j) { j["controls"]["edr"]["installed_on"] = "2026-12-16"; }});
  out.push_back({"plan without a managed UTM", [](QuoteRequest& r) { r.controls.utm = UtmStatus::kUnmanaged; },
                 [](nlohmann::json& j) { j["controls"]["utm"] = "unmanaged"; }});
  out.push_back({"rubber products for a retailer",
                 [](QuoteRequest& r) {
                   r.company.industry = "retail";
                   r.company.rubber_products = true;
                 },
                 [](nlohmann::json& j) {
                   j["company"]["industry"] = "retail";
                   j["company"]["rubber_products"] = true;
                 }});
  out.push_back({"legacy OS above endpoints", [](QuoteRequest& r) { r.controls.legacy_os_endpoints = 49; },
                 [](nlohmann::json& j) { j["controls"]["legacy_os_endpoints"] = 49; }});
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(to_string(e.code())) + " | " + e.message();
  }
  return "no error";
}

TEST(Contract, EveryDoorGivesTheSameErrorForTheSameBadValue) {
  std::vector<Case> all = cases();
  std::vector<QuoteRequest> structs;
  std::vector<std::string> expected;
  for (const Case& c : all) {
    QuoteRequest r = testing::worked_example_1(tables());
    c.in_struct(r);
    structs.push_back(r);
    nlohmann::json j = json_of(testing::worked_example_1(tables()));
    c.in_json(j);
    const std::string json_error = error_of([&] { quote_json(engine(), j.dump()); });
    expected.push_back(json_error);
    EXPECT_NE(json_error, "no error") << c.name;
    EXPECT_EQ(error_of([&] { engine().quote(r); }), json_error) << c.name << " (C++ struct)";
  }
  // Portfolio columns: every case one row of one batch.
  std::vector<QuoteRequest> rows;
  std::vector<Case> batched;
  std::vector<std::string> batch_expected;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].columns_can_hold) {
      rows.push_back(structs[i]);
      batched.push_back(all[i]);
      batch_expected.push_back(expected[i]);
    }
  all = batched;
  expected = batch_expected;
  testing::Columns cols(rows, tables());
  BatchOptions collect;
  collect.on_error = OnError::kCollect;
  const PortfolioResult batch = price_portfolio(engine(), cols.view, collect);
  ASSERT_EQ(batch.errors.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Error& e = batch.errors[i].error;
    EXPECT_EQ(std::string(to_string(e.code())) + " | " + e.message(), expected[i]) << all[i].name << " (batch)";
    EXPECT_EQ(e.location().row, i + 1) << all[i].name;
    if (e.field() != "answers") {
      EXPECT_EQ(e.location().column, column_for_field(e.field())) << all[i].name;
    }
  }
}

TEST(Contract, CsvGivesTheSameErrorForTheSameBadValue) {
  const auto all = cases();
  std::ostringstream csv;
  const std::vector<std::string> header = portfolio_columns(tables());
  for (std::size_t c = 0; c < header.size(); ++c) csv << (c ? "," : "") << header[c];
  csv << "\n";
  std::vector<std::string> expected;
  for (std::size_t i = 0; i < all.size(); ++i) {
    nlohmann::json j = json_of(testing::worked_example_1(tables()));
    all[i].in_json(j);
    expected.push_back(error_of([&] { quote_json(engine(), j.dump()); }));
    auto cell = [&](const std::string& column) -> std::string {
      auto value = [&]() -> nlohmann::json {
        const auto& co = j["company"];
        const auto& ctl = j["controls"];
        if (column == "id") return "case-" + std::to_string(i);
        if (column == "quote_date") return j["quote_date"];
        if (co.contains(column)) return co[column];
        if (column == "utm") return ctl["utm"];
        if (column == "edr_status") return ctl["edr"]["status"];
        if (column == "edr_covered_endpoints") return ctl["edr"]["covered_endpoints"];
        if (column == "edr_installed_on") return ctl["edr"].value("installed_on", nlohmann::json());
        if (ctl.contains(column)) return ctl[column];
        if (j.contains(column)) return j[column];
        for (const auto& s : tables().top_up.sections) {
          if (column == s.key + "_limit_yen" && j["top_up"].contains(s.key)) return j["top_up"][s.key]["limit_yen"];
          if (column == s.key + "_deductible_yen" && j["top_up"].contains(s.key))
            return j["top_up"][s.key].value("deductible_yen", nlohmann::json());
        }
        if (j["answers"].contains(column)) return j["answers"][column];
        return nullptr;
      }();
      if (value.is_null()) return "";
      if (value.is_string()) return value.get<std::string>();
      return value.dump();
    };
    for (std::size_t c = 0; c < header.size(); ++c) csv << (c ? "," : "") << cell(header[c]);
    csv << "\n";
  }
  std::istringstream in(csv.str());
  std::ostringstream out;
  const CsvPriceSummary summary = price_csv(engine(), in, out);
  ASSERT_EQ(summary.errors, all.size());
  std::istringstream priced(out.str());
  std::string line;
  std::getline(priced, line);  // header
  for (std::size_t i = 0; i < all.size() && std::getline(priced, line); ++i) {
    // row,id,ok,error_code,error,...: the error cell is quoted when it holds a comma.
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (std::size_t k = 0; k < line.size(); ++k) {
      const char ch = line[k];
      if (quoted) {
        if (ch == '"' && k + 1 < line.size() && line[k + 1] == '"') field += '"', ++k;
        else if (ch == '"') quoted = false;
        else field += ch;
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == ',') {
        fields.push_back(field);
        field.clear();
      } else {
        field += ch;
      }
    }
    fields.push_back(field);
    ASSERT_GE(fields.size(), 5u);
    const std::string& message = fields[4];
    const auto at = message.rfind(" (row ");
    ASSERT_NE(at, std::string::npos) << message;
    EXPECT_EQ(fields[3] + " | " + message.substr(0, at), expected[i]) << all[i].name << " (CSV)";
    EXPECT_NE(message.find("id \"case-" + std::to_string(i) + "\""), std::string::npos) << message;
  }
}

TEST(Contract, StructEnumsOutsideTheirValuesAreErrorsNotPrices) {
  QuoteRequest r = testing::worked_example_1(tables());
  r.controls.utm = static_cast<UtmStatus>(7);
  try {
    engine().quote(r);
    ADD_FAILURE() << "a UTM status of 7 was priced";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "[cybercover.input.unknown_value] controls.utm: must be one of \"none\", \"unmanaged\", \"managed\", got code 7");
  }
}

TEST(Contract, EveryErrorCodeHasItsNameAndKind) {
  const auto& codes = error_codes();
  ASSERT_EQ(codes.size(), static_cast<std::size_t>(ErrorCode::kCount));
  for (std::size_t i = 0; i < codes.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(codes[i].code), i) << codes[i].name;
    const std::string name = codes[i].name;
    EXPECT_EQ(name.substr(0, name.find('.')), to_string(kind_of(codes[i].code))) << name;
    for (std::size_t k = 0; k < i; ++k) EXPECT_NE(name, codes[k].name);
  }
}

TEST(Contract, FieldTableIsCompleteAndInOrder) {
  const auto& fields = request_fields();
  ASSERT_EQ(fields.size(), static_cast<std::size_t>(Field::kCount));
  for (std::size_t i = 0; i < fields.size(); ++i) EXPECT_EQ(static_cast<std::size_t>(fields[i].field), i);
  EXPECT_EQ(json_path(Field::kTopUpLimit, "liability"), "top_up.liability.limit_yen");
  EXPECT_EQ(column_name(Field::kTopUpDeductible, "response"), "response_deductible_yen");
  EXPECT_EQ(column_for_field("answers.D01.1"), "D01.1");
  EXPECT_EQ(column_for_field("controls.edr.status"), "edr_status");
  EXPECT_EQ(allowed_values(tables(), Field::kAnswer, "D01.1"),
            (std::vector<std::string>{"yes", "partial", "no", "unknown"}));  // D01.1 does not allow na
}

}  // namespace
}  // namespace cybercover
