#pragma once
// Internal: the simulation's random numbers and samplers. Counter-based: a number is a hash of
// (seed, company key, year, ...) and never depends on what was drawn before, so any split of
// the work draws the same numbers. The hash is SplitMix64's finaliser (Steele, Lea & Flood
// 2014), which passes BigCrush on a counter.

#include <cmath>
#include <cstdint>
#include <limits>

#include "cybercover/loss/loss_tables.hpp"

namespace cybercover::detail {

inline constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

inline std::uint64_t mix64(std::uint64_t z) {
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ULL;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Hash of two words (order matters).
inline std::uint64_t mix2(std::uint64_t a, std::uint64_t b) { return mix64(mix64(a + kGolden) ^ (b * 0xD1B54A32D192ED03ULL)); }

// A short stream of numbers derived from one key.
struct Stream {
  std::uint64_t state;
  std::uint64_t next() { return mix64(state += kGolden); }
  // Uniform in (0, 1), 53 random bits.
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
};

// p in [0, 1] as a threshold t: a uniform 64-bit word u is below t with probability p.
// p >= 1 gives the largest word: then u < t fails only for u = 2^64 - 1 (p off by 2^-64).
inline std::uint64_t threshold(double p) {
  if (!(p > 0)) return 0;
  if (p >= 1) return std::numeric_limits<std::uint64_t>::max();
  const double scaled = p * 18446744073709551616.0;
  if (scaled >= 18446744073709551615.0) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(scaled);
}

inline double uniform_of(std::uint64_t word) { return (static_cast<double>(word >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

// The standard normal quantile: Acklam's rational approximation (relative error 1.2e-9),
// refined by one Halley step on erfc to full double precision.
inline double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01,  -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double low = 0.02425;
  double x;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley: e = Phi(x) - p, computed on the side where it has no cancellation.
  const double e = x < 0 ? 0.5 * std::erfc(-x * 0.70710678118654752440) - p
                         : (1 - p) - 0.5 * std::erfc(x * 0.70710678118654752440);
  const double u = e * 2.50662827463100050242 * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

// Draws X = F^-1(v) for the severity family (scale 1).
struct SeveritySampler {
  SeverityFamily family = SeverityFamily::kLognormal;
  double mu = 0, sigma = 0, alpha = 1, theta = 1, threshold = 0, body = 0, body_cdf = 0, inv_alpha = 1;

  explicit SeveritySampler(const SeverityParams& p) : family(p.family) {
    mu = p.family == SeverityFamily::kPareto ? 0 : std::log(p.median_yen);
    sigma = p.sigma;
    alpha = p.alpha;
    inv_alpha = p.alpha > 0 ? 1 / p.alpha : 0;
    theta = p.scale_yen;
    threshold = p.threshold_yen;
    body = p.body_probability;
    if (family == SeverityFamily::kSplicedLognormalPareto)
      body_cdf = 0.5 * std::erfc(-(std::log(threshold) - mu) / sigma * 0.70710678118654752440);
  }

  double operator()(double v) const {
    switch (family) {
      case SeverityFamily::kLognormal:
        return sigma == 0 ? std::exp(mu) : std::exp(mu + sigma * normal_quantile(v));
      case SeverityFamily::kPareto:
        return theta * std::expm1(-std::log1p(-v) * inv_alpha);
      case SeverityFamily::kSplicedLognormalPareto:
        if (v <= body) return std::min(threshold, std::exp(mu + sigma * normal_quantile(v / body * body_cdf)));
        return threshold * std::pow((1 - v) / (1 - body), -inv_alpha);
    }
    return 0;
  }
};

}  // namespace cybercover::detail
