// Exact aggregate distributions: the discretised severities and Panjer's recursion equal R
// actuar's (tests/r/loss_reference.R, stored output), Panjer and FFT agree, the compound-Poisson
// moments hold, hand-computed Panjer values come out, and the company and book distributions
// keep the closed-form means.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "cybercover/cybercover.hpp"
#include "support/table_fixture.hpp"

namespace cybercover {
namespace {

const RatingTables& tables() { return testing::default_tables(); }

const nlohmann::json& reference() {
  static const nlohmann::json j = [] {
    std::ifstream in(testing::kSourceDir + "/tests/r/loss_reference.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

const nlohmann::json& ref_layer(const std::string& name) {
  for (const auto& l : reference()["layers"])
    if (l["name"] == name) return l;
  throw std::runtime_error("no reference layer " + name);
}

std::shared_ptr<const RatingTables> negative_binomial_edition() {
  static const auto t = [] {
    testing::EditionCopy copy("loss_nb");
    copy.edit("loss_model", [](nlohmann::json& j) {
      j["frequency"]["distribution"] = "negative_binomial";
      j["frequency"]["overdispersion"] = 0.5;  // size 2, as in the R script
    });
    return load_edition(copy.dir());
  }();
  return t;
}

// The companies of the R script's layers.
LossExposure company_40_utm_edr() {
  LossExposure e;
  e.employees = 40;  // lambda 0.18
  e.tier = 2;
  e.bundle_plan = BundlePlan::kUtmEdr;                                             // base limit 3M
  e.top_up.push_back(resolve_selection(tables().top_up, 1, 10'000'000, 100'000));  // response
  return e;
}
LossExposure company_301_tier_e() {
  LossExposure e;
  e.employees = 400;  // lambda 0.40
  e.tier = 4;         // E: x 1.80
  e.top_up.push_back(
      resolve_selection(tables().top_up, 0, 100'000'000, std::nullopt));  // liability
  return e;
}
LossExposure company_301_tier_d_utm() {
  LossExposure e;
  e.employees = 400;
  e.tier = 3;                        // D: x 1.35
  e.bundle_plan = BundlePlan::kUtm;  // base limit 1M
  return e;
}

struct Case {
  const char* name;
  LossExposure exposure;
  const char* layer;
  bool negative_binomial;
};
std::vector<Case> cases() {
  return {{"base_cover_utm_edr", company_40_utm_edr(), "base_cover", false},
          {"response_top_up", company_40_utm_edr(), "response", false},
          {"liability_100m", company_301_tier_e(), "liability", false},
          {"base_cover_negative_binomial", company_301_tier_d_utm(), "base_cover", true}};
}

const RatingTables& tables_for(const Case& c) {
  return c.negative_binomial ? *negative_binomial_edition() : tables();
}

std::vector<double> numbers(const nlohmann::json& j) { return j.get<std::vector<double>>(); }

TEST(LossAggregate, DiscretisedSeveritiesEqualActuars) {
  for (const Case& c : cases()) {
    const auto& r = ref_layer(c.name);
    const RatingTables& t = tables_for(c);
    const Severity z(t.loss_model.severity, r["scale"].get<double>());
    const double a = r["attachment"], limit = r["limit"], h = r["span"];
    const auto unbiased = numbers(r["severity_unbiased"]),
               rounding = numbers(r["severity_rounding"]);
    const auto mine_u = discretize(z, a, limit, h, unbiased.size(), Discretization::kUnbiased);
    const auto mine_r = discretize(z, a, limit, h, rounding.size(), Discretization::kRounding);
    ASSERT_EQ(mine_u.size(), unbiased.size());
    for (std::size_t i = 0; i < unbiased.size(); ++i) {
      EXPECT_NEAR(mine_u[i], unbiased[i], 1e-13) << c.name << " unbiased " << i;
      EXPECT_NEAR(mine_r[i], rounding[i], 1e-14) << c.name << " rounding " << i;
    }
  }
}

TEST(LossAggregate, PanjerRecursionEqualsActuars) {
  for (const Case& c : cases()) {
    const auto& r = ref_layer(c.name);
    const auto f = numbers(r["severity_unbiased"]);
    const auto head = numbers(r["aggregate_unbiased_head"]);
    const double lambda = r["lambda"];
    const ClaimCount n = c.negative_binomial
                             ? ClaimCount::negative_binomial(lambda, r["size"].get<double>())
                             : ClaimCount::poisson(lambda);
    const AggregateDistribution g =
        compound(n, f, r["span"], head.size(), AggregateMethod::kPanjer);
    for (std::size_t k = 0; k < head.size(); ++k)
      EXPECT_NEAR(g.pmf()[k], head[k], 1e-15 + 1e-11 * head[k]) << c.name << " " << k;
  }
}

TEST(LossAggregate, LayerDistributionsEqualActuars) {
  for (const Case& c : cases()) {
    const auto& r = ref_layer(c.name);
    const RatingTables& t = tables_for(c);
    AggregateOptions o;
    o.span_yen = r["span"];
    for (AggregateMethod method : {AggregateMethod::kPanjer, AggregateMethod::kFft}) {
      o.method = method;
      const AggregateDistribution d = layer_aggregate(t, c.exposure, c.layer, o);
      EXPECT_NEAR(d.mean(), r["capped_mean_unbiased"].get<double>(), 1e-9 * d.mean()) << c.name;
      EXPECT_NEAR(d.variance(), r["capped_variance_unbiased"].get<double>(), 1e-8 * d.variance())
          << c.name;
      EXPECT_EQ(d.value_at_risk(0.99), r["var_99"].get<double>()) << c.name;
      EXPECT_EQ(d.value_at_risk(0.995), r["var_99_5"].get<double>()) << c.name;
      EXPECT_NEAR(d.conditional_tail_expectation(0.99), r["cte_99"].get<double>(),
                  1e-7 * r["cte_99"].get<double>())
          << c.name;
      if (!r["cte_99_5"].is_null()) {
        EXPECT_NEAR(d.conditional_tail_expectation(0.995), r["cte_99_5"].get<double>(),
                    1e-7 * r["cte_99_5"].get<double>())
            << c.name;
      }
      // the cap: nothing above the limit, and the limit holds the mass beyond it
      EXPECT_DOUBLE_EQ(d.x(d.size() - 1), r["limit"].get<double>());
      EXPECT_NEAR(std::accumulate(d.pmf().begin(), d.pmf().end(), 0.0), 1.0, 1e-12);
    }
    o.method = AggregateMethod::kPanjer;
    o.discretization = Discretization::kRounding;
    EXPECT_NEAR(layer_aggregate(t, c.exposure, c.layer, o).mean(),
                r["capped_mean_rounding"].get<double>(),
                1e-9 * r["capped_mean_rounding"].get<double>())
        << c.name;
  }
}

TEST(LossAggregate, PanjerAndFftAgreeOnTheWholeDistribution) {
  for (const Case& c : cases()) {
    const RatingTables& t = tables_for(c);
    AggregateOptions panjer, fft;
    panjer.method = AggregateMethod::kPanjer;
    fft.method = AggregateMethod::kFft;
    const auto a = layer_aggregate(t, c.exposure, c.layer, panjer),
               b = layer_aggregate(t, c.exposure, c.layer, fft);
    ASSERT_EQ(a.size(), b.size());
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      worst = std::max(worst, std::fabs(a.pmf()[i] - b.pmf()[i]));
    EXPECT_LT(worst, 1e-13) << c.name;
    for (double p : {0.9, 0.99, 0.995, 0.999}) {
      EXPECT_EQ(a.value_at_risk(p), b.value_at_risk(p)) << c.name << " " << p;
      EXPECT_NEAR(a.tail_value_at_risk(p), b.tail_value_at_risk(p), 1e-8 * a.tail_value_at_risk(p))
          << c.name;
    }
  }
}

TEST(LossAggregate, CompoundPoissonMoments) {
  // Uncapped: E[S] = lambda E[Y] exactly with the unbiased method (it keeps the mean of Y),
  // Var(S) = lambda E[Y^2] (within the discretisation's effect on the second moment).
  const LossExposure e = company_301_tier_e();
  AggregateOptions o;
  o.span_yen = 100'000;
  o.tail_probability = 1e-15;
  const AggregateDistribution s = company_aggregate(tables(), e, o);
  const double lambda = 0.40 * 1.80 * 0.03;
  const Severity z(tables().loss_model.severity, 4.0);
  EXPECT_NEAR(s.mean(), lambda * z.layer_expected(0, 1e8), 1e-9 * s.mean());
  EXPECT_NEAR(s.variance(), lambda * z.layer_second_moment(0, 1e8), 2e-3 * s.variance());
  EXPECT_LT(s.truncated_mass(), 1e-15);
  // The discretised Y's own second moment gives the variance to rounding error.
  const auto f = discretize(z, 0, 1e8, 100'000, 1001, Discretization::kUnbiased);
  double m2 = 0;
  for (std::size_t j = 0; j < f.size(); ++j)
    m2 += std::pow(100'000.0 * static_cast<double>(j), 2) * f[j];
  EXPECT_NEAR(s.variance(), lambda * m2, 1e-9 * s.variance());
  // Negative binomial: Var(S) = E[N] Var(Y) + Var(N) E[Y]^2.
  const ClaimCount n = ClaimCount::negative_binomial(0.5, 2);
  const auto g = compound(n, f, 100'000, 20000, AggregateMethod::kFft);
  double ey = 0;
  for (std::size_t j = 0; j < f.size(); ++j) ey += 100'000.0 * static_cast<double>(j) * f[j];
  EXPECT_NEAR(g.mean(), 0.5 * ey, 1e-9 * g.mean());
  EXPECT_NEAR(g.variance(), 0.5 * (m2 - ey * ey) + n.variance() * ey * ey, 1e-8 * g.variance());
}

TEST(LossAggregate, HandComputedPanjerValues) {
  // Compound Poisson, lambda 2, claims of 1, 2, 3 with probabilities 0.5, 0.3, 0.2. By the
  // recursion (and by enumerating the ways to reach each total):
  // g0 = e^-2, g1 = 2 x 0.5 g0 = e^-2, g2 = (0.5 g1 + 0.6 g0) = 1.1 e^-2,
  // g3 = 2/3 (0.5 g2 + 0.6 g1 + 0.6 g0) = 7/6 e^-2, g4 = 1/2 (0.5 g3 + 0.6 g2 + 0.6 g1) = 1.17333..
  // e^-2.
  const std::vector<double> f = {0, 0.5, 0.3, 0.2};
  const double e2 = std::exp(-2.0);
  for (AggregateMethod m : {AggregateMethod::kPanjer, AggregateMethod::kFft}) {
    const auto g = compound(ClaimCount::poisson(2), f, 1, 5, m);
    EXPECT_NEAR(g.pmf()[0], e2, 1e-15);
    EXPECT_NEAR(g.pmf()[1], e2, 1e-15);
    EXPECT_NEAR(g.pmf()[2], 1.1 * e2, 1e-15);
    EXPECT_NEAR(g.pmf()[3], 7.0 / 6.0 * e2, 1e-15);
    EXPECT_NEAR(g.pmf()[4], 0.5 * (0.5 * 7.0 / 6.0 + 0.6 * 1.1 + 0.6) * e2, 1e-15);
  }
  // Enumeration of P(S = 3): N = 1 (f3), N = 2 (1+2, 2+1), N = 3 (1+1+1).
  const double p3 = 2 * e2 * 0.2 + 2 * e2 * 2 * 0.5 * 0.3 + 8.0 / 6.0 * e2 * 0.125;
  EXPECT_NEAR(p3, 7.0 / 6.0 * e2, 1e-15);
  // A geometric count (negative binomial size 1, mean 3) of claims of 1: S = N, P(N = k) = 3^k /
  // 4^(k+1).
  const auto geo =
      compound(ClaimCount::negative_binomial(3, 1), {0, 1}, 1, 10, AggregateMethod::kPanjer);
  for (int k = 0; k < 10; ++k)
    EXPECT_NEAR(geo.pmf()[static_cast<std::size_t>(k)], std::pow(3.0, k) / std::pow(4.0, k + 1),
                1e-15);
}

TEST(LossAggregate, CompanyAndBookKeepTheClosedFormMeans) {
  LossExposure e = company_40_utm_edr();
  e.top_up.push_back(resolve_selection(tables().top_up, 0, 100'000'000, std::nullopt));
  // sections must be in table order
  std::swap(e.top_up[0], e.top_up[1]);
  e.top_up.push_back(resolve_selection(tables().top_up, 2, 10'000'000, 100'000));
  const ExpectedLosses closed = expected_losses(tables(), e);
  double total = 0, systemic = 0;
  for (const auto& l : closed.layers) {
    total += l.expected_loss_yen;
    systemic += l.systemic_expected_loss_yen;
  }
  const AggregateDistribution company = company_aggregate(tables(), e);
  EXPECT_NEAR(company.mean(), total, 1e-8 * total);
  AggregateOptions with;
  with.include_systemic = true;
  EXPECT_NEAR(company_aggregate(tables(), e, with).mean(), total + systemic,
              1e-8 * (total + systemic));
  // the caps only lower the mean
  const double capped = capped_mean_yen(tables(), e);
  EXPECT_LT(capped, total);
  EXPECT_GT(capped, 0.99 * total);
  // A book of identical companies: the n-fold convolution; mean and variance add up.
  LossBook book(testing::default_engine().library().editions().front());
  for (std::uint64_t k = 0; k < 3; ++k) {
    BookCompany c;
    c.exposure = e;
    c.key = k;
    book.add(c, "");
  }
  AggregateOptions o;
  o.span_yen = 50'000;
  const auto layer = layer_aggregate(tables(), e, "response", o);
  const auto sum = book_aggregate(book, "response", o);
  EXPECT_NEAR(sum.mean(), 3 * layer.mean(), 1e-9 * sum.mean());
  EXPECT_NEAR(sum.variance(), 3 * layer.variance(), 1e-8 * sum.variance());
  EXPECT_DOUBLE_EQ(sum.x(sum.size() - 1), 3 * 10e6);
  const auto book_total = book_aggregate(book, "total");
  EXPECT_NEAR(book_total.mean(), 3 * total, 1e-8 * 3 * total);
}

TEST(LossAggregate, RejectsWhatItCannotComputeExactly) {
  const LossExposure e = company_40_utm_edr();
  AggregateOptions o;
  o.span_yen = 70'000;  // does not divide the 3M limit
  try {
    layer_aggregate(tables(), e, "base_cover", o);
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "span_yen");
  }
  try {
    layer_aggregate(tables(), e, "liability");
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "layer");
  }
  LossBook book(testing::default_engine().library().editions().front());
  AggregateOptions systemic;
  systemic.include_systemic = true;
  EXPECT_THROW(book_aggregate(book, "total", systemic), Error);
  o.span_yen = -1;
  EXPECT_THROW(layer_aggregate(tables(), e, "base_cover", o), Error);
  // a coverage in actuar's terms: the limit must be above the deductible
  const Severity x(tables().loss_model.severity);
  try {
    aggregate_distribution(ClaimCount::poisson(0.1), x, Coverage{2e6, 1e6, 0});
    ADD_FAILURE();
  } catch (const Error& err) {
    EXPECT_EQ(err.field(), "limit_yen");
    EXPECT_NE(std::string(err.what()).find("must be above deductible_yen (2000000), got 1000000"),
              std::string::npos)
        << err.what();
  }
  EXPECT_THROW(
      aggregate_distribution(ClaimCount::poisson(0.1), x, Coverage{0, Severity::kInfinity, 0}),
      Error);
  // and with a valid one it is the layer of the same terms
  const auto same = aggregate_distribution(ClaimCount::poisson(0.018), x, Coverage{0, 3e6, 3e6});
  EXPECT_NEAR(same.mean(), layer_aggregate(tables(), e, "base_cover").mean(), 1e-9 * same.mean());
}

}  // namespace
}  // namespace cybercover
