#pragma once
// Dislocation (docs/rate_revision.md): one book priced under two editions, every date
// unchanged (as-if pricing), and each company's premium change: its distribution, the change
// by tier, industry, size band and plan, the winners and losers, and the total. The new
// edition's renewal cap holds each renewal's top-up premium against its premium under the old
// edition. Every figure is the engine's exact yen; only the percentages are doubles.
//
// Example:
//   DislocationOptions o;
//   o.from_edition = "2026-12";
//   o.to_edition = "2027-04";
//   const Dislocation d = price_dislocation(engine, columns, o);
//   DislocationSummary s;
//   s.add(d, columns, engine);
//   std::cout << s.total_to_yen - s.total_from_yen << "\n";

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "cybercover/batch/portfolio.hpp"

namespace cybercover {

struct DislocationOptions {
  std::string from_edition, to_edition;
  // Cap each renewal's new top-up premium against its premium under from_edition, with the
  // renewal cap of to_edition (rows that give their own prior_annual_premium_yen keep theirs).
  bool renewal_cap = true;
  int threads = 0;
};

// A company's premium under an edition: the base cover's annual premium (what the bundle
// provider pays) plus the top-up's annual premium (before subsidy); 0 for what it lacks.
Yen company_premium_yen(const PortfolioResult& r, std::size_t row);

struct Dislocation {
  PortfolioResult from, to;  // the book under each edition (to: with the renewal cap)
  // Rows priced under both editions.
  bool ok(std::size_t row) const { return from.ok[row] && to.ok[row]; }
  // The error of a row that failed: under from_edition first, else under to_edition.
  const Error* error(std::size_t row) const;
};

// Prices the columns under both editions (as-if: dates unchanged). Throws for problems of the
// whole call (an unknown edition: no_edition.unknown_edition); bad rows fail alone.
Dislocation price_dislocation(const Engine& engine, const PortfolioColumns& columns, const DislocationOptions& options);

// The premium change of a company in percent of its old premium; NaN when the old premium is 0.
double premium_change_percent(Yen from_yen, Yen to_yen);

// Totals, the distribution of the change and the change by group, accumulated over chunks.
struct DislocationSummary {
  struct Group {
    std::size_t companies = 0;
    Yen from_yen = 0, to_yen = 0;
    std::size_t increases = 0, decreases = 0, unchanged = 0;
  };
  std::size_t companies = 0, errors = 0;
  Yen total_from_yen = 0, total_to_yen = 0;
  Yen top_up_from_yen = 0, top_up_to_yen = 0, top_up_uncapped_yen = 0, base_from_yen = 0, base_to_yen = 0;
  std::size_t increases = 0, decreases = 0, unchanged = 0;
  std::size_t increase_capped = 0, decrease_capped = 0;  // renewals the cap held
  std::vector<double> change_percent;  // every company with an old premium, for the quantiles
  // By axis ("tier", "industry", "size_band", "plan"), then level, in first-seen order of levels.
  std::map<std::string, std::vector<std::pair<std::string, Group>>> groups;

  // Adds one priced chunk (its tiers are the old edition's; size bands its employee bands).
  void add(const Dislocation& d, const PortfolioColumns& columns, const Engine& engine, const DislocationOptions& options);
  // The p-quantile of change_percent (p in [0, 1]; linear between order statistics).
  double quantile(double p) const;
};

// The label of an employee band of base_cover.json: "1-20", "21-50", ..., "301+".
std::string employee_band_label(const BaseCoverTable& table, int band);

}  // namespace cybercover
