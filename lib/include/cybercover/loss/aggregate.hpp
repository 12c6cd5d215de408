#pragma once
// Exact aggregate distributions of annual loss, as actuar's discretize and aggregateDist
// compute them: the claim payment is discretised on a lattice of span h (rounding, or the
// unbiased local-moment method), then compounded with the claim count by Panjer's recursion
// or by FFT (Eigen's FFT module). Exact up to the discretisation: with the unbiased method
// the mean of each claim payment is kept exactly.
//
// * layer_aggregate: one layer of a company, with its per-claim limit and deductible and its
//   annual aggregate (the cap is applied to the annual sum: min(S, limit)).
// * company_aggregate: a company's annual total over its layers, with each incident's payments
//   on all its sections (their dependence through the one ground-up cost kept exactly). The
//   annual aggregate caps are per layer, so they cannot be applied to the total: this
//   distribution is an upper bound (it ignores them). capped_mean_yen gives the exact mean
//   with the caps, from the layers' distributions.
// * book_aggregate: the sum over a book's companies (independent without systemic events)
//   of one layer's capped annual loss, or of each company's total.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/loss/book.hpp"
#include "cybercover/loss/distributions.hpp"
#include "cybercover/loss/loss_model.hpp"

namespace cybercover {

enum class Discretization : std::uint8_t {
  kRounding,  // mass of ((j - 1/2) h, (j + 1/2) h] at j h (actuar's "rounding")
  kUnbiased,  // local moment matching of order 1: the mean is kept (actuar's "unbiased")
};
enum class AggregateMethod : std::uint8_t { kAuto, kPanjer, kFft };

std::string_view to_string(Discretization d);
std::string_view to_string(AggregateMethod m);

// A distribution on the lattice 0, h, 2h, ... (h = span_yen).
class AggregateDistribution {
 public:
  AggregateDistribution() = default;
  // `truncated_mass`: probability beyond the last point that the grid leaves out (0 when the
  // grid covers the support). Throws Error{kInput} for a span <= 0 or an empty pmf.
  AggregateDistribution(double span_yen, std::vector<double> pmf, double truncated_mass = 0,
                        std::string method = {});

  double span_yen() const { return span_; }
  const std::vector<double>& pmf() const { return pmf_; }
  std::size_t size() const { return pmf_.size(); }
  double x(std::size_t i) const { return span_ * static_cast<double>(i); }
  double truncated_mass() const { return truncated_; }
  const std::string& method() const { return method_; }  // e.g. "unbiased, panjer, span 10000"

  std::vector<double> cdf() const;
  double mean() const;
  double variance() const;
  double sd() const;
  // The smallest lattice point x with P(S <= x) >= p (p in (0, 1)).
  double value_at_risk(double p) const;
  // TVaR_p = (1 / (1 - p)) x integral of VaR_u over u in [p, 1): VaR_p + E[(S - VaR_p)+] / (1 - p).
  double tail_value_at_risk(double p) const;
  // E[S | S > VaR_p] (actuar's CTE on an aggregateDist).
  double conditional_tail_expectation(double p) const;
  // P(S > x).
  double exceedance(double x) const;
  // P(S <= x).
  double cdf_at(double x) const;

 private:
  double span_ = 1;
  std::vector<double> pmf_;
  double truncated_ = 0;
  std::string method_;
};

// ---- building blocks (as in actuar) ---------------------------------------------------------

// Discretises the payment Y = min(max(Z - attachment, 0), limit) of one claim on the lattice
// 0, h, ..., (points - 1) h, like actuar's discretize(cdf, from = 0, to = (points - 1) h, by = h)
// for the unbiased method (the last point takes 1 - F(to) so the masses sum to 1) and with
// to = points x h for rounding (masses sum to F((points - 1/2) h)). limit may be +inf.
std::vector<double> discretize(const Severity& z, double attachment, double limit, double span_yen,
                               std::size_t points, Discretization method);

// The compound distribution of S = Y_1 + ... + Y_N on `points` lattice points (Panjer's
// recursion: g_k = sum_j (a + b j / k) f_j g_(k-j) / (1 - a f_0); FFT: the inverse transform
// of pgf(fft(f)) on a grid long enough that no mass wraps around). With `cap_points`, the
// distribution of min(S, cap_points x h): the mass from the cap up sits at the cap.
AggregateDistribution compound(const ClaimCount& count, const std::vector<double>& severity_pmf,
                               double span_yen, std::size_t points, AggregateMethod method,
                               std::size_t cap_points = 0);

// ---- the model's distributions --------------------------------------------------------------

struct AggregateOptions {
  // Lattice span; 0 = automatic: the largest divisor of the caps (limits) that gives at least
  // `min_points` points up to the largest cap (a layer's distribution) or the book's support.
  double span_yen = 0;
  std::size_t min_points = 2000;
  Discretization discretization = Discretization::kUnbiased;
  AggregateMethod method = AggregateMethod::kAuto;  // Panjer for small grids, else FFT
  // The uncapped totals (company_aggregate, book totals) have unbounded support: the grid
  // stops where less than this probability is left beyond it (reported as truncated_mass).
  double tail_probability = 1e-12;
  std::size_t max_points = std::size_t{1} << 24;  // refuse grids larger than this
  // Company and layer distributions only: add the systemic hits at this company (independent
  // of its incidents). Books are sums over independent companies: without systemic events.
  bool include_systemic = false;
};

// A layer in the terms of actuar's coverage(): per claim the insurer pays min(Z, limit) minus
// the deductible when Z exceeds the deductible (both on the ground-up scale, limit above the
// deductible), and at most aggregate_limit in a year (0: none).
struct Coverage {
  double deductible_yen = 0;
  double limit_yen = Severity::kInfinity;
  double aggregate_limit_yen = 0;
};

// The annual loss of any count, severity and coverage (not tied to a book): for actuaries'
// what-ifs. Throws Error{kInput} naming the field for a bad parameter (a limit at or below the
// deductible, a negative aggregate, neither a finite limit nor an aggregate limit).
AggregateDistribution aggregate_distribution(const ClaimCount& count, const Severity& severity,
                                             const Coverage& coverage,
                                             const AggregateOptions& options = {});

// Annual loss of one layer ("base_cover" or a selected section) of a company.
AggregateDistribution layer_aggregate(const RatingTables& t, const LossExposure& exposure,
                                      std::string_view layer, const AggregateOptions& options = {});
// Annual total of a company over its layers, annual aggregate caps ignored (an upper bound).
AggregateDistribution company_aggregate(const RatingTables& t, const LossExposure& exposure,
                                        const AggregateOptions& options = {});
// The company's expected annual total with every cap applied: the sum of its layers' capped means.
double capped_mean_yen(const RatingTables& t, const LossExposure& exposure,
                       const AggregateOptions& options = {});
// Sum over the book's companies of one layer's capped annual loss, or with layer "total" of
// each company's total (caps ignored as in company_aggregate).
AggregateDistribution book_aggregate(const LossBook& book, std::string_view layer,
                                     const AggregateOptions& options = {});

}  // namespace cybercover
