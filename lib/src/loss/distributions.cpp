#include "cybercover/loss/distributions.hpp"

#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <string>

#include "cybercover/error.hpp"
#include "loss/model_detail.hpp"

namespace cybercover {

namespace {

// Boost.Math reports overflow as +inf and never throws for values the model can produce
// (quantile(1) of an unbounded law); domain errors are caught by our own checks first.
using Policy = boost::math::policies::policy<
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;
using Normal = boost::math::normal_distribution<double, Policy>;
using Lognormal = boost::math::lognormal_distribution<double, Policy>;

double phi(double z) { return boost::math::cdf(Normal(), z); }
double phi_complement(double z) { return boost::math::cdf(boost::math::complement(Normal(), z)); }

// (exp(e L) - 1) / e, continuous at e = 0 (= L): the integral of t^(e-1) over [1, exp(L)].
double expm1_over(double e, double log_ratio) {
  if (std::fabs(e) < 1e-12) return log_ratio;
  return std::expm1(e * log_ratio) / e;
}

// expm1_over(e + 1, L) - expm1_over(e, L) without the cancellation of small L.
double expm1_over_step(double e, double log_ratio) {
  if (log_ratio < 1e-3) {
    // sum over k >= 2 of L^k ((e+1)^(k-1) - e^(k-1)) / k!
    double sum = 0, power = log_ratio, factorial = 1;
    double up = 1, down = 1;  // (e+1)^(k-1), e^(k-1)
    for (int k = 1; k <= 7; ++k) {
      if (k >= 2) {
        up *= e + 1;
        down *= e;
        sum += power * (up - down) / factorial;
      }
      power *= log_ratio;
      factorial *= k + 1;
    }
    return sum;
  }
  return expm1_over(e + 1, log_ratio) - expm1_over(e, log_ratio);
}

void require(bool ok, const char* field, const char* rule, double value) {
  if (!ok) {
    throw Error(ErrorCode::kBelowMinimum, field, rule, detail::render_number(value));
  }
}

}  // namespace

Severity::Severity(const SeverityParams& params, double scale) : params_(params), scale_(scale) {
  require(std::isfinite(scale) && scale > 0, "severity.scale", "must be a finite number > 0",
          scale);
  switch (params.family) {
    case SeverityFamily::kLognormal:
      require(params.median_yen > 0 && std::isfinite(params.median_yen), "severity.median_yen",
              "must be > 0", params.median_yen);
      require(params.sigma >= 0 && std::isfinite(params.sigma), "severity.sigma", "must be >= 0",
              params.sigma);
      mu_ = std::log(params.median_yen * scale);
      break;
    case SeverityFamily::kPareto:
      require(params.alpha > 0 && std::isfinite(params.alpha), "severity.alpha", "must be > 0",
              params.alpha);
      require(params.scale_yen > 0 && std::isfinite(params.scale_yen), "severity.scale_yen",
              "must be > 0", params.scale_yen);
      theta_ = params.scale_yen * scale;
      break;
    case SeverityFamily::kSplicedLognormalPareto:
      require(params.median_yen > 0 && std::isfinite(params.median_yen), "severity.median_yen",
              "must be > 0", params.median_yen);
      require(params.sigma > 0 && std::isfinite(params.sigma), "severity.sigma", "must be > 0",
              params.sigma);
      require(params.alpha > 0 && std::isfinite(params.alpha), "severity.tail_alpha", "must be > 0",
              params.alpha);
      require(params.threshold_yen > 0 && std::isfinite(params.threshold_yen),
              "severity.threshold_yen", "must be > 0", params.threshold_yen);
      require(params.body_probability > 0 && params.body_probability < 1,
              "severity.body_probability", "must be strictly between 0 and 1",
              params.body_probability);
      mu_ = std::log(params.median_yen * scale);
      threshold_ = params.threshold_yen * scale;
      body_cdf_at_threshold_ = ln_cdf(threshold_);
      require(body_cdf_at_threshold_ > 0, "severity.threshold_yen",
              "must leave lognormal mass below it", params.threshold_yen);
      break;
  }
}

double Severity::ln_cdf(double x) const {
  if (x <= 0) return 0;
  if (std::isinf(x)) return 1;
  return phi((std::log(x) - mu_) / params_.sigma);
}

double Severity::ln_lev(double d) const {
  if (d <= 0) return 0;
  const double s = params_.sigma;
  const double mean = std::exp(mu_ + s * s / 2);
  if (std::isinf(d)) return mean;
  const double z = (std::log(d) - mu_) / s;
  return mean * phi(z - s) + d * phi_complement(z);
}

double Severity::ln_lev2(double d) const {
  if (d <= 0) return 0;
  const double s = params_.sigma;
  const double second = std::exp(2 * mu_ + 2 * s * s);
  if (std::isinf(d)) return second;
  const double z = (std::log(d) - mu_) / s;
  return second * phi(z - 2 * s) + d * d * phi_complement(z);
}

double Severity::cdf(double x) const {
  if (x < 0 || std::isnan(x)) return 0;
  switch (params_.family) {
    case SeverityFamily::kLognormal:
      if (params_.sigma == 0) return x >= std::exp(mu_) ? 1.0 : 0.0;
      return ln_cdf(x);
    case SeverityFamily::kPareto:
      return -std::expm1(-params_.alpha * std::log1p(x / theta_));
    case SeverityFamily::kSplicedLognormalPareto: {
      const double w = params_.body_probability;
      if (x <= threshold_) return w * ln_cdf(x) / body_cdf_at_threshold_;
      return 1 - (1 - w) * std::pow(threshold_ / x, params_.alpha);
    }
  }
  return 0;
}

double Severity::survival(double x) const {
  if (x < 0) return 1;
  switch (params_.family) {
    case SeverityFamily::kLognormal:
      if (params_.sigma == 0) return x >= std::exp(mu_) ? 0.0 : 1.0;
      if (x == 0) return 1;
      return std::isinf(x) ? 0.0 : phi_complement((std::log(x) - mu_) / params_.sigma);
    case SeverityFamily::kPareto:
      return std::exp(-params_.alpha * std::log1p(x / theta_));
    case SeverityFamily::kSplicedLognormalPareto:
      if (x > threshold_)
        return (1 - params_.body_probability) * std::pow(threshold_ / x, params_.alpha);
      return 1 - cdf(x);
  }
  return 1;
}

double Severity::quantile(double p) const {
  if (!(p >= 0 && p <= 1))
    throw Error(ErrorCode::kNumberOutOfRange, "p", "must be a probability in [0, 1]",
                detail::render_number(p));
  switch (params_.family) {
    case SeverityFamily::kLognormal:
      if (params_.sigma == 0) return std::exp(mu_);
      if (p == 0) return 0;
      if (p == 1) return kInfinity;
      return boost::math::quantile(Lognormal(mu_, params_.sigma), p);
    case SeverityFamily::kPareto:
      if (p == 1) return kInfinity;
      return theta_ * std::expm1(-std::log1p(-p) / params_.alpha);
    case SeverityFamily::kSplicedLognormalPareto: {
      const double w = params_.body_probability;
      if (p <= w) {
        const double q = p / w * body_cdf_at_threshold_;
        if (q <= 0) return 0;
        return std::min(threshold_, boost::math::quantile(Lognormal(mu_, params_.sigma), q));
      }
      if (p == 1) return kInfinity;
      return threshold_ * std::pow((1 - p) / (1 - w), -1 / params_.alpha);
    }
  }
  return 0;
}

double Severity::lev(double d) const {
  if (!(d > 0)) return 0;
  switch (params_.family) {
    case SeverityFamily::kLognormal:
      if (params_.sigma == 0) return std::min(d, std::exp(mu_));
      return ln_lev(d);
    case SeverityFamily::kPareto: {
      const double a = params_.alpha;
      if (std::isinf(d)) return a > 1 ? theta_ / (a - 1) : kInfinity;
      return theta_ * expm1_over(1 - a, std::log1p(d / theta_));
    }
    case SeverityFamily::kSplicedLognormalPareto: {
      const double w = params_.body_probability, u = threshold_, a = params_.alpha;
      const double body = std::min(d, u);
      const double below = body - w / body_cdf_at_threshold_ * (body - ln_lev(body));
      if (d <= u) return below;
      if (std::isinf(d)) return a > 1 ? below + (1 - w) * u / (a - 1) : kInfinity;
      return below + (1 - w) * u * expm1_over(1 - a, std::log(d / u));
    }
  }
  return 0;
}

double Severity::limited_second_moment(double d) const {
  if (!(d > 0)) return 0;
  switch (params_.family) {
    case SeverityFamily::kLognormal:
      if (params_.sigma == 0) {
        const double m = std::min(d, std::exp(mu_));
        return m * m;
      }
      return ln_lev2(d);
    case SeverityFamily::kPareto: {
      const double a = params_.alpha;
      if (std::isinf(d)) return a > 2 ? 2 * theta_ * theta_ / ((a - 1) * (a - 2)) : kInfinity;
      return 2 * theta_ * theta_ * expm1_over_step(1 - a, std::log1p(d / theta_));
    }
    case SeverityFamily::kSplicedLognormalPareto: {
      const double w = params_.body_probability, u = threshold_, a = params_.alpha;
      const double body = std::min(d, u);
      const double below = body * body - w / body_cdf_at_threshold_ * (body * body - ln_lev2(body));
      if (d <= u) return below;
      if (std::isinf(d)) return a > 2 ? below + 2 * (1 - w) * u * u / (a - 2) : kInfinity;
      return below + 2 * (1 - w) * u * u * expm1_over(2 - a, std::log(d / u));
    }
  }
  return 0;
}

double Severity::layer_second_moment(double attachment, double limit) const {
  const double b = attachment + limit;
  const double v = limited_second_moment(b) - limited_second_moment(attachment) -
                   2 * attachment * (lev(b) - lev(attachment));
  return std::max(0.0, v);
}

double Severity::layer_cdf(double attachment, double limit, double y) const {
  if (y < 0) return 0;
  if (y >= limit) return 1;
  return cdf(attachment + y);
}

double Severity::layer_lev(double attachment, double limit, double y) const {
  if (y <= 0) return 0;
  return lev(attachment + std::min(y, limit)) - lev(attachment);
}

// ---- claim counts ---------------------------------------------------------------------------

ClaimCount ClaimCount::poisson(double mean) {
  if (!(mean >= 0 && std::isfinite(mean)))
    throw Error(ErrorCode::kBelowMinimum, "frequency.lambda", "must be a finite number >= 0",
                detail::render_number(mean));
  return ClaimCount(CountFamily::kPoisson, mean, 0);
}

ClaimCount ClaimCount::negative_binomial(double mean, double size) {
  if (!(mean >= 0 && std::isfinite(mean)))
    throw Error(ErrorCode::kBelowMinimum, "frequency.lambda", "must be a finite number >= 0",
                detail::render_number(mean));
  if (!(size > 0 && std::isfinite(size)))
    throw Error(ErrorCode::kBelowMinimum, "frequency.size", "must be a finite number > 0",
                detail::render_number(size));
  return ClaimCount(CountFamily::kNegativeBinomial, mean, size);
}

ClaimCount ClaimCount::of(const LossModelTable& model, double mean) {
  if (model.frequency_family == FrequencyFamily::kNegativeBinomial)
    return negative_binomial(mean, 1 / model.overdispersion);
  return poisson(mean);
}

double ClaimCount::variance() const {
  return family_ == CountFamily::kPoisson ? mean_ : mean_ + mean_ * mean_ / size_;
}

ClaimCount ClaimCount::thinned(double p) const {
  if (!(p >= 0 && p <= 1))
    throw Error(ErrorCode::kNumberOutOfRange, "p", "must be a probability in [0, 1]",
                detail::render_number(p));
  return ClaimCount(family_, mean_ * p, size_);
}

double ClaimCount::pmf(int k) const {
  if (k < 0) return 0;
  if (mean_ == 0) return k == 0 ? 1.0 : 0.0;
  const auto kk = static_cast<double>(k);
  if (family_ == CountFamily::kPoisson)
    return boost::math::pdf(boost::math::poisson_distribution<double, Policy>(mean_), kk);
  return boost::math::pdf(
      boost::math::negative_binomial_distribution<double, Policy>(size_, size_ / (size_ + mean_)),
      kk);
}

double ClaimCount::cdf(int k) const {
  if (k < 0) return 0;
  if (mean_ == 0) return 1;
  const auto kk = static_cast<double>(k);
  if (family_ == CountFamily::kPoisson)
    return boost::math::cdf(boost::math::poisson_distribution<double, Policy>(mean_), kk);
  return boost::math::cdf(
      boost::math::negative_binomial_distribution<double, Policy>(size_, size_ / (size_ + mean_)),
      kk);
}

double ClaimCount::panjer_a() const {
  if (family_ == CountFamily::kPoisson) return 0;
  const double beta = mean_ / size_;
  return beta / (1 + beta);
}

double ClaimCount::panjer_b() const {
  if (family_ == CountFamily::kPoisson) return mean_;
  const double beta = mean_ / size_;
  return (size_ - 1) * beta / (1 + beta);
}

std::complex<double> ClaimCount::pgf(std::complex<double> z) const {
  if (family_ == CountFamily::kPoisson) return std::exp(mean_ * (z - 1.0));
  const double beta = mean_ / size_;
  return std::pow(1.0 - beta * (z - 1.0), -size_);
}

}  // namespace cybercover
