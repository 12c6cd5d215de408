#include "loss_cli.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cybercover/cybercover.hpp"

namespace cybercover::cli {

namespace {

using nlohmann::json;

std::string yen(double v) {
  const auto whole = static_cast<long long>(std::llround(v));
  std::string digits = std::to_string(whole < 0 ? -whole : whole);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return (whole < 0 ? "-¥" : "¥") + digits;
}

// ---- cybercover loss ------------------------------------------------------------------------

json layer_json(const LayerLoss& l, Yen listed, double charged, double capped) {
  return {{"layer", l.layer},
          {"claim_frequency", l.claim_frequency},
          {"attachment_yen", l.attachment_yen},
          {"limit_yen", l.limit_yen},
          {"expected_loss_yen", l.expected_loss_yen},
          {"capped_expected_loss_yen", capped},
          {"indicated_premium_yen", l.indicated_premium_yen},
          {"systemic_claim_frequency", l.systemic_claim_frequency},
          {"systemic_expected_loss_yen", l.systemic_expected_loss_yen},
          {"indicated_with_systemic_yen", l.total_indicated_premium_yen()},
          {"section_premium_yen", listed},
          {"charged_premium_yen", charged}};
}

}  // namespace

void print_quote_losses(std::ostream& out, const QuoteRequest& request, const Quote& quote,
                        bool json_output) {
  const QuoteLosses q = quote_losses(request, quote);
  const RatingTables& t = *quote.tables;
  const LossExposure exposure = exposure_of(request, quote);
  const ChargedPremiums& c = q.charged;
  // Exact means with the annual aggregates (Panjer), and the company's annual total.
  std::vector<double> capped;
  for (const LayerLoss& l : q.losses.layers)
    capped.push_back(layer_aggregate(t, exposure, l.layer).mean());
  const AggregateDistribution total = company_aggregate(t, exposure);
  AggregateOptions with;
  with.include_systemic = true;
  const AggregateDistribution total_systemic = company_aggregate(t, exposure, with);

  if (json_output) {
    json layers = json::array();
    for (std::size_t i = 0; i < q.losses.layers.size(); ++i)
      layers.push_back(
          layer_json(q.losses.layers[i], c.section_premium_yen[i], c.charged_yen[i], capped[i]));
    json top_up = nullptr;
    if (c.has_top_up)
      top_up = {{"expected_loss_yen", q.top_up_expected_loss_yen},
                {"systemic_expected_loss_yen", q.top_up_systemic_expected_loss_yen},
                {"indicated_premium_yen", q.top_up_indicated_premium_yen},
                {"indicated_with_systemic_yen",
                 (q.top_up_expected_loss_yen + q.top_up_systemic_expected_loss_yen) /
                     t.loss_model.top_up_target_loss_ratio},
                {"sections_total_yen", c.sections_total_yen},
                {"multi_section_factor", c.multi_section_factor.to_string()},
                {"package_yen", c.package_yen},
                {"minimum_applied", c.minimum_applied},
                {"annual_premium_yen", c.top_up_annual_yen}};
    auto tail = [](const AggregateDistribution& d) {
      return json{{"mean_yen", d.mean()},
                  {"sd_yen", d.sd()},
                  {"var_99_yen", d.value_at_risk(0.99)},
                  {"var_99_5_yen", d.value_at_risk(0.995)},
                  {"tvar_99_yen", d.tail_value_at_risk(0.99)},
                  {"tvar_99_5_yen", d.tail_value_at_risk(0.995)},
                  {"method", d.method()}};
    };
    out << json{{"incident_frequency", q.losses.incident_frequency},
                {"tier", quote.tier_name()},
                {"layers", layers},
                {"base_cover_annual_premium_yen",
                 quote.base_cover ? json(c.base_cover_annual_yen) : json(nullptr)},
                {"top_up", top_up},
                {"annual_total", tail(total)},
                {"annual_total_with_systemic", tail(total_systemic)},
                {"tables", {{"edition", t.edition}, {"sha256", t.sha256}}}}
               .dump(2)
        << "\n";
    return;
  }
  out << "Loss model (docs/loss_model.md), tier " << quote.tier_name() << ": " << std::fixed
      << std::setprecision(3) << q.losses.incident_frequency << " incidents a year\n";
  out << "  layer          claims/yr  attaches at         limit   expected loss    with caps    "
         "systemic   indicated"
         "   section premium     charged\n";
  for (std::size_t i = 0; i < q.losses.layers.size(); ++i) {
    const LayerLoss& l = q.losses.layers[i];
    out << "  " << std::left << std::setw(13) << l.layer << std::right << std::setw(10)
        << std::setprecision(4) << l.claim_frequency << std::setw(14) << yen(l.attachment_yen)
        << std::setw(14) << yen(l.limit_yen) << std::setw(16) << yen(l.expected_loss_yen)
        << std::setw(13) << yen(capped[i]) << std::setw(12) << yen(l.systemic_expected_loss_yen)
        << std::setw(12) << yen(l.indicated_premium_yen) << std::setw(18)
        << yen(static_cast<double>(c.section_premium_yen[i])) << std::setw(12)
        << yen(c.charged_yen[i]) << "\n";
  }
  if (quote.base_cover)
    out << "Base cover: indicated " << yen(q.losses.layers.front().indicated_premium_yen) << " ("
        << yen(q.losses.layers.front().total_indicated_premium_yen())
        << " with systemic events), charged " << yen(static_cast<double>(c.base_cover_annual_yen))
        << " a year\n";
  if (c.has_top_up) {
    out << "Top-up: indicated " << yen(q.top_up_indicated_premium_yen) << " ("
        << yen((q.top_up_expected_loss_yen + q.top_up_systemic_expected_loss_yen) /
               t.loss_model.top_up_target_loss_ratio)
        << " with systemic events), charged " << yen(static_cast<double>(c.top_up_annual_yen))
        << " = sections " << yen(static_cast<double>(c.sections_total_yen)) << " x "
        << c.multi_section_factor.to_string() << " = package "
        << yen(static_cast<double>(c.package_yen))
        << (c.minimum_applied ? ", raised to the minimum premium" : "") << "\n";
  }
  out << "Annual total (caps per layer not applied): mean " << yen(total.mean()) << ", VaR 99.5% "
      << yen(total.value_at_risk(0.995)) << ", TVaR 99.5% " << yen(total.tail_value_at_risk(0.995))
      << "; with systemic events " << yen(total_systemic.mean()) << " / "
      << yen(total_systemic.value_at_risk(0.995)) << " / "
      << yen(total_systemic.tail_value_at_risk(0.995)) << "\n";
  out << "Expected loss: per-claim limits only (closed form); with caps: the annual aggregates too "
         "(Panjer).\n"
         "Indicated = expected loss / target loss ratio. Charged: the quote's premium for the "
         "layer (a section's share of\n"
         "the top-up premium after the multi-section factor and the minimum).\n";
}

// ---- cybercover simulate --------------------------------------------------------------------

namespace {

// One CSV record (RFC 4180). Returns false at end of input.
bool read_record(std::istream& in, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false, any = false;
  int c;
  while ((c = in.get()) != EOF) {
    any = true;
    if (quoted) {
      if (c == '"') {
        if (in.peek() == '"') {
          in.get();
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
  if (quoted)
    throw Error(ErrorCode::kUnbalancedQuote, "csv",
                "a quoted field is not closed at the end of the file");
  fields.push_back(std::move(field));
  return true;
}

// A cell as the JSON value a request would hold: an integer or a number when it reads as one
// (the request parser then checks its type and bounds, and names the field), else a string.
json number_or_text(const std::string& s) {
  std::int64_t i = 0;
  const char* end = s.data() + s.size();
  if (auto [p, ec] = std::from_chars(s.data(), end, i); ec == std::errc() && p == end) return i;
  double d = 0;
  std::istringstream in(s);
  in.imbue(std::locale::classic());
  if (in >> d && in.peek() == EOF && std::isfinite(d)) return d;
  return s;
}

json boolean_or_text(const std::string& s) {
  if (s == "true" || s == "TRUE" || s == "True" || s == "1") return true;
  if (s == "false" || s == "FALSE" || s == "False" || s == "0") return false;
  return s;
}

// Where each CSV column goes in the request: the request contract's column -> JSON path
// (docs/request_contract.md), so a bad cell gets the same error as through `cybercover price`.
struct ColumnRule {
  enum Kind { kText, kNumber, kBoolean, kLimit, kId, kProvider } kind;
  std::vector<std::string> path;  // JSON keys
};

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  for (std::size_t dot; (dot = path.find('.', start)) != std::string_view::npos; start = dot + 1)
    keys.emplace_back(path.substr(start, dot - start));
  keys.emplace_back(path.substr(start));
  return keys;
}

ColumnRule::Kind kind_of(const FieldSpec& f) {
  if (f.field == Field::kTopUpLimit) return ColumnRule::kLimit;
  switch (f.type) {
    case FieldType::kInteger:
    case FieldType::kNumber:
      return ColumnRule::kNumber;
    case FieldType::kBoolean:
      return ColumnRule::kBoolean;
    default:
      return ColumnRule::kText;
  }
}

class CsvBook {
 public:
  CsvBook(const RatingTables& header_tables, const std::vector<std::string>& header,
          const SimulateCsvOptions& o)
      : o_(o) {
    std::map<std::string, bool> seen;
    for (const std::string& name : header) {
      if (seen[name])
        throw Error(ErrorCode::kDuplicateColumn, "header", "column appears twice",
                    quote_for_message(name));
      seen[name] = true;
      if (name == "id") {
        rules_.push_back({ColumnRule::kId, {}});
        continue;
      }
      if (name == "provider") {
        rules_.push_back({ColumnRule::kProvider, {}});
        continue;
      }
      std::optional<ColumnRule> rule;
      for (const FieldSpec& f : request_fields()) {
        if (f.field == Field::kAnswer) {
          if (header_tables.questionnaire.item_index(name) >= 0)
            rule = ColumnRule{ColumnRule::kText, {"answers", name}};
        } else if (f.field == Field::kTopUpLimit || f.field == Field::kTopUpDeductible) {
          for (const Section& s : header_tables.top_up.sections)
            if (name == column_name(f.field, s.key))
              rule = ColumnRule{kind_of(f), split_path(json_path(f.field, s.key))};
        } else if (!f.column.empty() && name == f.column) {
          rule = ColumnRule{kind_of(f), split_path(f.json_path)};
        }
        if (rule) break;
      }
      if (!rule)
        throw Error(ErrorCode::kUnknownColumn, "header",
                    "unknown column (docs/request_contract.md lists the columns; simulate also "
                    "takes provider)",
                    quote_for_message(name), ErrorLocation{0, {}, name});
      rules_.push_back(*rule);
    }
    for (const FieldSpec& f : request_fields()) {
      if (!f.required || f.column.empty() || f.field == Field::kAnswer ||
          f.field == Field::kQuoteDate)
        continue;
      if (!seen[std::string(f.column)])
        throw Error(ErrorCode::kMissingColumn, "header",
                    "required column \"" + std::string(f.column) + "\" is missing");
    }
    if (!seen["quote_date"] && !o.quote_date)
      throw Error(ErrorCode::kMissingColumn, "header",
                  "no quote_date column: give --date YYYY-MM-DD");
  }

  // The request of one record, its id and its provider.
  json request(const std::vector<std::string>& f, std::string& id, std::string& provider) const {
    if (f.size() != rules_.size())
      throw Error(ErrorCode::kWrongFieldCount, "csv",
                  "has " + std::to_string(f.size()) + " fields, the header " +
                      std::to_string(rules_.size()));
    json j = json::object();
    if (o_.quote_date) j["quote_date"] = *o_.quote_date;
    if (o_.subsidy_program) j["subsidy_program"] = *o_.subsidy_program;
    j["answers"] = json::object();
    id.clear();
    provider.clear();
    for (std::size_t i = 0; i < f.size(); ++i) {
      const ColumnRule& r = rules_[i];
      const std::string& cell = f[i];
      if (r.kind == ColumnRule::kId) {
        id = cell;
        continue;
      }
      if (r.kind == ColumnRule::kProvider) {
        provider = cell;
        continue;
      }
      if (cell.empty()) continue;  // not given: the request's default
      json value;
      switch (r.kind) {
        case ColumnRule::kBoolean:
          value = boolean_or_text(cell);
          break;
        case ColumnRule::kNumber:
          value = number_or_text(cell);
          break;
        case ColumnRule::kLimit:
          value = number_or_text(cell);
          if (value == 0) continue;  // 0 = section not selected
          break;
        default:
          value = cell;
          break;
      }
      json* at = &j;
      for (const std::string& key : r.path) at = &(*at)[key];
      *at = std::move(value);
    }
    // a deductible without its section's limit is no selection
    if (j.contains("top_up"))
      for (auto it = j["top_up"].begin(); it != j["top_up"].end();)
        it = it->contains("limit_yen") ? std::next(it) : j["top_up"].erase(it);
    if (j.contains("top_up") && j["top_up"].empty()) j.erase("top_up");
    return j;
  }

 private:
  const SimulateCsvOptions& o_;
  std::vector<ColumnRule> rules_;
};

class ProgressBar {
 public:
  explicit ProgressBar(bool on) : on_(on) {}
  void update(std::uint64_t done, std::uint64_t total) {
    if (!on_) return;
    const int width = 40;
    const double share =
        total ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 1.0;
    const int filled = static_cast<int>(share * width);
    std::fprintf(stderr, "\rsimulating [%s%s] %3d%%  %.0fM company-years",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(),
                 static_cast<int>(share * 100), static_cast<double>(done) / 1e6);
    std::fflush(stderr);
  }
  void finish() {
    if (on_) std::fprintf(stderr, "\n");
  }

 private:
  bool on_;
};

json tail_json(const TailStats& s) {
  return {{"mean_yen", s.mean},
          {"sd_yen", s.sd},
          {"se_mean_yen", s.se_mean},
          {"var_99_yen", s.var_99},
          {"se_var_99_yen", s.se_var_99},
          {"var_99_5_yen", s.var_99_5},
          {"se_var_99_5_yen", s.se_var_99_5},
          {"tvar_99_yen", s.tvar_99},
          {"se_tvar_99_yen", s.se_tvar_99},
          {"tvar_99_5_yen", s.tvar_99_5},
          {"se_tvar_99_5_yen", s.se_tvar_99_5}};
}

json curve_json(const std::vector<CurvePoint>& without, const std::vector<CurvePoint>& with) {
  json out = json::array();
  for (std::size_t i = 0; i < without.size(); ++i)
    out.push_back({{"return_period_years", without[i].return_period_years},
                   {"loss_yen", without[i].loss_yen},
                   {"loss_with_systemic_yen", with[i].loss_yen}});
  return out;
}

json ratios_json(const std::vector<LossRatioSummary>& v) {
  json out = json::array();
  for (const LossRatioSummary& r : v)
    out.push_back({{"group", r.group},
                   {"systemic", r.systemic},
                   {"premium_yen", r.premium_yen},
                   {"mean", r.mean},
                   {"sd", r.sd},
                   {"se_mean", r.se_mean},
                   {"p05", r.p05},
                   {"p50", r.p50},
                   {"p95", r.p95},
                   {"p99_5", r.p99_5}});
  return out;
}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

}  // namespace

SimulateCsvSummary simulate_csv(const Engine& engine, const SimulateCsvOptions& o) {
  if (o.years < 1)
    throw Error(ErrorCode::kBelowMinimum, "--years", "must be at least 1", std::to_string(o.years));
  if (o.output != "-" && o.input != "-" && same_file(o.input, o.output))
    throw Error(ErrorCode::kIoSameFile, o.output,
                "is the input file: the summary goes to another file");
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.input != "-") {
    file.open(o.input, std::ios::binary);
    if (!file) throw Error(ErrorCode::kIoCannotRead, o.input, "cannot open file");
    in = &file;
  }
  std::vector<std::string> header, fields;
  if (!read_record(*in, header))
    throw Error(ErrorCode::kEmptyInput, o.input, "empty file: expected a header row");
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0)
    header[0] = header[0].substr(3);  // Excel's BOM
  const RatingTables& header_tables = o.quote_date ? engine.tables_for(*Date::parse(*o.quote_date))
                                                   : *engine.library().editions().back();
  const CsvBook rows(header_tables, header, o);

  SimulateCsvSummary summary;
  std::optional<LossBook> book;
  json skipped = json::array();
  std::size_t row = 0;
  std::string id, provider;
  while (read_record(*in, fields)) {
    if (fields.size() == 1 && fields[0].empty()) continue;  // blank line
    ++row;
    ++summary.rows;
    try {
      const json j = rows.request(fields, id, provider);
      const QuoteRequest request = parse_quote_request(j, engine.library());
      const Quote quote = engine.quote(request);
      if (!book) book.emplace(quote.tables);
      book->add_quote(request, quote, row - 1, provider);
    } catch (const Error& e) {
      const Error located = e.at(ErrorLocation{row, id, column_for_field(e.field())});
      if (o.raise_on_error) throw located;
      ++summary.skipped;
      if (skipped.size() < 100)
        skipped.push_back({{"row", row}, {"id", id}, {"error", located.message()}});
    }
  }
  if (!book)
    throw Error(ErrorCode::kEmptyInput, o.input, "no row could be quoted: nothing to simulate");

  SimulationOptions so;
  so.years = o.years;
  so.seed = o.seed;
  so.threads = o.threads;
  ProgressBar bar(o.progress);
  if (o.progress)
    so.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  const SimulationTotals totals = simulate(*book, so);
  bar.finish();
  summary.company_years =
      static_cast<std::uint64_t>(book->size()) * static_cast<std::uint64_t>(o.years);
  const SimulationSummary s = summarize(totals);
  const BookExpectedLosses expected = book_expected_losses(*book);

  std::ostringstream text;
  if (o.csv) {
    text << "series,systemic,premium_yen,mean_yen,sd_yen,se_mean_yen,var_99_yen,se_var_99_yen,var_"
            "99_5_yen,se_var_99_5_yen,"
            "tvar_99_yen,se_tvar_99_yen,tvar_99_5_yen,se_tvar_99_5_yen,p_loss_exceeds_premium,se_p_"
            "loss_exceeds_premium\n";
    text << std::setprecision(17);
    for (const SeriesSummary& x : s.series) {
      const TailStats& t = x.stats;
      text << x.name << "," << (x.systemic ? "true" : "false") << "," << x.premium_yen << ","
           << t.mean << "," << t.sd << "," << t.se_mean << "," << t.var_99 << "," << t.se_var_99
           << "," << t.var_99_5 << "," << t.se_var_99_5 << "," << t.tvar_99 << "," << t.se_tvar_99
           << "," << t.tvar_99_5 << "," << t.se_tvar_99_5 << ","
           << x.probability_loss_exceeds_premium << "," << x.se_probability << "\n";
    }
  } else {
    json series = json::array();
    for (const SeriesSummary& x : s.series) {
      json e = tail_json(x.stats);
      e["name"] = x.name;
      e["systemic"] = x.systemic;
      e["premium_yen"] = x.premium_yen;
      e["p_loss_exceeds_premium"] = x.probability_loss_exceeds_premium;
      e["se_p_loss_exceeds_premium"] = x.se_probability;
      series.push_back(e);
    }
    json layers = json::array();
    for (const BookLayerLoss& l : expected.layers)
      layers.push_back({{"layer", l.layer},
                        {"companies", l.companies},
                        {"claim_frequency", l.claim_frequency},
                        {"expected_loss_yen", l.expected_loss_yen},
                        {"systemic_expected_loss_yen", l.systemic_expected_loss_yen},
                        {"indicated_premium_yen", l.indicated_premium_yen},
                        {"charged_premium_yen", l.charged_premium_yen}});
    const json doc = {
        {"tables", {{"edition", totals.edition}, {"sha256", totals.sha256}}},
        {"engine_version", engine_version()},
        {"years", totals.years},
        {"seed", totals.seed},
        {"companies", totals.companies},
        {"providers", book->providers()},
        {"rows", summary.rows},
        {"rows_skipped", summary.skipped},
        {"skipped", skipped},
        {"expected",
         {{"layers", layers},
          {"base_premium_yen", expected.base_premium_yen},
          {"top_up_premium_yen", expected.top_up_premium_yen}}},
        {"series", series},
        {"aep", curve_json(s.aep, s.aep_systemic)},
        {"oep", curve_json(s.oep, s.oep_systemic)},
        {"loss_ratios", {{"by_tier", ratios_json(s.by_tier)}, {"by_plan", ratios_json(s.by_plan)}}},
    };
    text << doc.dump(2) << "\n";
  }
  if (o.output == "-") {
    std::cout << text.str();
    std::cout.flush();
    if (!std::cout) throw Error(ErrorCode::kIoCannotWrite, "-", "write failed");
    return summary;
  }
  // Written in full to a temporary file next to the output, then renamed over it.
  const std::string temporary = o.output + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw Error(ErrorCode::kIoCannotWrite, o.output, "cannot open file for writing");
    out << text.str();
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw Error(ErrorCode::kIoCannotWrite, o.output, "write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, o.output, ec);
  if (ec) {
    std::remove(temporary.c_str());
    throw Error(ErrorCode::kIoCannotWrite, o.output, "cannot replace the file: " + ec.message());
  }
  return summary;
}

}  // namespace cybercover::cli
