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
inline std::uint64_t mix2(std::uint64_t a, std::uint64_t b) {
  return mix64(mix64(a + kGolden) ^ (b * 0xD1B54A32D192ED03ULL));
}

// A short stream of numbers derived from one key.
struct Stream {
  std::uint64_t state;
  std::uint64_t next() { return mix64(state += kGolden); }
  // Uniform in (0, 1), 53 random bits.
  double uniform() {
    return (static_cast<double>(next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }
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

inline double uniform_of(std::uint64_t word) {
  return (static_cast<double>(word >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

// c[0] + c[1] x + ... + c[7] x^7
inline double horner(const double (&c)[8], double x) {
  double v = c[7];
  for (int i = 6; i >= 0; --i) v = v * x + c[i];
  return v;
}

// The standard normal quantile: Wichura's algorithm AS 241 (PPND16, Applied Statistics 37,
// 1988), accurate to about 1e-16: rational functions, with a log and a square root in the tails.
inline double normal_quantile(double p) {
  static constexpr double a[8] = {3.3871328727963666080e+0, 1.3314166789178437745e+2,
                                  1.9715909503065514427e+3, 1.3731693765509461125e+4,
                                  4.5921953931549871457e+4, 6.7265770927008700853e+4,
                                  3.3430575583588128105e+4, 2.5090809287301226727e+3};
  static constexpr double b[8] = {1.0,
                                  4.2313330701600911252e+1,
                                  6.8718700749205790830e+2,
                                  5.3941960214247511077e+3,
                                  2.1213794301586595867e+4,
                                  3.9307895800092710610e+4,
                                  2.8729085735721942674e+4,
                                  5.2264952788528545610e+3};
  static constexpr double c[8] = {1.42343711074968357734e+0, 4.63033784615654529590e+0,
                                  5.76949722146069140550e+0, 3.64784832476320460504e+0,
                                  1.27045825245236838258e+0, 2.41780725177450611770e-1,
                                  2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static constexpr double d[8] = {1.0,
                                  2.05319162663775882187e+0,
                                  1.67638483018380384940e+0,
                                  6.89767334985100004550e-1,
                                  1.48103976427480074590e-1,
                                  1.51986665636164571966e-2,
                                  5.47593808499534494600e-4,
                                  1.05075007164441684324e-9};
  static constexpr double e[8] = {6.65790464350110377720e+0, 5.46378491116411436990e+0,
                                  1.78482653991729133580e+0, 2.96560571828504891230e-1,
                                  2.65321895265761230930e-2, 1.24266094738807843860e-3,
                                  2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static constexpr double f[8] = {1.0,
                                  5.99832206555887937690e-1,
                                  1.36929880922735805310e-1,
                                  1.48753612908506148525e-2,
                                  7.86869131145613259100e-4,
                                  1.84631831751005468180e-5,
                                  1.42151175831644588870e-7,
                                  2.04426310338993978564e-15};
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * horner(a, r) / horner(b, r);
  }
  double r = std::sqrt(-std::log(q < 0 ? p : 1 - p));
  const double x =
      r <= 5.0 ? horner(c, r - 1.6) / horner(d, r - 1.6) : horner(e, r - 5.0) / horner(f, r - 5.0);
  return q < 0 ? -x : x;
}

// Whole yen, half up, for a payment in [0, 2^52) (the limits are far below).
inline std::int64_t whole_yen(double v) { return static_cast<std::int64_t>(v + 0.5); }

// Draws X = F^-1(v) for the severity family (scale 1).
struct SeveritySampler {
  SeverityFamily family = SeverityFamily::kLognormal;
  double mu = 0, sigma = 0, alpha = 1, theta = 1, threshold = 0, body = 0, body_cdf = 0,
         inv_alpha = 1;

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
        if (v <= body)
          return std::min(threshold, std::exp(mu + sigma * normal_quantile(v / body * body_cdf)));
        return threshold * std::pow((1 - v) / (1 - body), -inv_alpha);
    }
    return 0;
  }
};

}  // namespace cybercover::detail
