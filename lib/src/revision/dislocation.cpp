// One book under two editions: the premium change of each company and its summary.

#include "cybercover/revision/dislocation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cybercover/error.hpp"

namespace cybercover {

Yen company_premium_yen(const PortfolioResult& r, std::size_t row) {
  return (r.has_base_cover[row] ? r.base_annual_premium_yen[row] : 0) + (r.has_top_up[row] ? r.annual_premium_yen[row] : 0);
}

const Error* Dislocation::error(std::size_t row) const {
  for (const PortfolioResult* r : {&from, &to})
    if (!r->ok[row]) {
      const auto it = std::lower_bound(r->errors.begin(), r->errors.end(), row,
                                       [](const RowError& e, std::size_t i) { return e.row < i; });
      if (it != r->errors.end() && it->row == row) return &it->error;
    }
  return nullptr;
}

Dislocation price_dislocation(const Engine& engine, const PortfolioColumns& columns, const DislocationOptions& options) {
  if (options.from_edition.empty() || options.to_edition.empty())
    throw Error(ErrorCode::kBadOption, "edition", "a dislocation needs the edition to price from and the edition to price to");
  engine.library().edition(options.from_edition);  // unknown ids fail the call, not every row
  engine.library().edition(options.to_edition);
  Dislocation d;
  BatchOptions batch;
  batch.threads = options.threads;
  batch.on_error = OnError::kCollect;
  batch.edition = options.from_edition;
  d.from = price_portfolio(engine, columns, batch);

  // A renewal's prior premium is its top-up premium under the old edition (unless the row
  // gives its own): the new edition's cap then holds the change.
  PortfolioColumns to_columns = columns;
  std::vector<std::int64_t> prior;
  if (options.renewal_cap) {
    prior.resize(columns.rows);
    for (std::size_t i = 0; i < columns.rows; ++i) {
      const std::int64_t given = columns.prior_annual_premium_yen ? columns.prior_annual_premium_yen[i] : PortfolioColumns::kNone;
      const bool priced = d.from.ok[i] && d.from.has_top_up[i] && d.from.annual_premium_yen[i] > 0;
      prior[i] = given != PortfolioColumns::kNone ? given : priced ? d.from.annual_premium_yen[i] : PortfolioColumns::kNone;
    }
    to_columns.prior_annual_premium_yen = prior.data();
  }
  batch.edition = options.to_edition;
  d.to = price_portfolio(engine, to_columns, batch);
  return d;
}

double premium_change_percent(Yen from_yen, Yen to_yen) {
  if (from_yen == 0) return std::numeric_limits<double>::quiet_NaN();
  return 100.0 * static_cast<double>(to_yen - from_yen) / static_cast<double>(from_yen);
}

std::string employee_band_label(const BaseCoverTable& table, int band) {
  const auto b = static_cast<std::size_t>(band);
  const std::int64_t lo = b == 0 ? 1 : table.employee_band_max[b - 1] + 1;
  if (b + 1 == table.employee_band_max.size()) return std::to_string(lo) + "+";
  return std::to_string(lo) + "-" + std::to_string(table.employee_band_max[b]);
}

void DislocationSummary::add(const Dislocation& d, const PortfolioColumns& columns, const Engine& engine,
                             const DislocationOptions& options) {
  const RatingTables& to = *engine.library().edition(options.to_edition);
  const RatingTables& from = *engine.library().edition(options.from_edition);
  if (groups.empty()) {  // every level in the tables' order, those with no company too
    for (const Tier& t : from.posture.tiers) groups["tier"].emplace_back(t.name, Group{});
    for (const Industry& ind : to.underwriting.industries) groups["industry"].emplace_back(ind.key, Group{});
    for (std::size_t b = 0; b < to.base_cover.employee_band_max.size(); ++b)
      groups["size_band"].emplace_back(employee_band_label(to.base_cover, static_cast<int>(b)), Group{});
    for (int p = 0; p < kBundlePlanCount; ++p) groups["plan"].emplace_back(std::string(to_string(static_cast<BundlePlan>(p))), Group{});
  }
  auto group = [this](const std::string& axis, const std::string& level) -> Group& {
    auto& levels = groups[axis];
    for (auto& [name, g] : levels)
      if (name == level) return g;
    levels.emplace_back(level, Group{});
    return levels.back().second;
  };
  for (std::size_t i = 0; i < columns.rows; ++i) {
    if (!d.ok(i)) {
      ++errors;
      continue;
    }
    ++companies;
    const Yen from_yen = company_premium_yen(d.from, i), to_yen = company_premium_yen(d.to, i);
    total_from_yen += from_yen;
    total_to_yen += to_yen;
    base_from_yen += d.from.has_base_cover[i] ? d.from.base_annual_premium_yen[i] : 0;
    base_to_yen += d.to.has_base_cover[i] ? d.to.base_annual_premium_yen[i] : 0;
    if (d.from.has_top_up[i]) top_up_from_yen += d.from.annual_premium_yen[i];
    if (d.to.has_top_up[i]) {
      top_up_to_yen += d.to.annual_premium_yen[i];
      top_up_uncapped_yen += d.to.uncapped_annual_premium_yen[i];
    }
    const auto code = static_cast<RenewalCode>(d.to.renewal_code[i]);
    increase_capped += code == RenewalCode::kIncreaseCapped;
    decrease_capped += code == RenewalCode::kDecreaseCapped;
    const int sign = (to_yen > from_yen) - (to_yen < from_yen);
    (sign > 0 ? increases : sign < 0 ? decreases : unchanged) += 1;
    const double pct = premium_change_percent(from_yen, to_yen);
    if (!std::isnan(pct)) change_percent.push_back(pct);
    const std::int32_t industry = columns.industry[i];
    const std::string levels[][2] = {
        {"tier", d.from.tier_names[static_cast<std::size_t>(d.from.tier[i])]},
        {"industry", columns.industry_keys[static_cast<std::size_t>(industry)]},
        {"size_band", employee_band_label(to.base_cover, to.base_cover.employee_band(columns.employees[i]))},
        {"plan", std::string(to_string(static_cast<BundlePlan>(columns.bundle_plan[i])))}};
    for (const auto& [axis, level] : levels) {
      Group& g = group(axis, level);
      ++g.companies;
      g.from_yen += from_yen;
      g.to_yen += to_yen;
      (sign > 0 ? g.increases : sign < 0 ? g.decreases : g.unchanged) += 1;
    }
  }
}

double DislocationSummary::quantile(double p) const {
  if (change_percent.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v = change_percent;
  std::sort(v.begin(), v.end());
  const double at = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (at - static_cast<double>(lo));
}

}  // namespace cybercover
