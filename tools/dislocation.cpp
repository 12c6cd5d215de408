#include "dislocation.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cybercover/error.hpp"
#include "output_file.hpp"

namespace cybercover::cli {

namespace {

std::string percent_text(double pct) {
  if (std::isnan(pct)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", pct);
  return std::string(buf) == "-0.00" ? "0.00" : buf;
}

void write_header(std::ostream& out, bool ids) {
  out << "row" << (ids ? ",id" : "")
      << ",ok,error_code,error,industry,size_band,bundle_plan,tier_from,tier_to,outcome_from,outcome_to,"
         "base_annual_from_yen,base_annual_to_yen,top_up_annual_from_yen,top_up_uncapped_to_yen,top_up_annual_to_yen,"
         "renewal_code,premium_from_yen,premium_to_yen,change_yen,change_percent\n";
}

void write_rows(std::ostream& out, const CsvChunk& chunk, const Dislocation& d, const RatingTables& to) {
  const PortfolioColumns& c = chunk.columns;
  for (std::size_t i = 0; i < c.rows; ++i) {
    out << c.first_row + i;
    if (chunk.has_id_column) out << "," << csv_output_cell(chunk.ids[i]);
    if (!d.ok(i)) {
      const Error* e = d.error(i);
      const Error located = e ? e->at(ErrorLocation{0, chunk.ids[i], {}}) : Error(ErrorCode::kBadOption, "row", "not priced");
      out << ",false," << to_string(located.code()) << "," << csv_output_cell(located.what()) << std::string(17, ',') << "\n";
      continue;
    }
    const Yen from = company_premium_yen(d.from, i), to_yen = company_premium_yen(d.to, i);
    out << ",true,,," << csv_output_cell(c.industry_keys[static_cast<std::size_t>(c.industry[i])]) << ","
        << employee_band_label(to.base_cover, to.base_cover.employee_band(c.employees[i])) << ","
        << to_string(static_cast<BundlePlan>(c.bundle_plan[i])) << ","
        << csv_output_cell(d.from.tier_names[static_cast<std::size_t>(d.from.tier[i])]) << ","
        << csv_output_cell(d.to.tier_names[static_cast<std::size_t>(d.to.tier[i])]) << ","
        << to_string(static_cast<Outcome>(d.from.outcome[i])) << "," << to_string(static_cast<Outcome>(d.to.outcome[i]));
    auto optional_yen = [&out](bool given, Yen v) {
      out << ",";
      if (given) out << v;
    };
    optional_yen(d.from.has_base_cover[i], d.from.base_annual_premium_yen[i]);
    optional_yen(d.to.has_base_cover[i], d.to.base_annual_premium_yen[i]);
    optional_yen(d.from.has_top_up[i], d.from.annual_premium_yen[i]);
    optional_yen(d.to.has_top_up[i], d.to.uncapped_annual_premium_yen[i]);
    optional_yen(d.to.has_top_up[i], d.to.annual_premium_yen[i]);
    out << "," << to_string(static_cast<RenewalCode>(d.to.renewal_code[i])) << "," << from << "," << to_yen << ","
        << to_yen - from << "," << percent_text(premium_change_percent(from, to_yen)) << "\n";
  }
}

}  // namespace

DislocationSummary dislocation_csv_file(const Engine& engine, const DislocationCliOptions& o) {
  // Unknown editions fail before any file is touched.
  engine.library().edition(o.dislocation.from_edition);
  const RatingTables& to = *engine.library().edition(o.dislocation.to_edition);
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.input != "-") {
    require_readable_file(o.input);
    file.open(o.input, std::ios::binary);
    if (!file) throw Error(ErrorCode::kIoCannotRead, o.input, "cannot open file");
    in = &file;
  }
  std::optional<OutputFile> out_file;
  if (o.output != "-") out_file.emplace(o.output, std::vector<std::string>{o.input});
  std::ostream& out = out_file ? out_file->stream() : std::cout;
  CsvPriceOptions csv = o.csv;
  csv.edition = o.dislocation.from_edition;  // the old edition names the columns
  csv.progress = o.progress ? std::function<void(std::uintmax_t, std::size_t)>([](std::uintmax_t, std::size_t rows) {
    std::fprintf(stderr, "\r%zu rows", rows);
    std::fflush(stderr);
  })
                            : nullptr;
  DislocationSummary summary;
  bool header = false;
  read_csv_chunks(engine, *in, csv, [&](const CsvChunk& chunk) {
    if (!header) {
      write_header(out, chunk.has_id_column);
      header = true;
    }
    const Dislocation d = price_dislocation(engine, chunk.columns, o.dislocation);
    write_rows(out, chunk, d, to);
    summary.add(d, chunk.columns, engine, o.dislocation);
  });
  if (!header) write_header(out, false);  // a header without rows
  if (o.progress) std::fprintf(stderr, "\n");
  out.flush();
  if (!out) throw Error(ErrorCode::kIoCannotWrite, o.output == "-" ? "standard output" : o.output, "write failed");
  std::optional<OutputFile> json_file;
  if (o.summary_json) {
    json_file.emplace(*o.summary_json, std::vector<std::string>{o.input, o.output});
    json_file->stream() << dislocation_summary_json(summary, o.dislocation) << "\n";
  }
  if (out_file) out_file->commit();
  if (json_file) json_file->commit();
  return summary;
}

std::string dislocation_summary_json(const DislocationSummary& s, const DislocationOptions& o) {
  nlohmann::json groups = nlohmann::json::object();
  for (const auto& [axis, levels] : s.groups) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [level, g] : levels)
      rows.push_back({{"level", level},
                      {"companies", g.companies},
                      {"premium_from_yen", g.from_yen},
                      {"premium_to_yen", g.to_yen},
                      {"change_percent", premium_change_percent(g.from_yen, g.to_yen)},
                      {"increases", g.increases},
                      {"decreases", g.decreases},
                      {"unchanged", g.unchanged}});
    groups[axis] = rows;
  }
  nlohmann::json quantiles = nlohmann::json::object();
  for (const auto& [name, p] : {std::pair<const char*, double>{"min", 0.0}, {"p05", 0.05}, {"p25", 0.25}, {"median", 0.5},
                                {"p75", 0.75}, {"p95", 0.95}, {"max", 1.0}})
    quantiles[name] = s.change_percent.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.quantile(p));
  return nlohmann::json{{"from_edition", o.from_edition},
                        {"to_edition", o.to_edition},
                        {"renewal_cap", o.renewal_cap},
                        {"companies", s.companies},
                        {"errors", s.errors},
                        {"premium_from_yen", s.total_from_yen},
                        {"premium_to_yen", s.total_to_yen},
                        {"change_yen", s.total_to_yen - s.total_from_yen},
                        {"change_percent", premium_change_percent(s.total_from_yen, s.total_to_yen)},
                        {"base_cover_from_yen", s.base_from_yen},
                        {"base_cover_to_yen", s.base_to_yen},
                        {"top_up_from_yen", s.top_up_from_yen},
                        {"top_up_uncapped_to_yen", s.top_up_uncapped_yen},
                        {"top_up_to_yen", s.top_up_to_yen},
                        {"increases", s.increases},
                        {"decreases", s.decreases},
                        {"unchanged", s.unchanged},
                        {"increase_capped", s.increase_capped},
                        {"decrease_capped", s.decrease_capped},
                        {"change_percent_quantiles", quantiles},
                        {"groups", groups}}
      .dump(2);
}

void print_dislocation_summary(std::ostream& out, const DislocationSummary& s, const DislocationOptions& o) {
  auto pct = [](Yen from, Yen to) {
    const double p = premium_change_percent(from, to);
    std::ostringstream t;
    t << std::showpos << std::fixed << std::setprecision(1) << p << "%";
    return std::isnan(p) ? std::string("-") : t.str();
  };
  out << "Dislocation " << o.from_edition << " -> " << o.to_edition << (o.renewal_cap ? " (with the renewal cap)" : "")
      << ": " << s.companies << " companies priced under both";
  if (s.errors) out << ", " << s.errors << " rows with an error";
  out << "\n  premium " << s.total_from_yen << " -> " << s.total_to_yen << " yen (" << pct(s.total_from_yen, s.total_to_yen)
      << "); top-up " << s.top_up_from_yen << " -> " << s.top_up_to_yen << " (uncapped " << s.top_up_uncapped_yen
      << "), base cover " << s.base_from_yen << " -> " << s.base_to_yen << "\n";
  out << "  " << s.decreases << " pay less, " << s.increases << " pay more, " << s.unchanged << " the same; the cap held "
      << s.increase_capped << " increases and " << s.decrease_capped << " decreases\n";
  if (!s.change_percent.empty()) {
    out << "  change per company: min " << std::fixed << std::setprecision(1) << s.quantile(0) << "%, 5% "
        << s.quantile(0.05) << "%, 25% " << s.quantile(0.25) << "%, median " << s.quantile(0.5) << "%, 75% "
        << s.quantile(0.75) << "%, 95% " << s.quantile(0.95) << "%, max " << s.quantile(1) << "%\n";
  }
  for (const char* axis : {"tier", "industry", "size_band", "plan"}) {
    const auto it = s.groups.find(axis);
    if (it == s.groups.end()) continue;
    out << "  by " << axis << ":\n";
    for (const auto& [level, g] : it->second)
      out << "    " << std::left << std::setw(26) << level << std::right << std::setw(8) << g.companies << std::setw(16)
          << g.from_yen << std::setw(16) << g.to_yen << std::setw(9) << pct(g.from_yen, g.to_yen) << "\n";
  }
}

}  // namespace cybercover::cli
