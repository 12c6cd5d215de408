#include "batch/portfolio_builder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace cybercover::detail {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

bool is_json_number(std::string_view t) {
  std::size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i == t.size() || !(t[i] >= '0' && t[i] <= '9')) return false;
  if (t[i] == '0') ++i;
  else while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  if (i < t.size() && t[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == start) return false;
  }
  return i == t.size();
}

}  // namespace

RawValue raw_of_cell(std::string_view cell) {
  if (cell.empty()) return RawValue::absent();
  if (equals_ignoring_case(cell, "true")) return RawValue::of_bool(true);
  if (equals_ignoring_case(cell, "false")) return RawValue::of_bool(false);
  if (is_json_number(cell)) {
    std::int64_t i = 0;
    const auto r = std::from_chars(cell.data(), cell.data() + cell.size(), i);
    if (r.ec == std::errc() && r.ptr == cell.data() + cell.size()) return RawValue::of_integer(i);
    double d = 0;
    const auto rd = std::from_chars(cell.data(), cell.data() + cell.size(), d);
    if (rd.ec == std::errc::result_out_of_range) {
      // Beyond the double range (1e400) or below it (1e-400): keep the text, which the readers
      // judge exactly; the double only says which side.
      const bool negative = cell[0] == '-';
      const auto e = cell.find_first_of("eE");
      const bool tiny = e != std::string_view::npos && e + 1 < cell.size() && cell[e + 1] == '-';
      d = tiny ? (negative ? -0.0 : 0.0) : (negative ? -HUGE_VAL : HUGE_VAL);
    }
    return RawValue::of_number(d, cell);
  }
  return RawValue::of_string(cell);
}

PortfolioBuilder::PortfolioBuilder(const RatingTables& layout, const std::vector<std::string>& names, Defaults defaults,
                                   bool answers_given)
    : layout_(layout), defaults_(std::move(defaults)), answers_given_(answers_given), items_(layout.questionnaire.items.size()) {
  // Every column an edition's portfolio may have, with its rank (contract order).
  std::unordered_map<std::string, ColumnRole> known;
  std::uint32_t rank = 0;
  for (const FieldSpec& f : request_fields()) {
    if (f.field == Field::kAnswer) {
      for (std::size_t i = 0; i < layout.questionnaire.items.size(); ++i)
        known[layout.questionnaire.items[i].id] = {f.field, static_cast<int>(i), rank++, layout.questionnaire.items[i].id};
    } else if (f.field == Field::kTopUpLimit || f.field == Field::kTopUpDeductible) {
      for (std::size_t s = 0; s < layout.top_up.sections.size(); ++s) {
        const std::string name = column_name(f.field, layout.top_up.sections[s].key);
        known[name] = {f.field, static_cast<int>(s), rank++, name};
      }
    } else {
      known[std::string(f.column)] = {f.field, -1, rank++, std::string(f.column)};
    }
  }
  limits_.resize(layout.top_up.sections.size());
  deductibles_.resize(layout.top_up.sections.size());
  std::vector<bool> present(static_cast<std::size_t>(Field::kCount), false);
  for (std::size_t c = 0; c < names.size(); ++c) {
    const std::string& name = names[c];
    for (std::size_t d = 0; d < c; ++d)
      if (names[d] == name)
        throw Error(ErrorCode::kDuplicateColumn, name, "column given twice", {}, ErrorLocation{0, {}, name});
    if (name == "id") {
      id_column_ = c;
      roles_.push_back({Field::kCount, -1, 0, name});
      continue;
    }
    const auto it = known.find(name);
    if (it == known.end() || (answers_given && it->second.field == Field::kAnswer)) {
      const std::string why = it != known.end() ? "item columns and an answers matrix are both given"
                                                : "unknown column (docs/request_contract.md lists the columns)";
      throw Error(ErrorCode::kUnknownColumn, name, why, quote_for_message(name), ErrorLocation{0, {}, name});
    }
    roles_.push_back(it->second);
    present[static_cast<std::size_t>(it->second.field)] = true;
    const ColumnRole& role = roles_.back();
    if (role.field == Field::kAnswer) answers_.present = true;
    else if (role.field == Field::kTopUpLimit) limits_[static_cast<std::size_t>(role.key)].present = true;
    else if (role.field == Field::kTopUpDeductible) deductibles_[static_cast<std::size_t>(role.key)].present = true;
    else if (role.field == Field::kIndustry) industry_.present = true;
    else if (role.field == Field::kSubsidyProgram) subsidy_.present = true;
    else if (role.field == Field::kPhishingClickRate) click_.present = true;
    else if (role.field == Field::kSecurityAction || role.field == Field::kRubberProducts || role.field == Field::kUtm ||
             role.field == Field::kEdrStatus || role.field == Field::kBundlePlan)
      code_slot(role.field).present = true;
    else int64_slot(role).present = true;
  }
  for (const FieldSpec& f : request_fields()) {
    const bool needed = f.required && !(f.field == Field::kQuoteDate && defaults_.quote_date);
    if (needed && !present[static_cast<std::size_t>(f.field)]) {
      const std::string name(f.column);
      throw Error(ErrorCode::kMissingColumn, name,
                  f.field == Field::kQuoteDate ? "required column is missing (or give one quote date for every row)"
                                               : "required column is missing",
                  {}, ErrorLocation{0, {}, name});
    }
  }
  for (std::size_t s = 0; s < deductibles_.size(); ++s)
    if (deductibles_[s].present && !limits_[s].present) {
      const std::string name = column_name(Field::kTopUpDeductible, layout.top_up.sections[s].key);
      throw Error(ErrorCode::kMissingColumn, name,
                  "has no " + column_name(Field::kTopUpLimit, layout.top_up.sections[s].key) + " column", {},
                  ErrorLocation{0, {}, name});
    }
  read_order_.resize(roles_.size());
  for (std::size_t c = 0; c < roles_.size(); ++c) read_order_[c] = c;
  std::stable_sort(read_order_.begin(), read_order_.end(),
                   [&](std::size_t a, std::size_t b) { return roles_[a].rank < roles_[b].rank; });

  // What a cell that is not given holds.
  quote_day_.fill = defaults_.quote_date ? defaults_.quote_date->day_number() : PortfolioColumns::kNoDay;
  installed_.fill = PortfolioColumns::kNoDay;
  price_.fill = PortfolioColumns::kNone;
  prior_.fill = PortfolioColumns::kNone;
  subsidy_.fill = PortfolioColumns::kNone;
  click_.fill = std::numeric_limits<double>::quiet_NaN();
  for (auto& d : deductibles_) d.fill = PortfolioColumns::kDefault;
  quote_day_.present = true;  // a column, or the default date for every row
  answer_columns_ = items_;
}

std::int32_t PortfolioBuilder::intern(std::vector<std::string>& keys, std::unordered_map<std::string, std::int32_t>& index,
                                      std::string_view key) {
  const auto [it, inserted] = index.try_emplace(std::string(key), static_cast<std::int32_t>(keys.size()));
  if (inserted) keys.emplace_back(key);
  return it->second;
}

BuilderColumn<std::int64_t>& PortfolioBuilder::int64_slot(const ColumnRole& role) {
  switch (role.field) {
    case Field::kQuoteDate: return quote_day_;
    case Field::kEmployees: return employees_;
    case Field::kCapitalYen: return capital_;
    case Field::kRevenueYen: return revenue_;
    case Field::kEndpoints: return endpoints_;
    case Field::kEdrCoveredEndpoints: return covered_;
    case Field::kEdrInstalledOn: return installed_;
    case Field::kLegacyOsEndpoints: return legacy_;
    case Field::kIncidents3y: return incidents_;
    case Field::kServiceMonthlyPrice: return price_;
    case Field::kPriorAnnualPremium: return prior_;
    case Field::kTopUpLimit: return limits_.at(static_cast<std::size_t>(role.key));
    case Field::kTopUpDeductible: return deductibles_.at(static_cast<std::size_t>(role.key));
    default: throw std::logic_error("not an int64 column");
  }
}

BuilderColumn<std::uint8_t>& PortfolioBuilder::code_slot(Field f) {
  switch (f) {
    case Field::kSecurityAction: return security_action_;
    case Field::kRubberProducts: return rubber_;
    case Field::kUtm: return utm_;
    case Field::kEdrStatus: return edr_;
    case Field::kBundlePlan: return plan_;
    default: throw std::logic_error("not a code column");
  }
}

FieldPath PortfolioBuilder::path_of(const ColumnRole& role) const {
  if (role.field == Field::kAnswer) return keyed_path(Field::kAnswer, role.name);
  if (role.field == Field::kTopUpLimit || role.field == Field::kTopUpDeductible)
    return keyed_path(role.field, layout_.top_up.sections[static_cast<std::size_t>(role.key)].key);
  return FieldPath(field_spec(role.field).json_path);
}

void PortfolioBuilder::resize(std::size_t rows) {
  rows_ = rows;
  auto reset = [](auto& col) {
    col.own.clear();
    col.borrowed = nullptr;
  };
  for (auto* c : {&quote_day_, &employees_, &capital_, &revenue_, &endpoints_, &covered_, &installed_, &legacy_, &incidents_,
                  &price_, &prior_})
    reset(*c);
  reset(industry_);
  reset(subsidy_);
  for (auto* c : {&answers_, &security_action_, &rubber_, &utm_, &edr_, &plan_}) reset(*c);
  reset(click_);
  for (auto& c : limits_) reset(c);
  for (auto& c : deductibles_) reset(c);
  answer_columns_ = items_;
  industry_keys_.clear();
  industry_index_.clear();
  subsidy_ids_.clear();
  subsidy_index_.clear();
  if (id_column_) ids_.assign(rows, std::string());
  fail_rank_.assign(rows, kOk);
  errors_.clear();
  error_columns_.clear();
}

void PortfolioBuilder::record(std::size_t row, const ColumnRole& role, const Error& e) {
  if (role.rank >= fail_rank_[row]) return;  // an earlier field already failed this row
  fail_rank_[row] = role.rank;
  errors_.insert_or_assign(row, e);
  error_columns_[row] = role.name;
}

void PortfolioBuilder::fail(std::size_t row, std::uint32_t rank, Error error) {
  if (rank >= fail_rank_[row]) return;
  fail_rank_[row] = rank;
  error_columns_[row] = error.location().column;
  errors_.insert_or_assign(row, std::move(error));
}

void PortfolioBuilder::set_id(std::size_t row, std::string id) {
  if (id_column_) ids_[row] = std::move(id);
}

const std::string& PortfolioBuilder::id(std::size_t row) const {
  static const std::string none;
  return id_column_ && row < ids_.size() ? ids_[row] : none;
}

void PortfolioBuilder::set(std::size_t row, std::size_t column, const RawValue& v) {
  const ColumnRole& role = roles_[column];
  if (role.field == Field::kCount || role.rank >= fail_rank_[row]) return;  // the id, or a row already failed
  const FieldSpec& s = field_spec(role.field);
  const std::size_t n = rows_;
  try {
    switch (role.field) {
      case Field::kQuoteDate:
        if (const auto d = optional_date(s, "quote_date", v)) quote_day_.writable(n)[row] = d->day_number();
        else if (!defaults_.quote_date) throw Error(ErrorCode::kMissing, "quote_date", "required field is missing");
        break;
      case Field::kIndustry:
        industry_.writable(n)[row] = intern(industry_keys_, industry_index_, read_text(s, path_of(role), v));
        break;
      case Field::kEmployees:
      case Field::kCapitalYen:
      case Field::kRevenueYen:
      case Field::kEndpoints:
      case Field::kLegacyOsEndpoints:
      case Field::kIncidents3y:
        int64_slot(role).writable(n)[row] = read_integer(s, path_of(role), v);
        break;
      case Field::kRubberProducts: rubber_.writable(n)[row] = read_boolean(s, path_of(role), v); break;
      case Field::kSecurityAction:
        security_action_.writable(n)[row] =
            static_cast<std::uint8_t>(optional_label(s, path_of(role), v, parse_security_action).value_or(SecurityAction::kNone));
        break;
      case Field::kAnswer:
        answers_.writable(n * items_)[row * items_ + static_cast<std::size_t>(role.key)] =
            static_cast<std::uint8_t>(optional_label(s, path_of(role), v, parse_answer).value_or(Answer::kUnanswered));
        break;
      case Field::kUtm: utm_.writable(n)[row] = static_cast<std::uint8_t>(read_label(s, path_of(role), v, parse_utm_status)); break;
      case Field::kEdrStatus:
        edr_.writable(n)[row] = static_cast<std::uint8_t>(read_label(s, path_of(role), v, parse_edr_status));
        break;
      case Field::kBundlePlan:
        plan_.writable(n)[row] = static_cast<std::uint8_t>(read_label(s, path_of(role), v, parse_bundle_plan));
        break;
      case Field::kEdrCoveredEndpoints:
      case Field::kTopUpLimit:  // empty or 0: not selected
        int64_slot(role).writable(n)[row] = optional_integer(s, path_of(role), v).value_or(0);
        break;
      case Field::kTopUpDeductible:
        int64_slot(role).writable(n)[row] = optional_integer(s, path_of(role), v).value_or(PortfolioColumns::kDefault);
        break;
      case Field::kServiceMonthlyPrice:
      case Field::kPriorAnnualPremium:
        int64_slot(role).writable(n)[row] = optional_integer(s, path_of(role), v).value_or(PortfolioColumns::kNone);
        break;
      case Field::kEdrInstalledOn:
        if (const auto d = optional_date(s, path_of(role), v)) installed_.writable(n)[row] = d->day_number();
        break;
      case Field::kPhishingClickRate:
        click_.writable(n)[row] = optional_number(s, path_of(role), v).value_or(std::numeric_limits<double>::quiet_NaN());
        break;
      case Field::kSubsidyProgram:
        if (const auto id = optional_text(s, path_of(role), v)) subsidy_.writable(n)[row] = intern(subsidy_ids_, subsidy_index_, *id);
        break;
      case Field::kCount:
        break;
    }
  } catch (const Error& e) {
    record(row, role, e);
  }
}

void PortfolioBuilder::borrow_int64(std::size_t column, const std::int64_t* values) {
  const ColumnRole& role = roles_[column];
  BuilderColumn<std::int64_t>& slot = int64_slot(role);
  slot.borrowed = values;
  const FieldSpec& s = field_spec(role.field);
  const bool date = role.field == Field::kQuoteDate || role.field == Field::kEdrInstalledOn;
  const std::int64_t lo_bound = date ? bounds::min_date().day_number() : s.min;
  const std::int64_t hi_bound = date ? bounds::max_date().day_number() : s.max;
  // The values that mean "not given" in this column.
  auto not_given = [&](std::int64_t v) {
    switch (role.field) {
      case Field::kTopUpLimit: return v == 0;
      case Field::kTopUpDeductible: return v == PortfolioColumns::kDefault;
      case Field::kServiceMonthlyPrice:
      case Field::kPriorAnnualPremium: return v == PortfolioColumns::kNone;
      case Field::kQuoteDate:
      case Field::kEdrInstalledOn: return v == PortfolioColumns::kNoDay;
      default: return false;
    }
  };
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
  for (std::size_t r = 0; r < rows_; ++r) {  // vectorises; nearly always every row is in range
    lo = std::min(lo, values[r]);
    hi = std::max(hi, values[r]);
  }
  if (lo >= lo_bound && hi <= hi_bound) return;
  const FieldPath where = path_of(role);
  for (std::size_t r = 0; r < rows_; ++r) {
    const std::int64_t v = values[r];
    if (v >= lo_bound && v <= hi_bound) continue;
    if (not_given(v)) {
      if (role.field == Field::kQuoteDate && !defaults_.quote_date)
        record(r, role, Error(ErrorCode::kMissing, "quote_date", "required field is missing"));
      else if (role.field == Field::kQuoteDate)
        quote_day_.borrowed = nullptr;  // NaT rows take the default date: a copy, below
      continue;
    }
    try {
      if (date) check_day(s, where, v);
      else check_integer(s, where, v);
    } catch (const Error& e) {
      record(r, role, e);
    }
  }
  if (role.field == Field::kQuoteDate && !quote_day_.borrowed) {
    std::int64_t* own = quote_day_.writable(rows_);
    for (std::size_t r = 0; r < rows_; ++r) own[r] = values[r] == PortfolioColumns::kNoDay ? quote_day_.fill : values[r];
  }
}

void PortfolioBuilder::borrow_codes(std::size_t column, const std::uint8_t* codes) {
  const ColumnRole& role = roles_[column];
  BuilderColumn<std::uint8_t>& slot = code_slot(role.field);
  slot.borrowed = codes;
  const FieldSpec& s = field_spec(role.field);
  const unsigned max = role.field == Field::kRubberProducts ? 1u : static_cast<unsigned>(s.spellings.size() - 1);
  unsigned hi = 0;
  for (std::size_t r = 0; r < rows_; ++r) hi = std::max<unsigned>(hi, codes[r]);
  if (hi <= max) return;
  for (std::size_t r = 0; r < rows_; ++r) {
    if (codes[r] <= max) continue;
    const Error e = role.field == Field::kRubberProducts
                        ? Error(ErrorCode::kWrongType, path_of(role).str(), "must be true or false", "code " + std::to_string(codes[r]))
                        : Error(ErrorCode::kUnknownValue, path_of(role).str(), spellings_text(s), "code " + std::to_string(codes[r]));
    record(r, role, e);
  }
}

void PortfolioBuilder::borrow_numbers(std::size_t column, const double* values) {
  const ColumnRole& role = roles_[column];
  click_.borrowed = values;
  bool all_in = true;
  for (std::size_t r = 0; r < rows_; ++r) all_in &= !(values[r] < 0.0 || values[r] > 1.0 || std::isinf(values[r]));  // NaN passes
  if (all_in) return;
  const FieldSpec& s = field_spec(role.field);
  for (std::size_t r = 0; r < rows_; ++r) {
    if (std::isnan(values[r]) || (values[r] >= 0.0 && values[r] <= 1.0)) continue;
    try {
      check_number(s, path_of(role), values[r]);
    } catch (const Error& e) {
      record(r, role, e);
    }
  }
}

void PortfolioBuilder::borrow_industry_codes(std::size_t column, const std::int32_t* codes, std::vector<std::string> keys) {
  const ColumnRole& role = roles_[column];
  industry_.borrowed = codes;
  industry_keys_ = std::move(keys);
  for (std::size_t r = 0; r < rows_; ++r)
    if (codes[r] < 0 || static_cast<std::size_t>(codes[r]) >= industry_keys_.size())
      record(r, role, Error(ErrorCode::kMissing, "company.industry", "required field is missing"));
}

void PortfolioBuilder::borrow_answers(const std::uint8_t* matrix, std::size_t columns) {
  answers_.borrowed = matrix;
  answer_columns_ = columns;
}

std::uint8_t PortfolioBuilder::read_code(std::size_t column, const RawValue& v) const {
  const ColumnRole& role = roles_[column];
  const FieldSpec& s = field_spec(role.field);
  switch (role.field) {
    case Field::kSecurityAction:
      return static_cast<std::uint8_t>(optional_label(s, path_of(role), v, parse_security_action).value_or(SecurityAction::kNone));
    case Field::kRubberProducts: return read_boolean(s, path_of(role), v);
    case Field::kUtm: return static_cast<std::uint8_t>(read_label(s, path_of(role), v, parse_utm_status));
    case Field::kEdrStatus: return static_cast<std::uint8_t>(read_label(s, path_of(role), v, parse_edr_status));
    case Field::kBundlePlan: return static_cast<std::uint8_t>(read_label(s, path_of(role), v, parse_bundle_plan));
    case Field::kAnswer:
      return static_cast<std::uint8_t>(optional_label(s, path_of(role), v, parse_answer).value_or(Answer::kUnanswered));
    default: throw std::logic_error("not a label column");
  }
}

void PortfolioBuilder::set_answer_codes(std::size_t column, const std::uint8_t* codes) {
  const ColumnRole& role = roles_[column];
  std::uint8_t* matrix = answers_.writable(rows_ * items_);
  const auto item = static_cast<std::size_t>(role.key);
  for (std::size_t r = 0; r < rows_; ++r) {
    if (codes[r] > static_cast<std::uint8_t>(Answer::kNa)) {
      record(r, role, Error(ErrorCode::kUnknownValue, path_of(role).str(), spellings_text(field_spec(Field::kAnswer)),
                            "code " + std::to_string(codes[r])));
      continue;
    }
    matrix[r * items_ + item] = codes[r];
  }
}

PortfolioColumns PortfolioBuilder::columns(std::size_t first_row) {
  const std::size_t n = rows_;
  PortfolioColumns c;
  c.rows = n;
  c.first_row = first_row;
  if (defaults_.quote_date) c.quote_date = *defaults_.quote_date;
  auto column = [n](auto& col) { return col.present ? (col.borrowed ? col.borrowed : col.writable(n)) : nullptr; };
  c.quote_day = column(quote_day_);
  c.answers = answers_.borrowed ? answers_.borrowed : answers_.writable(n * items_);
  c.answer_columns = answer_columns_;
  c.security_action = column(security_action_);
  c.industry = column(industry_);
  c.industry_keys = industry_keys_;
  if (c.industry_keys.empty()) c.industry_keys.emplace_back();  // every row failed before its industry
  c.employees = column(employees_);
  c.capital_yen = column(capital_);
  c.revenue_yen = column(revenue_);
  c.endpoints = column(endpoints_);
  c.rubber_products = column(rubber_);
  c.utm = column(utm_);
  c.edr_status = column(edr_);
  c.edr_covered_endpoints = column(covered_);
  c.edr_installed_day = column(installed_);
  c.legacy_os_endpoints = column(legacy_);
  c.phishing_click_rate = column(click_);
  c.incidents_3y = column(incidents_);
  c.bundle_plan = column(plan_);
  for (std::size_t s = 0; s < limits_.size(); ++s)
    if (limits_[s].present)
      c.top_up.push_back({layout_.top_up.sections[s].key, column(limits_[s]), column(deductibles_[s])});
  c.subsidy_program = defaults_.subsidy_program;
  c.subsidy_program_code = column(subsidy_);
  c.subsidy_program_ids = subsidy_ids_;
  c.service_monthly_price_yen = column(price_);
  c.prior_annual_premium_yen = column(prior_);
  for (const auto& [row, error] : errors_) {
    if (row >= n) break;
    const auto col = error_columns_.find(row);
    c.failed_rows.push_back(
        {row, error.at(ErrorLocation{first_row + row, id(row), col == error_columns_.end() ? std::string() : col->second})});
  }
  return c;
}

}  // namespace cybercover::detail
