// The compiled half of cybercover.loss (written in cybercover/loss.py): the loss book built
// from a priced portfolio's columns, its closed forms and exact aggregate distributions, the
// simulation (GIL released, progress reported on the calling thread) and its mergeable totals.

#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bindings.hpp"

namespace cybercover::python {
namespace {

template <typename T>
using Column = py::array_t<T, py::array::c_style | py::array::forcecast>;

template <typename T>
const T* data_of(const py::dict& columns, const char* name, std::size_t rows) {
  if (!columns.contains(name))
    throw py::value_error(std::string("column ") + name + " is required");
  // keep the converted array alive in the dict the caller passed
  Column<T> array = Column<T>::ensure(columns[name]);
  if (!array) throw py::type_error(std::string("column ") + name + " has the wrong type");
  if (array.ndim() != 1 || static_cast<std::size_t>(array.shape(0)) != rows)
    throw py::value_error(std::string("column ") + name + " must have shape (" +
                          std::to_string(rows) + ",)");
  columns[name] = array;
  return array.data();
}

// The edition all the rows' quote dates are in, or the named one (as-if pricing).
std::shared_ptr<const RatingTables> edition_of(const Engine& engine,
                                               const std::vector<std::string>& dates,
                                               const std::optional<std::string>& edition) {
  if (edition) {
    if (dates.empty())
      throw Error(ErrorCode::kEmptyInput, "quote_date", "a loss book needs at least one priced row");
    QuoteOptions options;
    options.edition = edition;
    const auto date = Date::parse(dates.front());
    if (!date)
      throw Error(ErrorCode::kInvalidDate, "quote_date", "must be a date YYYY-MM-DD",
                  quote_for_message(dates.front()));
    return engine.edition_for(*date, options);
  }
  std::shared_ptr<const RatingTables> found;
  for (const std::string& text : dates) {
    const auto date = Date::parse(text);
    if (!date)
      throw Error(ErrorCode::kInvalidDate, "quote_date", "must be a date YYYY-MM-DD",
                  quote_for_message(text));
    const RatingTables& t = engine.tables_for(*date);
    for (const auto& e : engine.library().editions())
      if (e.get() == &t) {
        if (found && found != e)
          throw Error(ErrorCode::kMixedQuestionnaires, "quote_date",
                      "the rows are priced with editions " + found->edition + " and " + e->edition +
                          "; build one loss book per edition");
        found = e;
      }
  }
  if (!found)
    throw Error(ErrorCode::kEmptyInput, "quote_date", "a loss book needs at least one priced row");
  return found;
}

int index_of(const std::vector<std::string>& names, const std::string& name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  return -1;
}

// Builds the book from the columns of a priced portfolio (cybercover/loss.py prepares them):
// one entry per priced row. Labels come as codes into the given name lists.
std::shared_ptr<LossBook> make_book(const Engine& engine, const std::vector<std::string>& dates,
                                    const py::dict& c,
                                    const std::vector<std::string>& industry_names,
                                    const std::vector<std::string>& tier_names,
                                    const std::vector<std::string>& provider_names,
                                    const std::vector<std::string>& sections,
                                    const std::optional<std::string>& edition) {
  const auto t = edition_of(engine, dates, edition);
  const auto rows = static_cast<std::size_t>(py::len(c["key"]));
  const auto* key = data_of<std::uint64_t>(c, "key", rows);
  const auto* employees = data_of<std::int64_t>(c, "employees", rows);
  const auto* tier = data_of<std::int64_t>(c, "tier", rows);
  const auto* industry = data_of<std::int64_t>(c, "industry", rows);
  const auto* revenue = data_of<std::int64_t>(c, "revenue_yen", rows);
  const auto* plan = data_of<std::int64_t>(c, "bundle_plan", rows);
  const auto* provider = data_of<std::int64_t>(c, "provider", rows);
  const auto* base = data_of<std::int64_t>(c, "base_annual_premium_yen", rows);
  const auto* annual = data_of<std::int64_t>(c, "annual_premium_yen", rows);
  const auto* has_top_up = data_of<std::uint8_t>(c, "has_top_up", rows);
  struct SectionColumns {
    int index;
    const std::int64_t *limit, *deductible, *premium;
  };
  std::vector<SectionColumns> section_columns;
  for (const std::string& s : sections) {
    const int index = t->top_up.section_index(s);
    if (index < 0)
      throw Error(ErrorCode::kUnknownSection, s + "_limit_yen",
                  "is not a section of edition " + t->edition);
    const std::string limit = s + "_limit_yen", deductible = s + "_deductible_yen",
                      premium = s + "_premium_yen";
    section_columns.push_back({index, data_of<std::int64_t>(c, limit.c_str(), rows),
                               data_of<std::int64_t>(c, deductible.c_str(), rows),
                               data_of<std::int64_t>(c, premium.c_str(), rows)});
  }
  std::sort(section_columns.begin(), section_columns.end(),
            [](const auto& a, const auto& b) { return a.index < b.index; });
  std::vector<int> industry_index, tier_index;
  for (const std::string& name : industry_names)
    industry_index.push_back(t->underwriting.industry_index(name));
  std::vector<std::string> edition_tiers;
  for (const Tier& x : t->posture.tiers) edition_tiers.push_back(x.name);
  for (const std::string& name : tier_names) tier_index.push_back(index_of(edition_tiers, name));

  auto book = std::make_shared<LossBook>(t);
  book->reserve(rows);
  const py::gil_scoped_release release;
  for (std::size_t r = 0; r < rows; ++r) {
    const ErrorLocation at{r + 1, {}, {}};
    try {
      BookCompany bc;
      bc.key = key[r];
      LossExposure& e = bc.exposure;
      e.employees = employees[r];
      if (tier[r] < 0 || tier[r] >= static_cast<std::int64_t>(tier_index.size()) ||
          tier_index[static_cast<std::size_t>(tier[r])] < 0)
        throw Error(ErrorCode::kUnknownValue, "tier", "must be a tier of edition " + t->edition,
                    std::to_string(tier[r]));
      e.tier = tier_index[static_cast<std::size_t>(tier[r])];
      e.industry =
          industry[r] >= 0 && industry[r] < static_cast<std::int64_t>(industry_index.size())
              ? industry_index[static_cast<std::size_t>(industry[r])]
              : -1;
      if (e.industry < 0)
        throw Error(ErrorCode::kUnknownIndustry, "industry",
                    "must be an industry of edition " + t->edition);
      e.revenue_band = t->top_up.revenue_band(revenue[r]);
      if (plan[r] < 0 || plan[r] >= kBundlePlanCount)
        throw Error(ErrorCode::kUnknownValue, "bundle_plan", "must be a plan code 0-3",
                    std::to_string(plan[r]));
      e.bundle_plan = static_cast<BundlePlan>(plan[r]);
      bc.base_premium_yen = base[r];
      if (has_top_up[r]) {
        bc.top_up_premium_yen = annual[r];
        for (const SectionColumns& s : section_columns) {
          if (s.limit[r] <= 0) continue;
          const std::optional<Yen> deductible =
              s.deductible[r] < 0 ? std::nullopt : std::optional<Yen>(s.deductible[r]);
          e.top_up.push_back(resolve_selection(t->top_up, s.index, s.limit[r], deductible));
          bc.section_premium_yen[static_cast<std::size_t>(s.index)] = s.premium[r];
        }
      }
      const std::int64_t p = provider[r];
      book->add(bc, p >= 0 && p < static_cast<std::int64_t>(provider_names.size())
                        ? provider_names[static_cast<std::size_t>(p)]
                        : std::string());
    } catch (const Error& err) {
      throw err.at(at);
    }
  }
  return book;
}

py::dict distribution_dict(const AggregateDistribution& d) {
  py::dict out;
  out["span_yen"] = d.span_yen();
  out["pmf"] = py::array_t<double>(static_cast<py::ssize_t>(d.size()), d.pmf().data());
  out["truncated_mass"] = d.truncated_mass();
  out["method"] = d.method();
  return out;
}

AggregateOptions aggregate_options(double span, const std::string& discretization,
                                   const std::string& method, bool include_systemic,
                                   double tail_probability, std::size_t min_points) {
  AggregateOptions o;
  o.span_yen = span;
  if (discretization == "rounding")
    o.discretization = Discretization::kRounding;
  else if (discretization != "unbiased")
    throw Error(ErrorCode::kBadOption, "discretization", "must be \"unbiased\" or \"rounding\"",
                quote_for_message(discretization));
  if (method == "panjer")
    o.method = AggregateMethod::kPanjer;
  else if (method == "fft")
    o.method = AggregateMethod::kFft;
  else if (method != "auto")
    throw Error(ErrorCode::kBadOption, "method", "must be \"auto\", \"panjer\" or \"fft\"",
                quote_for_message(method));
  o.include_systemic = include_systemic;
  o.tail_probability = tail_probability;
  o.min_points = min_points;
  return o;
}

// Per (company, layer): the closed forms and what the company is charged for the layer.
py::dict book_expected(const LossBook& book) {
  const RatingTables& t = book.tables();
  std::vector<std::int64_t> row, layer;
  std::vector<double> frequency, attachment, limit, expected, systemic_frequency, systemic,
      indicated, indicated_systemic, charged, target;
  std::vector<std::int64_t> listed;
  {
    const py::gil_scoped_release release;
    for (std::size_t i = 0; i < book.size(); ++i) {
      const BookCompany& c = book.companies()[i];
      const ExpectedLosses e = expected_losses(t, c.exposure);
      for (const LayerLoss& l : e.layers) {
        const bool base = l.layer == "base_cover";
        const int section = base ? -1 : t.top_up.section_index(l.layer);
        row.push_back(static_cast<std::int64_t>(i));
        layer.push_back(base ? 0 : 1 + section);
        frequency.push_back(l.claim_frequency);
        attachment.push_back(l.attachment_yen);
        limit.push_back(l.limit_yen);
        expected.push_back(l.expected_loss_yen);
        systemic_frequency.push_back(l.systemic_claim_frequency);
        systemic.push_back(l.systemic_expected_loss_yen);
        indicated.push_back(l.indicated_premium_yen);
        indicated_systemic.push_back(l.total_indicated_premium_yen());
        target.push_back(l.target_loss_ratio);
        charged.push_back(base ? static_cast<double>(c.base_premium_yen)
                               : c.charged_section_yen(section));
        listed.push_back(base ? c.base_premium_yen
                              : c.section_premium_yen[static_cast<std::size_t>(section)]);
      }
    }
  }
  auto arr = [](const auto& v) { return py::array(static_cast<py::ssize_t>(v.size()), v.data()); };
  py::dict d;
  d["row"] = arr(row);
  d["layer"] = arr(layer);
  d["claim_frequency"] = arr(frequency);
  d["attachment_yen"] = arr(attachment);
  d["limit_yen"] = arr(limit);
  d["expected_loss_yen"] = arr(expected);
  d["systemic_claim_frequency"] = arr(systemic_frequency);
  d["systemic_expected_loss_yen"] = arr(systemic);
  d["indicated_premium_yen"] = arr(indicated);
  d["indicated_with_systemic_yen"] = arr(indicated_systemic);
  d["target_loss_ratio"] = arr(target);
  d["charged_premium_yen"] = arr(charged);
  d["section_premium_yen"] = arr(listed);
  return d;
}

// Per company: lambda, tier, plan... (for grouping in pandas).
py::dict book_companies(const LossBook& book) {
  const auto n = static_cast<py::ssize_t>(book.size());
  py::array_t<std::uint64_t> key(n);
  py::array_t<std::int64_t> tier(n), plan(n), industry(n), revenue_band(n), provider(n), base(n),
      top_up(n), employees(n);
  py::array_t<double> lambda(n);
  auto k = key.mutable_unchecked<1>();
  auto ti = tier.mutable_unchecked<1>(), pl = plan.mutable_unchecked<1>(),
       in = industry.mutable_unchecked<1>(), rb = revenue_band.mutable_unchecked<1>(),
       pr = provider.mutable_unchecked<1>(), ba = base.mutable_unchecked<1>(),
       tu = top_up.mutable_unchecked<1>(), em = employees.mutable_unchecked<1>();
  auto la = lambda.mutable_unchecked<1>();
  for (py::ssize_t i = 0; i < n; ++i) {
    const BookCompany& c = book.companies()[static_cast<std::size_t>(i)];
    k(i) = c.key;
    ti(i) = c.exposure.tier;
    pl(i) = static_cast<std::int64_t>(c.exposure.bundle_plan);
    in(i) = c.exposure.industry;
    rb(i) = c.exposure.revenue_band;
    pr(i) = c.provider;
    ba(i) = c.base_premium_yen;
    tu(i) = c.top_up_premium_yen;
    em(i) = c.exposure.employees;
    la(i) = incident_frequency(book.tables(), c.exposure);
  }
  py::dict d;
  d["key"] = key;
  d["tier"] = tier;
  d["bundle_plan"] = plan;
  d["industry"] = industry;
  d["revenue_band"] = revenue_band;
  d["provider"] = provider;
  d["base_annual_premium_yen"] = base;
  d["top_up_annual_premium_yen"] = top_up;
  d["employees"] = employees;
  d["incident_frequency"] = lambda;
  return d;
}

// ---- simulation totals -------------------------------------------------------------------

template <typename T>
py::array matrix(const std::vector<T>& v, std::size_t rows, std::size_t columns,
                 const py::object& owner) {
  py::array_t<T> a(
      {static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(columns)},
      {static_cast<py::ssize_t>(columns * sizeof(T)), static_cast<py::ssize_t>(sizeof(T))},
      v.data(), owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return std::move(a);
}

template <typename T>
py::array vector_view(const std::vector<T>& v, const py::object& owner) {
  return matrix(v, v.size(), 1, owner).attr("reshape")(static_cast<py::ssize_t>(v.size()));
}

template <typename T>
std::vector<T> to_vector(const py::handle& h) {
  const auto a = Column<T>::ensure(h);
  if (!a) throw py::type_error("bad simulation state");
  return std::vector<T>(a.data(), a.data() + a.size());
}

py::tuple totals_state(const SimulationTotals& r) {
  auto arr = [](const auto& v) { return py::array(static_cast<py::ssize_t>(v.size()), v.data()); };
  return py::make_tuple(1, r.years, r.seed, r.edition, r.sha256, r.layers, r.tiers, r.plans,
                        r.companies, arr(r.company_keys), arr(r.layer_loss_yen),
                        arr(r.tier_loss_yen), arr(r.plan_loss_yen), arr(r.layer_systemic_yen),
                        arr(r.tier_systemic_yen), arr(r.plan_systemic_yen), arr(r.max_incident_yen),
                        arr(r.event_key), arr(r.event_year), arr(r.event_type),
                        arr(r.event_paid_yen), arr(r.layer_premium_yen), arr(r.tier_premium_yen),
                        arr(r.plan_premium_yen), arr(r.layer_companies));
}

SimulationTotals totals_from_state(const py::tuple& s) {
  if (s.size() != 25 || s[0].cast<int>() != 1)
    throw py::value_error("not a cybercover simulation state");
  SimulationTotals r;
  r.years = s[1].cast<int>();
  r.seed = s[2].cast<std::uint64_t>();
  r.edition = s[3].cast<std::string>();
  r.sha256 = s[4].cast<std::string>();
  r.layers = s[5].cast<std::vector<std::string>>();
  r.tiers = s[6].cast<std::vector<std::string>>();
  r.plans = s[7].cast<std::vector<std::string>>();
  r.companies = s[8].cast<std::uint64_t>();
  r.company_keys = to_vector<std::uint64_t>(s[9]);
  r.layer_loss_yen = to_vector<std::int64_t>(s[10]);
  r.tier_loss_yen = to_vector<std::int64_t>(s[11]);
  r.plan_loss_yen = to_vector<std::int64_t>(s[12]);
  r.layer_systemic_yen = to_vector<std::int64_t>(s[13]);
  r.tier_systemic_yen = to_vector<std::int64_t>(s[14]);
  r.plan_systemic_yen = to_vector<std::int64_t>(s[15]);
  r.max_incident_yen = to_vector<std::int64_t>(s[16]);
  r.event_key = to_vector<std::uint64_t>(s[17]);
  r.event_year = to_vector<std::int32_t>(s[18]);
  r.event_type = to_vector<std::int32_t>(s[19]);
  r.event_paid_yen = to_vector<std::int64_t>(s[20]);
  r.layer_premium_yen = to_vector<std::int64_t>(s[21]);
  r.tier_premium_yen = to_vector<std::int64_t>(s[22]);
  r.plan_premium_yen = to_vector<std::int64_t>(s[23]);
  r.layer_companies = to_vector<std::int64_t>(s[24]);
  const auto years = static_cast<std::size_t>(r.years);
  if (r.layer_loss_yen.size() != years * r.layers.size() ||
      r.tier_loss_yen.size() != years * r.tiers.size() || r.max_incident_yen.size() != years)
    throw py::value_error("inconsistent cybercover simulation state");
  return r;
}

py::dict tail_dict(const TailStats& s) {
  py::dict d;
  d["mean"] = s.mean;
  d["sd"] = s.sd;
  d["se_mean"] = s.se_mean;
  d["var_99"] = s.var_99;
  d["var_99_5"] = s.var_99_5;
  d["tvar_99"] = s.tvar_99;
  d["tvar_99_5"] = s.tvar_99_5;
  d["se_var_99"] = s.se_var_99;
  d["se_var_99_5"] = s.se_var_99_5;
  d["se_tvar_99"] = s.se_tvar_99;
  d["se_tvar_99_5"] = s.se_tvar_99_5;
  return d;
}

py::dict summary_dict(const SimulationTotals& r) {
  SimulationSummary s;
  {
    const py::gil_scoped_release release;
    s = summarize(r);
  }
  py::dict d;
  d["years"] = s.years;
  d["seed"] = s.seed;
  d["companies"] = s.companies;
  py::list series;
  for (const SeriesSummary& x : s.series) {
    py::dict e = tail_dict(x.stats);
    e["name"] = x.name;
    e["systemic"] = x.systemic;
    e["premium_yen"] = x.premium_yen;
    e["p_loss_exceeds_premium"] = x.probability_loss_exceeds_premium;
    e["se_p_loss_exceeds_premium"] = x.se_probability;
    series.append(e);
  }
  d["series"] = series;
  auto curve = [](const std::vector<CurvePoint>& c) {
    py::list out;
    for (const CurvePoint& p : c) out.append(py::make_tuple(p.return_period_years, p.loss_yen));
    return out;
  };
  d["aep"] = curve(s.aep);
  d["aep_systemic"] = curve(s.aep_systemic);
  d["oep"] = curve(s.oep);
  d["oep_systemic"] = curve(s.oep_systemic);
  auto ratios = [](const std::vector<LossRatioSummary>& v) {
    py::list out;
    for (const LossRatioSummary& lr : v) {
      py::dict e;
      e["group"] = lr.group;
      e["systemic"] = lr.systemic;
      e["premium_yen"] = lr.premium_yen;
      e["mean"] = lr.mean;
      e["sd"] = lr.sd;
      e["se_mean"] = lr.se_mean;
      e["p05"] = lr.p05;
      e["p50"] = lr.p50;
      e["p95"] = lr.p95;
      e["p99_5"] = lr.p99_5;
      out.append(e);
    }
    return out;
  };
  d["by_tier"] = ratios(s.by_tier);
  d["by_plan"] = ratios(s.by_plan);
  return d;
}

SimulationTotals run_simulation(const LossBook& book, int years, std::uint64_t seed, int threads,
                                const py::object& progress) {
  SimulationOptions o;
  o.years = years;
  o.seed = seed;
  o.threads = threads;
  // Always installed: it lets Ctrl-C stop a long run. Called on this thread with the GIL taken.
  o.progress = [&progress](std::uint64_t done, std::uint64_t total) {
    const py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(done, total);
  };
  const py::gil_scoped_release release;
  return simulate(book, o);
}

py::dict quote_losses_dict(const Engine& engine, const py::object& request) {
  py::object d = request;
  if (!PyDict_Check(d.ptr()) && py::hasattr(d, "to_dict")) d = d.attr("to_dict")();
  if (!PyDict_Check(d.ptr()))
    throw py::type_error("request must be a dict or a cybercover.QuoteRequest, got " +
                         std::string(py::str(py::type::handle_of(request).attr("__qualname__"))));
  QuoteLosses l;
  std::string tier, edition, sha;
  {
    // The same door as Engine.quote: the request as JSON text through the contract's parser.
    const std::string text = request_json_text(d);
    JsonReadOptions options;
    options.allow_infinity_literals =
        true;  // a Python float may be infinite: the checks name the field
    const py::gil_scoped_release release;
    const QuoteRequest r = parse_quote_request_text(text, engine.library(), options);
    const Quote q = engine.quote(r);
    l = quote_losses(r, q);
    tier = q.tier_name();
    edition = q.tables->edition;
    sha = q.tables->sha256;
  }
  py::list layers;
  for (std::size_t i = 0; i < l.losses.layers.size(); ++i) {
    const LayerLoss& x = l.losses.layers[i];
    py::dict e;
    e["layer"] = x.layer;
    e["claim_frequency"] = x.claim_frequency;
    e["attachment_yen"] = x.attachment_yen;
    e["limit_yen"] = x.limit_yen;
    e["expected_loss_yen"] = x.expected_loss_yen;
    e["indicated_premium_yen"] = x.indicated_premium_yen;
    e["systemic_claim_frequency"] = x.systemic_claim_frequency;
    e["systemic_expected_loss_yen"] = x.systemic_expected_loss_yen;
    e["indicated_with_systemic_yen"] = x.total_indicated_premium_yen();
    e["section_premium_yen"] = l.charged.section_premium_yen[i];
    e["charged_premium_yen"] = l.charged.charged_yen[i];
    layers.append(e);
  }
  py::dict out;
  out["tier"] = tier;
  out["incident_frequency"] = l.losses.incident_frequency;
  out["layers"] = layers;
  py::dict charged;
  charged["base_cover_annual_yen"] = l.charged.base_cover_annual_yen;
  charged["has_top_up"] = l.charged.has_top_up;
  charged["sections_total_yen"] = l.charged.sections_total_yen;
  charged["multi_section_factor"] = l.charged.multi_section_factor.to_string();
  charged["package_yen"] = l.charged.package_yen;
  charged["minimum_applied"] = l.charged.minimum_applied;
  charged["top_up_annual_yen"] = l.charged.top_up_annual_yen;
  out["charged"] = charged;
  out["top_up_expected_loss_yen"] = l.top_up_expected_loss_yen;
  out["top_up_indicated_premium_yen"] = l.top_up_indicated_premium_yen;
  out["top_up_systemic_expected_loss_yen"] = l.top_up_systemic_expected_loss_yen;
  out["edition"] = edition;
  out["sha256"] = sha;
  return out;
}

// A severity given as a dict in the table's format ({"distribution": "lognormal", ...}).
SeverityParams severity_of(const py::dict& d) {
  auto number = [&d](const char* key, bool required, double fallback) {
    if (!d.contains(key)) {
      if (required)
        throw Error(ErrorCode::kMissing, std::string("severity.") + key,
                    "required for this distribution");
      return fallback;
    }
    const py::handle v = d[key];
    if (!PyFloat_Check(v.ptr()) && !PyLong_Check(v.ptr()))
      throw Error(ErrorCode::kWrongType, std::string("severity.") + key, "must be a number",
                  quote_for_message(py::str(v).cast<std::string>()));
    return v.cast<double>();
  };
  if (!d.contains("distribution"))
    throw Error(ErrorCode::kMissing, "severity.distribution", "required");
  const std::string family = py::str(d["distribution"]);
  std::vector<std::string> allowed;
  SeverityParams p;
  if (family == "lognormal") {
    p.family = SeverityFamily::kLognormal;
    p.median_yen = number("median_yen", true, 0);
    p.sigma = number("sigma", true, 0);
    allowed = {"distribution", "median_yen", "sigma"};
  } else if (family == "pareto") {
    p.family = SeverityFamily::kPareto;
    p.alpha = number("alpha", true, 0);
    p.scale_yen = number("scale_yen", true, 0);
    allowed = {"distribution", "alpha", "scale_yen"};
  } else if (family == "spliced_lognormal_pareto") {
    p.family = SeverityFamily::kSplicedLognormalPareto;
    p.median_yen = number("median_yen", true, 0);
    p.sigma = number("sigma", true, 0);
    p.threshold_yen = number("threshold_yen", true, 0);
    p.alpha = number("tail_alpha", true, 0);
    if (p.median_yen > 0 && p.sigma > 0 && p.threshold_yen > 0) {
      SeverityParams body = p;
      body.family = SeverityFamily::kLognormal;
      p.body_probability = Severity(body).cdf(p.threshold_yen);
    }
    p.body_probability = number("body_probability", false, p.body_probability);
    allowed = {"distribution",  "median_yen", "sigma",
               "threshold_yen", "tail_alpha", "body_probability"};
  } else {
    throw Error(ErrorCode::kUnknownValue, "severity.distribution",
                "must be \"lognormal\", \"pareto\" or \"spliced_lognormal_pareto\"",
                quote_for_message(family));
  }
  for (const auto& item : d) {
    const std::string key = py::str(item.first);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      throw Error(ErrorCode::kUnknownField, "severity." + key,
                  "is not a parameter of the " + family + " distribution");
  }
  if (p.family == SeverityFamily::kLognormal && !(p.sigma > 0))
    throw Error(ErrorCode::kBelowMinimum, "severity.sigma", "must be > 0", std::to_string(p.sigma));
  return p;
}

py::dict generic_aggregate(const std::string& frequency, double mean,
                           const std::optional<double>& size, const py::dict& severity,
                           double deductible, double limit, double aggregate_limit, double span,
                           const std::string& discretization, const std::string& method,
                           double tail, std::size_t min_points) {
  std::optional<ClaimCount> count;
  if (frequency == "poisson") {
    if (size)
      throw Error(ErrorCode::kBadOption, "size", "only a negative_binomial frequency has a size");
    count = ClaimCount::poisson(mean);
  } else if (frequency == "negative_binomial") {
    if (!size)
      throw Error(ErrorCode::kMissing, "size",
                  "required for a negative_binomial frequency (Var = mean + mean^2 / size)");
    count = ClaimCount::negative_binomial(mean, *size);
  } else {
    throw Error(ErrorCode::kUnknownValue, "frequency",
                "must be \"poisson\" or \"negative_binomial\"", quote_for_message(frequency));
  }
  const Severity z(severity_of(severity));
  Coverage c;
  c.deductible_yen = deductible;
  c.limit_yen = limit;
  c.aggregate_limit_yen = aggregate_limit;
  const AggregateOptions o =
      aggregate_options(span, discretization, method, false, tail, min_points);
  AggregateDistribution d;
  {
    const py::gil_scoped_release release;
    d = aggregate_distribution(*count, z, c, o);
  }
  return distribution_dict(d);
}

}  // namespace

void bind_loss(py::module_& m) {
  py::class_<LossBook, std::shared_ptr<LossBook>> book(
      m, "_LossBook", "A loss book (private; use cybercover.loss.Book).");
  book.def("__len__", &LossBook::size)
      .def_property_readonly("edition", [](const LossBook& b) { return b.tables().edition; })
      .def_property_readonly("sha256", [](const LossBook& b) { return b.tables().sha256; })
      .def_property_readonly("providers", &LossBook::providers)
      .def_property_readonly("layers",
                             [](const LossBook& b) {
                               std::vector<std::string> out{"base_cover"};
                               for (const auto& s : b.tables().top_up.sections)
                                 out.push_back(s.key);
                               return out;
                             })
      .def_property_readonly("tiers",
                             [](const LossBook& b) {
                               std::vector<std::string> out;
                               for (const auto& t : b.tables().posture.tiers) out.push_back(t.name);
                               return out;
                             })
      .def_property_readonly("industries",
                             [](const LossBook& b) {
                               std::vector<std::string> out;
                               for (const auto& i : b.tables().underwriting.industries)
                                 out.push_back(i.key);
                               return out;
                             })
      .def_property_readonly("revenue_band_max_yen",
                             [](const LossBook& b) {
                               std::vector<Yen> out;
                               for (const auto& r : b.tables().top_up.revenue_bands)
                                 out.push_back(r.max_revenue_yen);
                               return out;
                             })
      .def("companies", &book_companies)
      .def("expected_losses", &book_expected)
      .def(
          "book_aggregate",
          [](const LossBook& b, const std::string& layer, double span,
             const std::string& discretization, const std::string& method, double tail,
             std::size_t min_points) {
            const AggregateOptions o =
                aggregate_options(span, discretization, method, false, tail, min_points);
            AggregateDistribution d;
            {
              const py::gil_scoped_release release;
              d = book_aggregate(b, layer, o);
            }
            return distribution_dict(d);
          },
          py::arg("layer"), py::arg("span_yen"), py::arg("discretization"), py::arg("method"),
          py::arg("tail_probability"), py::arg("min_points"))
      .def(
          "company_aggregate",
          [](const LossBook& b, std::size_t row, const std::optional<std::string>& layer,
             double span, const std::string& discretization, const std::string& method,
             bool systemic, double tail, std::size_t min_points) {
            if (row >= b.size())
              throw py::index_error("row " + std::to_string(row) + " is not in the book");
            const AggregateOptions o =
                aggregate_options(span, discretization, method, systemic, tail, min_points);
            AggregateDistribution d;
            {
              const py::gil_scoped_release release;
              const LossExposure& e = b.companies()[row].exposure;
              d = layer ? layer_aggregate(b.tables(), e, *layer, o)
                        : company_aggregate(b.tables(), e, o);
            }
            return distribution_dict(d);
          },
          py::arg("row"), py::arg("layer"), py::arg("span_yen"), py::arg("discretization"),
          py::arg("method"), py::arg("include_systemic"), py::arg("tail_probability"),
          py::arg("min_points"))
      .def("simulate", &run_simulation, py::arg("years"), py::arg("seed"), py::arg("threads"),
           py::arg("progress"));

  py::class_<SimulationTotals> totals(m, "_SimulationTotals",
                                      "Totals of a simulation (private; use cybercover.loss).");
  totals.def_readonly("years", &SimulationTotals::years)
      .def_readonly("seed", &SimulationTotals::seed)
      .def_readonly("edition", &SimulationTotals::edition)
      .def_readonly("sha256", &SimulationTotals::sha256)
      .def_readonly("layers", &SimulationTotals::layers)
      .def_readonly("tiers", &SimulationTotals::tiers)
      .def_readonly("plans", &SimulationTotals::plans)
      .def_readonly("companies", &SimulationTotals::companies)
      .def("arrays",
           [](const py::object& self) {
             const auto& r = self.cast<const SimulationTotals&>();
             const auto years = static_cast<std::size_t>(r.years);
             py::dict d;
             d["layer_loss_yen"] = matrix(r.layer_loss_yen, years, r.layers.size(), self);
             d["layer_systemic_yen"] = matrix(r.layer_systemic_yen, years, r.layers.size(), self);
             d["tier_loss_yen"] = matrix(r.tier_loss_yen, years, r.tiers.size(), self);
             d["tier_systemic_yen"] = matrix(r.tier_systemic_yen, years, r.tiers.size(), self);
             d["plan_loss_yen"] = matrix(r.plan_loss_yen, years, r.plans.size(), self);
             d["plan_systemic_yen"] = matrix(r.plan_systemic_yen, years, r.plans.size(), self);
             d["max_incident_yen"] = vector_view(r.max_incident_yen, self);
             d["event_key"] = vector_view(r.event_key, self);
             d["event_year"] = vector_view(r.event_year, self);
             d["event_type"] = vector_view(r.event_type, self);
             d["event_paid_yen"] = vector_view(r.event_paid_yen, self);
             d["layer_premium_yen"] = vector_view(r.layer_premium_yen, self);
             d["tier_premium_yen"] = vector_view(r.tier_premium_yen, self);
             d["plan_premium_yen"] = vector_view(r.plan_premium_yen, self);
             d["layer_companies"] = vector_view(r.layer_companies, self);
             d["company_keys"] = vector_view(r.company_keys, self);
             return d;
           })
      .def("merge", &SimulationTotals::merge, py::arg("other"))
      .def("copy", [](const SimulationTotals& r) { return SimulationTotals(r); })
      .def("summary", &summary_dict)
      .def(py::pickle([](const SimulationTotals& r) { return totals_state(r); },
                      [](const py::tuple& s) { return totals_from_state(s); }));

  m.def(
      "_loss_book", &make_book, py::arg("engine"), py::arg("dates"), py::arg("columns"),
      py::arg("industries"), py::arg("tiers"), py::arg("providers"), py::arg("sections"),
      py::arg("edition") = py::none(),
      "Builds a loss book from a priced portfolio's columns (private; use cybercover.loss.Book).");
  m.def("_aggregate_distribution", &generic_aggregate, py::arg("frequency"), py::arg("mean"),
        py::arg("size"), py::arg("severity"), py::arg("deductible_yen"), py::arg("limit_yen"),
        py::arg("aggregate_limit_yen"), py::arg("span_yen"), py::arg("discretization"),
        py::arg("method"), py::arg("tail_probability"), py::arg("min_points"),
        "The aggregate distribution of any count, severity and coverage (private; use "
        "cybercover.loss).");
  m.def("_quote_losses", &quote_losses_dict, py::arg("engine"), py::arg("request"),
        "Expected losses of one quoted request beside its charged premiums (private; use "
        "cybercover.loss).");
}

}  // namespace cybercover::python
