#include "cybercover/loss/aggregate.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <numeric>
#include <unsupported/Eigen/FFT>

#include "cybercover/error.hpp"
#include "loss/model_detail.hpp"

namespace cybercover {

namespace {

using Complex = std::complex<double>;

// ---- one claim's payment as a function of the ground-up cost --------------------------------

// pays min(max(c x - a, 0), L)
struct Term {
  double c = 1, a = 0, L = 0;
};

// g(x) = sum of terms: continuous, non-decreasing and piecewise linear, with breakpoints
// xs[0] = 0 < xs[1] < ...; slope[k] on (xs[k], xs[k+1]] (the last piece runs to infinity).
class PiecewisePayment {
 public:
  explicit PiecewisePayment(const std::vector<Term>& terms) : terms_(terms) {
    xs_.push_back(0);
    for (const Term& t : terms) {
      xs_.push_back(t.a / t.c);
      if (std::isfinite(t.L)) xs_.push_back((t.a + t.L) / t.c);
    }
    std::sort(xs_.begin(), xs_.end());
    xs_.erase(std::unique(xs_.begin(), xs_.end()), xs_.end());
    for (std::size_t k = 0; k < xs_.size(); ++k) {
      g_.push_back(value(xs_[k]));
      // slope just right of xs[k]
      double s = 0;
      for (const Term& t : terms)
        if (xs_[k] >= t.a / t.c && (!std::isfinite(t.L) || xs_[k] < (t.a + t.L) / t.c)) s += t.c;
      slope_.push_back(s);
    }
    max_ = 0;
    for (const Term& t : terms) max_ += t.L;
  }

  double value(double x) const {
    double v = 0;
    for (const Term& t : terms_) v += std::min(std::max(t.c * x - t.a, 0.0), t.L);
    return v;
  }
  double max_payment() const { return max_; }
  const std::vector<double>& breakpoints() const { return xs_; }
  const std::vector<double>& values() const { return g_; }
  const std::vector<double>& slopes() const { return slope_; }

  // The piece containing sup{x : g(x) <= t} and that point (+inf when t >= max).
  std::pair<std::size_t, double> inverse(double t) const {
    // largest k with g(xs[k]) <= t
    const auto it = std::upper_bound(g_.begin(), g_.end(), t);
    const std::size_t k = static_cast<std::size_t>(it - g_.begin()) - 1;
    if (slope_[k] <= 0) return {k, Severity::kInfinity};  // the last, flat piece
    return {k, xs_[k] + (t - g_[k]) / slope_[k]};
  }

 private:
  std::vector<Term> terms_;
  std::vector<double> xs_, g_, slope_;
  double max_ = 0;
};

// One claim's payment T: with probability weight_i, T = g_i(X_i).
class PaymentMixture {
 public:
  void add(double weight, const Severity& x, const std::vector<Term>& terms) {
    if (weight <= 0 || terms.empty()) return;
    Component c{weight, x, PiecewisePayment(terms), {}, {}, {}};
    // cumulative E[g(X); X <= xs[k]], and F and E[X; X <= x] at the breakpoints
    const auto& xs = c.g.breakpoints();
    for (double b : xs) {
      c.cdf_at.push_back(x.cdf(b));
      c.partial_at.push_back(partial_mean(x, b));
    }
    c.cum.push_back(0);
    for (std::size_t k = 0; k + 1 < xs.size(); ++k)
      c.cum.push_back(c.cum.back() + piece_mean(c, k, xs[k + 1]));
    components_.push_back(std::move(c));
  }
  bool empty() const { return components_.empty(); }
  double max_payment() const {
    double m = 0;
    for (const auto& c : components_) m = std::max(m, c.g.max_payment());
    return m;
  }

  double cdf(double t) const {
    if (t < 0) return 0;
    double f = 0;
    for (const auto& c : components_) {
      const auto [k, x] = c.g.inverse(t);
      f += c.weight * (std::isinf(x) ? 1.0 : c.x.cdf(x));
    }
    return f;
  }

  // E[min(T, t)]
  double lev(double t) const {
    if (t <= 0) return 0;
    double e = 0;
    for (const auto& c : components_) {
      const auto [k, x] = c.g.inverse(t);
      if (std::isinf(x)) {
        const auto& xs = c.g.breakpoints();
        e += c.weight * (c.cum.back() + c.g.values().back() * c.x.survival(xs.back()));
        continue;
      }
      e += c.weight * (c.cum[k] + piece_mean(c, k, x) + t * c.x.survival(x));
    }
    return e;
  }

 private:
  struct Component {
    double weight;
    Severity x;
    PiecewisePayment g;
    std::vector<double> cum, cdf_at, partial_at;
  };

  // E[X; X <= x] = LEV(x) - x S(x)
  static double partial_mean(const Severity& s, double x) {
    if (x <= 0) return 0;
    return s.lev(x) - x * s.survival(x);
  }
  // E[g(X); xs[k] < X <= x] for x within piece k
  static double piece_mean(const Component& c, std::size_t k, double x) {
    const double x0 = c.g.breakpoints()[k];
    const double slope = c.g.slopes()[k], intercept = c.g.values()[k] - slope * x0;
    const double mass = c.x.cdf(x) - c.cdf_at[k];
    const double first = partial_mean(c.x, x) - c.partial_at[k];
    return slope * first + intercept * mass;
  }

  std::vector<Component> components_;
};

// Masses on 0, h, ..., (points - 1) h (see discretize in the header).
std::vector<double> discretize_mixture(const PaymentMixture& t, double h, std::size_t points,
                                       Discretization method) {
  std::vector<double> f(points, 0.0);
  if (points == 0) return f;
  if (method == Discretization::kRounding) {
    double previous = t.cdf(h / 2);
    f[0] = previous;
    for (std::size_t j = 1; j < points; ++j) {
      const double next = t.cdf((static_cast<double>(j) + 0.5) * h);
      f[j] = next - previous;
      previous = next;
    }
    return f;
  }
  if (points == 1) {
    f[0] = 1;
    return f;
  }
  std::vector<double> e(points);
  for (std::size_t j = 0; j < points; ++j) e[j] = t.lev(static_cast<double>(j) * h);
  f[0] = 1 - e[1] / h;
  for (std::size_t j = 1; j + 1 < points; ++j) f[j] = (2 * e[j] - e[j - 1] - e[j + 1]) / h;
  const std::size_t m = points - 1;
  f[m] = (e[m] - e[m - 1]) / h - 1 + t.cdf(static_cast<double>(m) * h);
  return f;
}

// ---- compounding ----------------------------------------------------------------------------

std::size_t next_pow2(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// Smallest k with P(N > k) below 1e-17: beyond it no mass is left that a double can see.
std::size_t count_bound(const ClaimCount& n) {
  double cumulative = 0;
  for (int k = 0; k < 100000; ++k) {
    cumulative += n.pmf(k);
    if (k > n.mean() && (1 - cumulative < 1e-17 || n.pmf(k) < 1e-20))
      return static_cast<std::size_t>(k);
  }
  return 100000;
}

std::vector<double> panjer_recursion(const ClaimCount& n, const std::vector<double>& f,
                                     std::size_t points) {
  const double a = n.panjer_a(), b = n.panjer_b();
  std::vector<double> g(points, 0.0);
  const double f0 = f.empty() ? 1.0 : f[0];
  g[0] = std::real(n.pgf(Complex(f0, 0)));
  if (!(g[0] > 0))
    throw Error(ErrorCode::kBadOption, "method",
                "Panjer's recursion underflows at P(S = 0) for this many claims; use the FFT");
  const double scale = 1 / (1 - a * f0);
  for (std::size_t k = 1; k < points; ++k) {
    const std::size_t top = std::min(k, f.size() - 1);
    double sum = 0;
    const double inv_k = 1.0 / static_cast<double>(k);
    for (std::size_t j = 1; j <= top; ++j)
      sum += (a + b * static_cast<double>(j) * inv_k) * f[j] * g[k - j];
    g[k] = sum * scale;
  }
  return g;
}

std::vector<Complex> forward(const std::vector<double>& x, std::size_t n) {
  std::vector<double> padded(n, 0.0);
  std::copy(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(std::min(x.size(), n)),
            padded.begin());
  Eigen::FFT<double> fft;
  fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);
  std::vector<Complex> out;
  fft.fwd(out, padded);
  return out;
}

std::vector<double> inverse(const std::vector<Complex>& spectrum, std::size_t n) {
  Eigen::FFT<double> fft;
  fft.SetFlag(Eigen::FFT<double>::HalfSpectrum);
  std::vector<double> out;
  fft.inv(out, spectrum, static_cast<Eigen::Index>(n));
  return out;
}

std::vector<double> fft_compound(const ClaimCount& n, const std::vector<double>& f,
                                 std::size_t points) {
  const std::size_t support = count_bound(n) * (f.size() - 1) + 1;
  const std::size_t size = next_pow2(std::max({points, support, std::size_t{2}}));
  if (size > (std::size_t{1} << 26))
    throw Error(
        ErrorCode::kBadOption, "span_yen",
        "the FFT grid would need " + std::to_string(size) + " points; choose a larger span");
  std::vector<Complex> phi = forward(f, size);
  for (Complex& z : phi) z = n.pgf(z);
  std::vector<double> g = inverse(phi, size);
  g.resize(points);
  return g;
}

// Puts the mass at and beyond `cap` on the cap (a pmf of length cap + 1).
std::vector<double> capped(std::vector<double> g, std::size_t cap) {
  if (g.size() <= cap) g.resize(cap + 1, 0.0);
  double below = 0;
  for (std::size_t k = 0; k < cap; ++k) below += g[k];
  g.resize(cap + 1);
  g[cap] = std::max(0.0, 1 - below);
  return g;
}

double gcd_yen(double a, double b) {
  auto x = static_cast<long long>(std::llround(a)), y = static_cast<long long>(std::llround(b));
  return static_cast<double>(std::gcd(x, y));
}

// ---- the model's payment mixtures -----------------------------------------------------------

// The layers a company's claims reach, grouped by the section whose claims pay them.
struct CompanyLayers {
  std::vector<LayerTerms> layers;
  int section_count = 0;
};

// Terms of the layers in `chosen` (indices into layers) paid by claims on `section`.
std::vector<Term> terms_for(const RatingTables& t, const std::vector<LayerTerms>& layers,
                            const std::vector<int>& chosen, int section) {
  std::vector<Term> out;
  for (int i : chosen) {
    const LayerTerms& l = layers[static_cast<std::size_t>(i)];
    if (l.section == section)
      out.push_back({t.loss_model.loss_scale[static_cast<std::size_t>(section)], l.attachment_yen,
                     l.limit_yen});
  }
  return out;
}

// A company's claims on the chosen layers from one source (incidents, or hits of one systemic
// event type): the count of claiming incidents and the mixture of their payments over the
// patterns of sections claimed. Returns the probability q that an incident claims at all.
double add_source(const RatingTables& t, const std::vector<LayerTerms>& layers,
                  const std::vector<int>& chosen, const Severity& x,
                  const std::vector<double>& claim_probability, double weight,
                  PaymentMixture& mixture, bool add) {
  std::vector<int> sections;
  for (int i : chosen) {
    const int s = layers[static_cast<std::size_t>(i)].section;
    if (std::find(sections.begin(), sections.end(), s) == sections.end() &&
        claim_probability[static_cast<std::size_t>(s)] > 0)
      sections.push_back(s);
  }
  std::sort(sections.begin(), sections.end());
  double none = 1;
  for (int s : sections) none *= 1 - claim_probability[static_cast<std::size_t>(s)];
  const double q = 1 - none;
  if (!add || q <= 0) return q;
  const std::size_t patterns = std::size_t{1} << sections.size();
  for (std::size_t mask = 1; mask < patterns; ++mask) {
    double p = 1;
    std::vector<Term> terms;
    for (std::size_t i = 0; i < sections.size(); ++i) {
      const double ps = claim_probability[static_cast<std::size_t>(sections[i])];
      if (mask >> i & 1) {
        p *= ps;
        const auto more = terms_for(t, layers, chosen, sections[i]);
        terms.insert(terms.end(), more.begin(), more.end());
      } else {
        p *= 1 - ps;
      }
    }
    mixture.add(weight * p / q, x, terms);
  }
  return q;
}

struct Compound {
  ClaimCount count;
  PaymentMixture payment;
};

// Incidents (and, with `systemic`, the systemic hits as a second compound) on the chosen layers.
std::vector<Compound> company_sources(const RatingTables& t, const LossExposure& e,
                                      const std::vector<LayerTerms>& layers,
                                      const std::vector<int>& chosen, bool systemic) {
  const LossModelTable& m = t.loss_model;
  std::vector<Compound> out;
  const Severity x(m.severity, m.revenue_scale(e.revenue_band));
  PaymentMixture incidents;
  const double q = add_source(t, layers, chosen, x, m.claim_probability, 1.0, incidents, true);
  out.push_back({incident_count(t, e).thinned(q), std::move(incidents)});
  if (systemic) {
    // Hits of each event type are Poisson (rate x share hit), independent of the incidents
    // and of each other: together one compound Poisson with the mixture of their payments.
    double rate = 0;
    std::vector<std::pair<double, std::size_t>> sources;
    for (std::size_t k = 0; k < m.systemic_events.size(); ++k) {
      const SystemicEventType& ev = m.systemic_events[k];
      if (!detail::exposed_to(ev, e.bundle_plan)) continue;
      const Severity xs(ev.loss_per_company, m.revenue_scale(e.revenue_band));
      PaymentMixture unused;
      const double qk = add_source(t, layers, chosen, xs, ev.claim_probability, 1.0, unused, false);
      const double r = ev.events_per_year * ev.share_hit * qk;
      if (r > 0) {
        sources.push_back({r, k});
        rate += r;
      }
    }
    if (rate > 0) {
      PaymentMixture hits;
      for (const auto& [r, k] : sources) {
        const SystemicEventType& ev = m.systemic_events[k];
        add_source(t, layers, chosen,
                   Severity(ev.loss_per_company, m.revenue_scale(e.revenue_band)),
                   ev.claim_probability, r / rate, hits, true);
      }
      out.push_back({ClaimCount::poisson(rate), std::move(hits)});
    }
  }
  return out;
}

bool use_panjer(AggregateMethod method, std::size_t points, std::size_t severity_points,
                const ClaimCount& n) {
  if (method == AggregateMethod::kPanjer) return true;
  if (method == AggregateMethod::kFft) return false;
  return static_cast<double>(points) * static_cast<double>(severity_points) <= 2e7 &&
         n.mean() < 500;
}

std::string describe(const AggregateOptions& o, bool panjer, double h) {
  const std::string span = detail::render_number(h);
  return std::string(to_string(o.discretization)) + ", " + (panjer ? "panjer" : "fft") + ", span " +
         span;
}

// Convolution of pmfs by FFT, keeping `points` values.
std::vector<double> convolve_all(
    const std::vector<std::pair<std::vector<double>, std::size_t>>& parts, std::size_t points) {
  std::size_t support = 1;
  for (const auto& [pmf, times] : parts) support += (pmf.size() - 1) * times;
  const std::size_t size = next_pow2(std::max({support, points, std::size_t{2}}));
  if (size > (std::size_t{1} << 26))
    throw Error(
        ErrorCode::kBadOption, "span_yen",
        "the FFT grid would need " + std::to_string(size) + " points; choose a larger span");
  std::vector<Complex> product(size / 2 + 1, Complex(1, 0));
  for (const auto& [pmf, times] : parts) {
    const std::vector<Complex> phi = forward(pmf, size);
    for (std::size_t i = 0; i < product.size(); ++i)
      product[i] *= std::pow(phi[i], static_cast<double>(times));
  }
  std::vector<double> g = inverse(product, size);
  g.resize(points, 0.0);
  for (double& v : g)
    if (std::fabs(v) < 1e-300) v = 0;
  return g;
}

// The annual loss of a company's chosen layers on the lattice of span h: capped at `cap`
// points (a single layer), or uncapped up to where less than tail_probability is left.
std::vector<double> company_pmf(const RatingTables& t, const LossExposure& e,
                                const std::vector<LayerTerms>& layers,
                                const std::vector<int>& chosen, double h, std::size_t cap,
                                const AggregateOptions& o, bool& panjer_used) {
  const auto sources = company_sources(t, e, layers, chosen, o.include_systemic);
  std::vector<std::vector<double>> parts;
  for (const Compound& c : sources) {
    if (c.payment.empty() || c.count.mean() == 0) continue;
    const auto severity_points =
        static_cast<std::size_t>(std::ceil(c.payment.max_payment() / h - 1e-9)) + 1;
    const std::vector<double> f =
        discretize_mixture(c.payment, h, severity_points, o.discretization);
    std::size_t points = cap ? cap : 0;
    if (!cap) {
      // the support that holds all but 1e-17 of the mass, trimmed to tail_probability below
      points = std::min((count_bound(c.count) + 1) * (severity_points - 1) + 1, o.max_points);
    }
    const bool panjer = use_panjer(o.method, points, severity_points, c.count);
    panjer_used = panjer;
    std::vector<double> g =
        panjer ? panjer_recursion(c.count, f, points) : fft_compound(c.count, f, points);
    if (!cap) {
      // trim to where the remaining mass drops below the tolerance
      double cumulative = 0;
      std::size_t keep = g.size();
      for (std::size_t k = 0; k < g.size(); ++k) {
        cumulative += g[k];
        if (1 - cumulative < o.tail_probability) {
          keep = k + 1;
          break;
        }
      }
      g.resize(keep);
    }
    parts.push_back(std::move(g));
  }
  if (parts.empty()) return {1.0};
  std::vector<double> total = parts[0];
  for (std::size_t i = 1; i < parts.size(); ++i) {
    std::size_t points = total.size() + parts[i].size() - 1;
    total = convolve_all({{total, 1}, {parts[i], 1}}, points);
  }
  if (cap) total = capped(std::move(total), cap);
  return total;
}

// The largest divisor of the caps' greatest common divisor giving at least `per_cap` points
// below the smallest cap and `overall` points over the support.
double auto_span(const std::vector<double>& caps, double support, double per_cap, double overall,
                 const AggregateOptions& o) {
  if (o.span_yen > 0) return o.span_yen;
  double g = 0, smallest = Severity::kInfinity;
  for (double c : caps) {
    g = g == 0 ? std::round(c) : gcd_yen(g, c);
    smallest = std::min(smallest, c);
  }
  if (g <= 0) return 1;
  const double k =
      std::max(std::ceil(per_cap * g / smallest), std::ceil(overall * g / std::max(support, g)));
  return g / std::max(1.0, k);
}

std::size_t points_for(double amount, double h) {
  const double n = amount / h;
  const double rounded = std::round(n);
  if (std::fabs(n - rounded) > 1e-9 * std::max(1.0, n))
    throw Error(ErrorCode::kBadOption, "span_yen",
                "must divide every limit (" + std::to_string(static_cast<long long>(amount)) +
                    " yen) to apply the annual aggregate exactly",
                detail::render_number(h));
  return static_cast<std::size_t>(rounded);
}

void check_options(const AggregateOptions& o) {
  if (!(o.span_yen >= 0) || !std::isfinite(o.span_yen))
    throw Error(ErrorCode::kBelowMinimum, "span_yen",
                "must be a finite number > 0 (or 0 for automatic)",
                detail::render_number(o.span_yen));
  if (o.min_points < 2)
    throw Error(ErrorCode::kBelowMinimum, "min_points", "must be at least 2",
                std::to_string(o.min_points));
  if (!(o.tail_probability > 0 && o.tail_probability < 0.01))
    throw Error(ErrorCode::kNumberOutOfRange, "tail_probability", "must be in (0, 0.01)",
                detail::render_number(o.tail_probability));
}

int layer_index(const std::vector<LayerTerms>& layers, std::string_view layer) {
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (layers[i].layer == layer) return static_cast<int>(i);
  return -1;
}

}  // namespace

std::string_view to_string(Discretization d) {
  return d == Discretization::kRounding ? "rounding" : "unbiased";
}
std::string_view to_string(AggregateMethod m) {
  switch (m) {
    case AggregateMethod::kAuto:
      return "auto";
    case AggregateMethod::kPanjer:
      return "panjer";
    case AggregateMethod::kFft:
      return "fft";
  }
  return "auto";
}

// ---- AggregateDistribution ------------------------------------------------------------------

AggregateDistribution::AggregateDistribution(double span_yen, std::vector<double> pmf,
                                             double truncated_mass, std::string method)
    : span_(span_yen),
      pmf_(std::move(pmf)),
      truncated_(truncated_mass),
      method_(std::move(method)) {
  if (!(span_ > 0) || !std::isfinite(span_))
    throw Error(ErrorCode::kBelowMinimum, "span_yen", "must be a finite number > 0",
                detail::render_number(span_yen));
  if (pmf_.empty()) throw Error(ErrorCode::kEmptyInput, "pmf", "must have at least one point");
}

std::vector<double> AggregateDistribution::cdf() const {
  std::vector<double> c(pmf_.size());
  double s = 0;
  for (std::size_t i = 0; i < pmf_.size(); ++i) c[i] = s += pmf_[i];
  return c;
}

double AggregateDistribution::mean() const {
  double m = 0;
  for (std::size_t i = 0; i < pmf_.size(); ++i) m += x(i) * pmf_[i];
  return m;
}

double AggregateDistribution::variance() const {
  const double m = mean();
  double v = 0;
  for (std::size_t i = 0; i < pmf_.size(); ++i) v += (x(i) - m) * (x(i) - m) * pmf_[i];
  return v;
}

double AggregateDistribution::sd() const { return std::sqrt(variance()); }

double AggregateDistribution::value_at_risk(double p) const {
  if (!(p > 0 && p < 1))
    throw Error(ErrorCode::kNumberOutOfRange, "level", "must be in (0, 1)",
                detail::render_number(p));
  double c = 0;
  for (std::size_t i = 0; i < pmf_.size(); ++i) {
    c += pmf_[i];
    if (c >= p - 1e-13) return x(i);
  }
  throw Error(ErrorCode::kBadOption, "level",
              "is beyond the grid's mass (truncated " + detail::render_number(truncated_) + ")",
              detail::render_number(p));
}

double AggregateDistribution::tail_value_at_risk(double p) const {
  const double var = value_at_risk(p);
  double excess = 0;
  for (std::size_t i = 0; i < pmf_.size(); ++i)
    if (x(i) > var) excess += (x(i) - var) * pmf_[i];
  return var + excess / (1 - p);
}

double AggregateDistribution::conditional_tail_expectation(double p) const {
  const double var = value_at_risk(p);
  double mass = 0, sum = 0;
  for (std::size_t i = 0; i < pmf_.size(); ++i)
    if (x(i) > var) {
      mass += pmf_[i];
      sum += x(i) * pmf_[i];
    }
  return mass > 0 ? sum / mass : var;
}

double AggregateDistribution::cdf_at(double value) const {
  if (value < 0) return 0;
  double c = 0;
  for (std::size_t i = 0; i < pmf_.size() && x(i) <= value * (1 + 1e-15); ++i) c += pmf_[i];
  return std::min(1.0, c);
}

double AggregateDistribution::exceedance(double value) const {
  return std::max(0.0, 1 - cdf_at(value));
}

// ---- building blocks ------------------------------------------------------------------------

std::vector<double> discretize(const Severity& z, double attachment, double limit, double span_yen,
                               std::size_t points, Discretization method) {
  if (!(span_yen > 0) || !std::isfinite(span_yen))
    throw Error(ErrorCode::kBelowMinimum, "span_yen", "must be a finite number > 0",
                detail::render_number(span_yen));
  if (!(attachment >= 0))
    throw Error(ErrorCode::kBelowMinimum, "attachment_yen", "must be >= 0",
                detail::render_number(attachment));
  if (!(limit > 0))
    throw Error(ErrorCode::kBelowMinimum, "limit_yen", "must be > 0", detail::render_number(limit));
  if (points < 1)
    throw Error(ErrorCode::kBelowMinimum, "points", "must be at least 1", std::to_string(points));
  PaymentMixture mixture;
  mixture.add(1.0, z, {{1.0, attachment, limit}});
  return discretize_mixture(mixture, span_yen, points, method);
}

AggregateDistribution compound(const ClaimCount& count, const std::vector<double>& severity_pmf,
                               double span_yen, std::size_t points, AggregateMethod method,
                               std::size_t cap_points) {
  if (severity_pmf.empty())
    throw Error(ErrorCode::kEmptyInput, "severity_pmf", "must have at least one point");
  if (!(span_yen > 0))
    throw Error(ErrorCode::kBelowMinimum, "span_yen", "must be > 0",
                detail::render_number(span_yen));
  if (cap_points) points = cap_points;
  if (points < 1)
    throw Error(ErrorCode::kBelowMinimum, "points", "must be at least 1", std::to_string(points));
  const bool panjer = use_panjer(method, points, severity_pmf.size(), count);
  std::vector<double> g = panjer ? panjer_recursion(count, severity_pmf, points)
                                 : fft_compound(count, severity_pmf, points);
  double truncated = 0;
  if (cap_points) {
    g = capped(std::move(g), cap_points);
  } else {
    double s = 0;
    for (double v : g) s += v;
    truncated = std::max(0.0, 1 - s);
  }
  return AggregateDistribution(span_yen, std::move(g), truncated, panjer ? "panjer" : "fft");
}

// ---- the model's distributions --------------------------------------------------------------

AggregateDistribution aggregate_distribution(const ClaimCount& count, const Severity& severity,
                                             const Coverage& c, const AggregateOptions& o) {
  check_options(o);
  const auto shown = [](double v) { return detail::render_number(v); };
  if (!(c.deductible_yen >= 0) || std::isinf(c.deductible_yen))
    throw Error(ErrorCode::kBelowMinimum, "deductible_yen", "must be a finite amount >= 0",
                shown(c.deductible_yen));
  if (!(c.limit_yen > c.deductible_yen))
    throw Error(ErrorCode::kBelowMinimum, "limit_yen",
                "must be above deductible_yen (" + shown(c.deductible_yen) + ")",
                shown(c.limit_yen));
  if (!(c.aggregate_limit_yen >= 0) || std::isinf(c.aggregate_limit_yen))
    throw Error(ErrorCode::kBelowMinimum, "aggregate_limit_yen",
                "must be a finite amount >= 0 (0 = no annual aggregate)",
                shown(c.aggregate_limit_yen));
  const double width = c.limit_yen - c.deductible_yen;  // the most one claim pays
  if (std::isinf(width) && c.aggregate_limit_yen == 0)
    throw Error(ErrorCode::kBadOption, "limit_yen",
                "give a finite per-claim limit or an annual aggregate limit: an unlimited layer "
                "has no finite grid");
  // One claim pays at most min(width, aggregate): the payment can be cut there exactly.
  const double most = c.aggregate_limit_yen > 0 ? std::min(width, c.aggregate_limit_yen) : width;
  std::vector<double> caps = {most};
  if (c.aggregate_limit_yen > 0) caps.push_back(c.aggregate_limit_yen);
  const double h = auto_span(caps, std::max(most, c.aggregate_limit_yen),
                             static_cast<double>(o.min_points), 0, o);
  PaymentMixture payment;
  payment.add(1.0, severity, {{1.0, c.deductible_yen, most}});
  const auto severity_points = static_cast<std::size_t>(std::ceil(most / h - 1e-9)) + 1;
  const std::vector<double> f = discretize_mixture(payment, h, severity_points, o.discretization);
  std::size_t points, cap = 0;
  if (c.aggregate_limit_yen > 0) {
    cap = points_for(c.aggregate_limit_yen, h);
    points = cap;
  } else {
    points = std::min((count_bound(count) + 1) * (severity_points - 1) + 1, o.max_points);
  }
  if (points + 1 > o.max_points)
    throw Error(ErrorCode::kBadOption, "span_yen",
                "gives " + std::to_string(points + 1) + " points, more than max_points",
                detail::render_number(h));
  const bool panjer = use_panjer(o.method, points, severity_points, count);
  std::vector<double> g =
      panjer ? panjer_recursion(count, f, points) : fft_compound(count, f, points);
  double truncated = 0;
  if (cap) {
    g = capped(std::move(g), cap);
  } else {
    double cumulative = 0;
    std::size_t keep = g.size();
    for (std::size_t k = 0; k < g.size(); ++k) {
      cumulative += g[k];
      if (1 - cumulative < o.tail_probability) {
        keep = k + 1;
        break;
      }
    }
    g.resize(keep);
    truncated = std::max(0.0, 1 - cumulative);
  }
  return AggregateDistribution(h, std::move(g), truncated, describe(o, panjer, h));
}

AggregateDistribution layer_aggregate(const RatingTables& t, const LossExposure& e,
                                      std::string_view layer, const AggregateOptions& o) {
  check_options(o);
  const std::vector<LayerTerms> layers = layer_terms(t, e);
  const int index = layer_index(layers, layer);
  if (index < 0)
    throw Error(ErrorCode::kUnknownSection, "layer",
                "is not a layer of this company (base_cover or a selected section)",
                quote_for_message(layer));
  const LayerTerms& l = layers[static_cast<std::size_t>(index)];
  const double h = auto_span({l.limit_yen}, l.limit_yen, static_cast<double>(o.min_points), 0, o);
  const std::size_t cap = points_for(l.limit_yen, h);
  if (cap + 1 > o.max_points)
    throw Error(ErrorCode::kBadOption, "span_yen",
                "gives " + std::to_string(cap + 1) + " points, more than max_points",
                detail::render_number(h));
  bool panjer = false;
  std::vector<double> pmf = company_pmf(t, e, layers, {index}, h, cap, o, panjer);
  return AggregateDistribution(h, std::move(pmf), 0, describe(o, panjer, h));
}

AggregateDistribution company_aggregate(const RatingTables& t, const LossExposure& e,
                                        const AggregateOptions& o) {
  check_options(o);
  const std::vector<LayerTerms> layers = layer_terms(t, e);
  if (layers.empty())
    return AggregateDistribution(o.span_yen > 0 ? o.span_yen : 1.0, {1.0}, 0, "no layers");
  std::vector<double> caps;
  std::vector<int> all;
  double support = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    caps.push_back(layers[i].limit_yen);
    support += layers[i].limit_yen;
    all.push_back(static_cast<int>(i));
  }
  const double h = auto_span(caps, support, 200, static_cast<double>(o.min_points), o);
  bool panjer = false;
  std::vector<double> pmf = company_pmf(t, e, layers, all, h, 0, o, panjer);
  double s = 0;
  for (double v : pmf) s += v;
  return AggregateDistribution(h, std::move(pmf), std::max(0.0, 1 - s),
                               describe(o, panjer, h) + ", annual aggregates not applied");
}

double capped_mean_yen(const RatingTables& t, const LossExposure& e, const AggregateOptions& o) {
  double mean = 0;
  for (const LayerTerms& l : layer_terms(t, e)) mean += layer_aggregate(t, e, l.layer, o).mean();
  return mean;
}

AggregateDistribution book_aggregate(const LossBook& book, std::string_view layer,
                                     const AggregateOptions& options) {
  AggregateOptions o = options;
  check_options(o);
  if (o.include_systemic)
    throw Error(ErrorCode::kBadOption, "include_systemic",
                "a book's companies share systemic events, so their sum is not a convolution; "
                "simulate the book instead");
  const RatingTables& t = book.tables();
  const bool total = layer == "total";
  if (!total) {
    bool known = layer == "base_cover";
    for (const auto& s : t.top_up.sections) known = known || s.key == layer;
    if (!known)
      throw Error(ErrorCode::kUnknownSection, "layer",
                  "must be \"total\", \"base_cover\" or a section of the edition",
                  quote_for_message(layer));
  }
  // Companies with the same terms have the same distribution: compute it once.
  struct Group {
    const BookCompany* company;
    std::vector<LayerTerms> layers;
    std::size_t count = 0;
  };
  std::map<std::string, Group> groups;
  std::vector<double> caps;
  double support = 0;
  for (const BookCompany& c : book.companies()) {
    std::vector<LayerTerms> layers = layer_terms(t, c.exposure);
    double company_support = 0;
    bool any = false;
    for (const LayerTerms& l : layers)
      if (total || l.layer == layer) {
        caps.push_back(l.limit_yen);
        company_support += l.limit_yen;
        any = true;
      }
    if (!any) continue;
    const LossExposure& e = c.exposure;
    std::string key = std::to_string(t.base_cover.employee_band(e.employees)) + "/" +
                      std::to_string(e.tier) + "/" + std::to_string(e.industry) + "/" +
                      std::to_string(e.revenue_band) + "/" +
                      std::to_string(static_cast<int>(e.bundle_plan));
    for (const ResolvedSelection& s : e.top_up)
      key += "/" + std::to_string(s.section) + ":" + std::to_string(s.limit_row) + ":" +
             std::to_string(s.deductible_row);
    Group& g = groups[key];
    if (!g.company) {
      g.company = &c;
      g.layers = std::move(layers);
    }
    ++g.count;
    support += company_support;
  }
  if (groups.empty())
    return AggregateDistribution(o.span_yen > 0 ? o.span_yen : 1.0, {1.0}, 0,
                                 "no companies with the layer");
  const double h = auto_span(caps, support, total ? 50 : 100, static_cast<double>(o.min_points), o);
  std::vector<std::pair<std::vector<double>, std::size_t>> parts;
  bool panjer = false;
  std::size_t points = 1;
  for (auto& [key, g] : groups) {
    std::vector<int> chosen;
    std::size_t cap = 0;
    for (std::size_t i = 0; i < g.layers.size(); ++i)
      if (total || g.layers[i].layer == layer) {
        chosen.push_back(static_cast<int>(i));
        cap = points_for(g.layers[i].limit_yen, h);
      }
    std::vector<double> pmf =
        company_pmf(t, g.company->exposure, g.layers, chosen, h, total ? 0 : cap, o, panjer);
    points += (pmf.size() - 1) * g.count;
    parts.push_back({std::move(pmf), g.count});
  }
  if (points > o.max_points)
    throw Error(
        ErrorCode::kBadOption, "span_yen",
        "the book's grid would need " + std::to_string(points) + " points; choose a larger span",
        detail::render_number(h));
  std::vector<double> pmf = convolve_all(parts, points);
  double s = 0;
  for (double v : pmf) s += v;
  // Trim the far tail the FFT leaves at rounding level.
  while (pmf.size() > 1 && std::fabs(pmf.back()) < 1e-300) pmf.pop_back();
  return AggregateDistribution(h, std::move(pmf), std::max(0.0, 1 - s),
                               describe(o, panjer, h) +
                                   (total ? ", annual aggregates not applied" : "") +
                                   ", independent incidents only");
}

}  // namespace cybercover
