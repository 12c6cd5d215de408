#include "price_csv.hpp"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sys/stat.h>

#include "cybercover/batch/portfolio.hpp"
#include "cybercover/error.hpp"

namespace cybercover::cli {

namespace {

// Splits one CSV record (RFC 4180: quotes, doubled quotes, commas and newlines inside quotes).
// Returns false at end of input.
bool read_record(std::istream& in, std::vector<std::string>& fields, std::size_t& bytes) {
  fields.clear();
  std::string field;
  bool quoted = false, any = false;
  int c;
  while ((c = in.get()) != EOF) {
    ++bytes;
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get();
          ++bytes;
          field += '"';
        } else {
          quoted = false;
        }
      } else {
        field += static_cast<char>(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      field += static_cast<char>(c);
    }
  }
  if (!any) return false;
  fields.push_back(std::move(field));
  return true;
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A row's field could not be read: the row fails with a message like a JSON request's.
using FieldError = Error;

class ChunkBuilder {
 public:
  ChunkBuilder(const RatingTables& t, const std::vector<std::string>& header, const PriceCsvOptions& o)
      : tables_(t), options_(o) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      const std::string& name = header[i];
      if (column_.count(name)) throw Error(ErrorCode::kDuplicateColumn, "header", "column appears twice", quote_for_message(name));
      column_[name] = i;
      const int item = t.questionnaire.item_index(name);
      if (item >= 0) {
        item_column_.resize(t.questionnaire.items.size(), -1);
        item_column_[static_cast<std::size_t>(item)] = static_cast<int>(i);
        continue;
      }
      if (!known(name)) throw Error(ErrorCode::kUnknownColumn, "header", "unknown column", quote_for_message(name));
    }
    if (item_column_.empty()) item_column_.assign(t.questionnaire.items.size(), -1);
    for (const char* required : {"industry", "employees", "capital_yen", "revenue_yen", "endpoints", "utm", "edr_status",
                                 "legacy_os_endpoints", "incidents_3y", "bundle_plan"})
      if (!column_.count(required)) throw Error(ErrorCode::kMissingColumn, "header", std::string("required column \"") + required + "\" is missing");
    if (!column_.count("quote_date") && !o.quote_date)
      throw Error(ErrorCode::kMissingColumn, "header", "no quote_date column: give --date YYYY-MM-DD");
    for (const auto& ind : t.underwriting.industries) industry_keys_.push_back(ind.key);
    for (const auto& s : t.top_up.sections) sections_.push_back(s.key);
    limits_.resize(sections_.size());
    deductibles_.resize(sections_.size());
  }

  void clear() {
    rows_.clear();
    answers_.clear();
    for (auto* v : {&sa_, &utm_, &edr_, &plan_, &rubber_}) v->clear();
    industry_.clear();
    for (auto* v : {&day_, &employees_, &capital_, &revenue_, &endpoints_, &covered_, &installed_, &legacy_, &incidents_, &price_}) v->clear();
    click_.clear();
    for (auto& v : limits_) v.clear();
    for (auto& v : deductibles_) v.clear();
  }

  // Adds a record; returns a field error instead when one of its fields cannot be read.
  std::optional<FieldError> add(const std::vector<std::string>& f, std::size_t row) {
    try {
      const std::size_t answers_before = answers_.size();
      for (int col : item_column_) {
        std::uint8_t code = 0;
        if (col >= 0 && !cell(f, static_cast<std::size_t>(col)).empty()) {
          const auto a = parse_answer(cell(f, static_cast<std::size_t>(col)));
          if (!a) {
            answers_.resize(answers_before);
            throw FieldError(ErrorCode::kUnknownValue, "answers." + header_name(static_cast<std::size_t>(col)),
                             "must be one of \"yes\", \"partial\", \"no\", \"unknown\", \"na\"", quote_for_message(cell(f, static_cast<std::size_t>(col))));
          }
          code = static_cast<std::uint8_t>(*a);
        }
        answers_.push_back(code);
      }
      Staged s;
      s.day = text_or("quote_date", f).empty() ? options_date() : date("quote_date", text_or("quote_date", f)).day_number();
      s.sa = code_of<SecurityAction>(f, "security_action", parse_security_action, SecurityAction::kNone);
      s.industry = industry(f);
      s.employees = integer(f, "employees", "company.employees", 1);
      s.capital = integer(f, "capital_yen", "company.capital_yen", 0);
      s.revenue = integer(f, "revenue_yen", "company.revenue_yen", 0);
      s.endpoints = integer(f, "endpoints", "company.endpoints", 0);
      s.rubber = boolean(f, "rubber_products");
      s.utm = code_of<UtmStatus>(f, "utm", parse_utm_status, UtmStatus::kNone, true);
      s.edr = code_of<EdrStatus>(f, "edr_status", parse_edr_status, EdrStatus::kNone, true);
      s.covered = text_or("edr_covered_endpoints", f).empty() ? 0 : integer(f, "edr_covered_endpoints", "controls.edr.covered_endpoints", 0);
      s.installed = text_or("edr_installed_on", f).empty() ? PortfolioColumns::kNoDay
                                                           : date("controls.edr.installed_on", text_or("edr_installed_on", f)).day_number();
      s.legacy = integer(f, "legacy_os_endpoints", "controls.legacy_os_endpoints", 0);
      s.click = text_or("phishing_click_rate", f).empty() ? std::nan("") : number(f, "phishing_click_rate", "controls.phishing_click_rate");
      s.incidents = integer(f, "incidents_3y", "controls.incidents_3y", 0);
      s.plan = code_of<BundlePlan>(f, "bundle_plan", parse_bundle_plan, BundlePlan::kNone, true);
      s.price = text_or("service_monthly_price_yen", f).empty() ? PortfolioColumns::kNone
                                                                : integer(f, "service_monthly_price_yen", "service_monthly_price_yen", 0);
      for (std::size_t k = 0; k < sections_.size(); ++k) {
        const std::string limit_col = sections_[k] + "_limit_yen", ded_col = sections_[k] + "_deductible_yen";
        s.limits.push_back(text_or(limit_col, f).empty() ? 0 : integer(f, limit_col, "top_up." + sections_[k] + ".limit_yen", 0));
        s.deductibles.push_back(text_or(ded_col, f).empty() ? PortfolioColumns::kDefault
                                                            : integer(f, ded_col, "top_up." + sections_[k] + ".deductible_yen", 0));
      }
      commit(s, row);
      return std::nullopt;
    } catch (const FieldError& e) {
      answers_.resize(rows_.size() * tables_.questionnaire.items.size());
      return e;
    }
  }

  PortfolioColumns columns() const {
    PortfolioColumns c;
    c.rows = rows_.size();
    c.quote_day = day_.data();
    c.answers = answers_.data();
    c.answer_columns = tables_.questionnaire.items.size();
    c.security_action = sa_.data();
    c.industry = industry_.data();
    c.industry_keys = industry_keys_;
    c.employees = employees_.data();
    c.capital_yen = capital_.data();
    c.revenue_yen = revenue_.data();
    c.endpoints = endpoints_.data();
    c.rubber_products = rubber_.data();
    c.utm = utm_.data();
    c.edr_status = edr_.data();
    c.edr_covered_endpoints = covered_.data();
    c.edr_installed_day = installed_.data();
    c.legacy_os_endpoints = legacy_.data();
    c.phishing_click_rate = click_.data();
    c.incidents_3y = incidents_.data();
    c.bundle_plan = plan_.data();
    c.service_monthly_price_yen = price_.data();
    for (std::size_t k = 0; k < sections_.size(); ++k) c.top_up.push_back({sections_[k], limits_[k].data(), deductibles_[k].data()});
    c.subsidy_program = options_.subsidy_program;
    return c;
  }

  const std::vector<std::size_t>& rows() const { return rows_; }
  const std::vector<std::string>& sections() const { return sections_; }
  std::optional<std::size_t> id_column() const {
    const auto it = column_.find("id");
    return it == column_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }

 private:
  struct Staged {
    std::int64_t day = 0, employees = 0, capital = 0, revenue = 0, endpoints = 0, covered = 0, installed = 0, legacy = 0,
                 incidents = 0, price = 0;
    std::int32_t industry = 0;
    std::uint8_t sa = 0, utm = 0, edr = 0, plan = 0, rubber = 0;
    double click = 0;
    std::vector<std::int64_t> limits, deductibles;
  };

  void commit(const Staged& s, std::size_t row) {
    rows_.push_back(row);
    day_.push_back(s.day);
    sa_.push_back(s.sa);
    industry_.push_back(s.industry);
    employees_.push_back(s.employees);
    capital_.push_back(s.capital);
    revenue_.push_back(s.revenue);
    endpoints_.push_back(s.endpoints);
    rubber_.push_back(s.rubber);
    utm_.push_back(s.utm);
    edr_.push_back(s.edr);
    covered_.push_back(s.covered);
    installed_.push_back(s.installed);
    legacy_.push_back(s.legacy);
    click_.push_back(s.click);
    incidents_.push_back(s.incidents);
    plan_.push_back(s.plan);
    price_.push_back(s.price);
    for (std::size_t k = 0; k < sections_.size(); ++k) {
      limits_[k].push_back(s.limits[k]);
      deductibles_[k].push_back(s.deductibles[k]);
    }
  }

  bool known(const std::string& name) const {
    static const char* kFixed[] = {"id", "quote_date", "industry", "employees", "capital_yen", "revenue_yen", "endpoints",
                                   "rubber_products", "security_action", "utm", "edr_status", "edr_covered_endpoints",
                                   "edr_installed_on", "legacy_os_endpoints", "phishing_click_rate", "incidents_3y",
                                   "bundle_plan", "service_monthly_price_yen"};
    for (const char* k : kFixed)
      if (name == k) return true;
    for (const auto& s : tables_.top_up.sections)
      if (name == s.key + "_limit_yen" || name == s.key + "_deductible_yen") return true;
    return false;
  }

  std::string header_name(std::size_t col) const {
    for (const auto& [name, index] : column_)
      if (index == col) return name;
    return "";
  }

  static const std::string& cell(const std::vector<std::string>& f, std::size_t col) {
    static const std::string empty;
    return col < f.size() ? f[col] : empty;
  }
  const std::string& text_or(const std::string& name, const std::vector<std::string>& f) const {
    static const std::string empty;
    const auto it = column_.find(name);
    return it == column_.end() ? empty : cell(f, it->second);
  }

  std::int64_t options_date() const {
    if (!options_.quote_date) throw FieldError(ErrorCode::kMissing, "quote_date", "is empty and no --date was given");
    return date("quote_date", *options_.quote_date).day_number();
  }
  static Date date(const std::string& field, const std::string& text) {
    const auto d = Date::parse(text);
    if (!d) throw FieldError(ErrorCode::kInvalidDate, field, "must be a valid date \"YYYY-MM-DD\"", quote_for_message(text));
    return *d;
  }
  std::int64_t integer(const std::vector<std::string>& f, const std::string& col, const std::string& field, std::int64_t min) const {
    const std::string& t = text_or(col, f);
    std::int64_t v = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size())
      throw FieldError(ErrorCode::kWrongType, field, "must be an integer", quote_for_message(t));
    if (v < min) throw FieldError(ErrorCode::kBelowMinimum, field, "must be an integer >= " + std::to_string(min), t);
    return v;
  }
  double number(const std::vector<std::string>& f, const std::string& col, const std::string& field) const {
    const std::string& t = text_or(col, f);
    double v = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (r.ec != std::errc() || r.ptr != t.data() + t.size() || !std::isfinite(v))
      throw FieldError(ErrorCode::kWrongType, field, "must be a finite number", quote_for_message(t));
    return v;
  }
  std::uint8_t boolean(const std::vector<std::string>& f, const std::string& col) const {
    const std::string& t = text_or(col, f);
    if (t.empty() || t == "false" || t == "False" || t == "0") return 0;
    if (t == "true" || t == "True" || t == "1") return 1;
    throw FieldError(ErrorCode::kWrongType, "company." + col, "must be true or false", quote_for_message(t));
  }
  template <typename E>
  std::uint8_t code_of(const std::vector<std::string>& f, const std::string& col, std::optional<E> (*parse)(std::string_view),
                       E fallback, bool required = false) const {
    const std::string& t = text_or(col, f);
    if (t.empty() && !required) return static_cast<std::uint8_t>(fallback);
    const auto v = parse(t);
    const std::string field = col == "utm" ? "controls.utm" : col == "edr_status" ? "controls.edr.status" : col;
    if (!v) throw FieldError(ErrorCode::kUnknownValue, field, "unknown value", quote_for_message(t));
    return static_cast<std::uint8_t>(*v);
  }
  std::int32_t industry(const std::vector<std::string>& f) const {
    const std::string& t = text_or("industry", f);
    for (std::size_t i = 0; i < industry_keys_.size(); ++i)
      if (industry_keys_[i] == t) return static_cast<std::int32_t>(i);
    std::string known;
    for (const auto& k : industry_keys_) known += (known.empty() ? "" : ", ") + k;
    throw FieldError(ErrorCode::kUnknownIndustry, "company.industry", "unknown industry (known: " + known + ")", quote_for_message(t));
  }

  const RatingTables& tables_;
  const PriceCsvOptions& options_;
  std::map<std::string, std::size_t> column_;
  std::vector<int> item_column_;
  std::vector<std::string> industry_keys_, sections_;
  std::vector<std::size_t> rows_;
  std::vector<std::uint8_t> answers_, sa_, utm_, edr_, plan_, rubber_;
  std::vector<std::int32_t> industry_;
  std::vector<std::int64_t> day_, employees_, capital_, revenue_, endpoints_, covered_, installed_, legacy_, incidents_, price_;
  std::vector<double> click_;
  std::vector<std::vector<std::int64_t>> limits_, deductibles_;
};

class Progress {
 public:
  Progress(bool on, std::uintmax_t total) : on_(on), total_(total) {}
  void update(std::uintmax_t done, std::size_t rows) {
    if (!on_) return;
    const int width = 40;
    const double share = total_ ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 0.0;
    const int filled = static_cast<int>(share * width);
    std::fprintf(stderr, "\r[%s%s] %3d%%  %zu rows", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), static_cast<int>(share * 100), rows);
    std::fflush(stderr);
  }
  void finish() {
    if (on_) std::fprintf(stderr, "\n");
  }

 private:
  bool on_;
  std::uintmax_t total_;
};

}  // namespace

PriceCsvSummary price_csv(const Engine& engine, const PriceCsvOptions& o) {
  std::ifstream file;
  std::istream* in = &std::cin;
  std::uintmax_t total_bytes = 0;
  if (o.input != "-") {
    file.open(o.input, std::ios::binary);
    if (!file) throw Error(ErrorCode::kIoCannotRead, o.input, "cannot open file");
    in = &file;
    struct stat st {};
    if (::stat(o.input.c_str(), &st) == 0) total_bytes = static_cast<std::uintmax_t>(st.st_size);
  }
  std::ofstream out_file;
  std::ostream* out = &std::cout;
  if (o.output != "-") {
    out_file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!out_file) throw Error(ErrorCode::kIoCannotWrite, o.output, "cannot open file for writing");
    out = &out_file;
  }

  std::vector<std::string> header;
  std::size_t bytes = 0;
  if (!read_record(*in, header, bytes)) throw Error(ErrorCode::kEmptyInput, o.input, "empty file: expected a header row");
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0] = header[0].substr(3);  // Excel's BOM
  // The header is checked against the edition in force on --date, or the newest edition.
  const RatingTables& header_tables = o.quote_date ? engine.tables_for(*Date::parse(*o.quote_date)) : *engine.library().editions().back();
  ChunkBuilder chunk(header_tables, header, o);
  const auto id_col = chunk.id_column();

  *out << "row" << (id_col ? ",id" : "") << ",ok,error,score,unknown_count,posture_index,tier,outcome,decision_codes,"
       << "base_monthly_premium_yen,base_annual_premium_yen";
  for (const auto& s : chunk.sections()) *out << "," << s << "_premium_yen";
  *out << ",package_yen,annual_premium_yen,subsidy_yen,subsidy_code,payable_annual_yen,monthly_instalment_yen\n";

  PriceCsvSummary summary;
  Progress progress(o.progress, total_bytes);
  BatchOptions batch;
  batch.threads = o.threads;
  batch.on_error = OnError::kCollect;
  std::vector<std::string> fields;
  struct Pending {
    std::size_t row;
    std::string id;
    std::optional<std::string> error;
  };
  std::vector<Pending> pending;  // this chunk's rows in file order
  bool more = true;
  std::size_t row = 0;
  while (more) {
    chunk.clear();
    pending.clear();
    while (pending.size() < o.chunk_rows && (more = read_record(*in, fields, bytes))) {
      if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
      ++row;
      const auto field_error = chunk.add(fields, row);
      Pending p{row, id_col && *id_col < fields.size() ? fields[*id_col] : "", std::nullopt};
      if (field_error) {
        const Error e = field_error->at(ErrorLocation{row, {}, {}});
        if (o.raise_on_error) throw e;
        p.error = e.message();
      }
      pending.push_back(std::move(p));
    }
    const PortfolioColumns cols = chunk.columns();
    const PortfolioResult r = price_portfolio(engine, cols, batch);
    if (o.raise_on_error && !r.errors.empty()) {
      const auto& first = r.errors.front();
      throw first.error.at(ErrorLocation{chunk.rows()[first.row], {}, {}});
    }
    std::size_t next_error = 0, k = 0;
    for (const Pending& p : pending) {
      *out << p.row << (id_col ? "," + csv_escape(p.id) : "");
      ++summary.rows;
      if (p.error) {
        ++summary.errors;
        *out << ",false," << csv_escape(*p.error) << ",,,,,,,,," << std::string(chunk.sections().size(), ',') << ",,,,,\n";
        continue;
      }
      const std::size_t i = k++;
      if (!r.ok[i]) {
        while (r.errors[next_error].row != i) ++next_error;
        ++summary.errors;
        *out << ",false," << csv_escape(r.errors[next_error].error.message()) << ",,,,,,,,," << std::string(chunk.sections().size(), ',') << ",,,,,\n";
        continue;
      }
      std::string codes;
      for (int c = 0; c < kDecisionCodeCount; ++c)
        if (r.decision_codes[i] & (1u << c)) codes += (codes.empty() ? "" : "|") + std::string(to_string(static_cast<DecisionCode>(c)));
      *out << ",true,," << r.score[i] << "," << r.unknown_count[i] << "," << r.posture_index[i] << ","
           << r.tier_names[static_cast<std::size_t>(r.tier[i])] << "," << to_string(static_cast<Outcome>(r.outcome[i])) << "," << codes;
      if (r.has_base_cover[i]) *out << "," << r.base_monthly_premium_yen[i] << "," << r.base_annual_premium_yen[i];
      else *out << ",,";
      for (std::size_t s = 0; s < chunk.sections().size(); ++s) {
        *out << ",";
        if (r.has_top_up[i] && r.section_premium_yen[s][i] > 0) *out << r.section_premium_yen[s][i];
      }
      if (r.has_top_up[i]) {
        const std::string_view sc = to_string(static_cast<SubsidyCode>(r.subsidy_code[i]));
        *out << "," << r.package_yen[i] << "," << r.annual_premium_yen[i] << "," << r.subsidy_yen[i] << "," << sc << ","
             << r.payable_annual_yen[i] << "," << r.monthly_instalment_yen[i] << "\n";
      } else {
        *out << ",,,,,,\n";
      }
    }
    progress.update(bytes, summary.rows);
  }
  progress.finish();
  out->flush();
  if (!*out) throw Error(ErrorCode::kIoCannotWrite, o.output, "write failed");
  return summary;
}

}  // namespace cybercover::cli
