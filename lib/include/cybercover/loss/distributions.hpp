#pragma once
// The loss model's distributions: the ground-up severity of one incident (lognormal, Pareto,
// or a lognormal body spliced to a Pareto tail), scaled, with its limited moments and the
// payment of a layer; and the claim count (Poisson or negative binomial) with what Panjer's
// recursion and the FFT need. Figures are doubles in yen; parameters come validated from
// loss_model.json (or are checked by the constructors).

#include <complex>
#include <limits>

#include "cybercover/loss/loss_tables.hpp"

namespace cybercover {

// Z = scale x X, X of the family in `params`.
class Severity {
 public:
  // Throws Error{kInput} naming the parameter when it is out of range (sigma <= 0...).
  explicit Severity(const SeverityParams& params, double scale = 1.0);

  const SeverityParams& params() const { return params_; }
  double scale() const { return scale_; }

  double cdf(double x) const;
  double survival(double x) const;
  // The p-quantile, p in [0, 1]; +inf at 1 (for the unbounded families).
  double quantile(double p) const;
  // Limited expected value E[min(Z, d)]; d = +inf gives the mean (+inf when it does not exist).
  double lev(double d) const;
  // E[min(Z, d)^2] (+inf at d = +inf when the second moment does not exist).
  double limited_second_moment(double d) const;
  double mean() const { return lev(kInfinity); }

  // The payment of one claim on a layer: Y = min(max(Z - attachment, 0), limit).
  double layer_expected(double attachment, double limit) const {
    return lev(attachment + limit) - lev(attachment);
  }
  double layer_second_moment(double attachment, double limit) const;
  // P(Y <= y): F(attachment + y) below the limit, 1 from the limit on.
  double layer_cdf(double attachment, double limit, double y) const;
  // E[min(Y, y)] for 0 <= y (y beyond the limit gives E[Y]).
  double layer_lev(double attachment, double limit, double y) const;

  static constexpr double kInfinity = std::numeric_limits<double>::infinity();

 private:
  // The lognormal parts in terms of mu, sigma of Z.
  double ln_cdf(double x) const;
  double ln_lev(double d) const;
  double ln_lev2(double d) const;

  SeverityParams params_;
  double scale_;
  double mu_ = 0;                     // log-median of Z (lognormal and spliced body)
  double theta_ = 0;                  // Pareto scale of Z
  double threshold_ = 0;              // spliced threshold of Z
  double body_cdf_at_threshold_ = 0;  // the lognormal's F(threshold)
};

enum class CountFamily : std::uint8_t { kPoisson, kNegativeBinomial };

// The number of claims in a year: Poisson(mean) or negative binomial with the given mean and
// size r (Var = mean + mean^2 / r).
class ClaimCount {
 public:
  static ClaimCount poisson(double mean);
  static ClaimCount negative_binomial(double mean, double size);
  // The count of the table's family for this mean (the table's overdispersion for NB).
  static ClaimCount of(const LossModelTable& model, double mean);

  CountFamily family() const { return family_; }
  double mean() const { return mean_; }
  double size() const { return size_; }  // NB only
  double variance() const;
  // Each claim kept independently with probability p: the same family with mean x p.
  ClaimCount thinned(double p) const;

  double pmf(int k) const;
  double cdf(int k) const;
  // (a, b) of the Panjer class: p_k = (a + b / k) p_{k-1}.
  double panjer_a() const;
  double panjer_b() const;
  // Probability generating function E[z^N].
  std::complex<double> pgf(std::complex<double> z) const;

 private:
  ClaimCount(CountFamily family, double mean, double size)
      : family_(family), mean_(mean), size_(size) {}
  CountFamily family_;
  double mean_;
  double size_;
};

}  // namespace cybercover
