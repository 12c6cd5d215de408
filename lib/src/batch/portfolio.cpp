#include "cybercover/batch/portfolio.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>

#include <sys/mman.h>

#include "cybercover/error.hpp"
#include "detail/parallel.hpp"
#include "quote/pipeline.hpp"

namespace cybercover {

namespace detail {

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}

void* allocate_column_bytes(std::size_t bytes) {
  if (bytes < kHugePage) {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (!p) throw std::bad_alloc();
    return p;
  }
  const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* p = nullptr;
  if (posix_memalign(&p, kHugePage, rounded) != 0) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without huge pages it still works
#endif
  return p;
}

void free_column_bytes(void* p, std::size_t) noexcept { std::free(p); }

}  // namespace detail

namespace {

[[noreturn]] void column_error(ErrorCode code, const std::string& column, const std::string& detail) {
  throw Error(code, "columns." + column, detail);
}

template <typename T>
void require(const T* p, const char* name) {
  if (!p) column_error(ErrorCode::kMissingColumn, name, "is required");
}

// What a row needs from its edition, resolved once per edition.
struct EditionContext {
  const RatingTables* tables = nullptr;
  std::vector<int> industry;          // by industry code; -1 = not in this edition
  std::vector<int> section;           // by top-up column; -1 = not in this edition
  std::vector<std::int8_t> tier_out;  // edition tier index -> PortfolioResult::tier_names index
  const SubsidyProgram* subsidy = nullptr;
  bool subsidy_known = true;
};

template <typename E>
E enum_code(std::uint8_t code, E max, const char* field, const char* allowed) {
  if (code > static_cast<std::uint8_t>(max))
    throw Error(ErrorCode::kUnknownValue, field, std::string("must be one of ") + allowed, "code " + std::to_string(code));
  return static_cast<E>(code);
}

// Per-thread result records, reused row after row (a top-up record is large).
struct Figures {
  Posture posture;
  Decision decision;
  std::optional<BaseCoverQuote> base_cover;
  std::optional<TopUpQuote> top_up;
};
Figures& scratch() {
  thread_local Figures figures;
  return figures;
}

class Pricer {
 public:
  Pricer(const Engine& engine, const PortfolioColumns& cols, PortfolioResult& out)
      : engine_(engine), cols_(cols), out_(out) {
    for (const auto& edition : engine.library().editions()) contexts_.push_back(context_for(*edition));
  }

  // Prices row i into the output; throws the single quote's Error for a bad row.
  void price_row(std::size_t i) const {
    const Date date = cols_.quote_day ? day(cols_.quote_day[i], "quote_date") : cols_.quote_date;
    const EditionContext& ctx = context_for_date(date);
    const RatingTables& t = *ctx.tables;

    Company company;
    company.employees = cols_.employees[i];
    company.capital_yen = cols_.capital_yen[i];
    company.revenue_yen = cols_.revenue_yen[i];
    company.endpoints = cols_.endpoints[i];
    company.rubber_products = cols_.rubber_products && cols_.rubber_products[i] != 0;
    detail::validate_company(company);

    detail::CheckedRequest c;
    c.quote_date = date;
    c.company = &company;
    const std::int32_t code = cols_.industry[i];
    if (code < 0 || static_cast<std::size_t>(code) >= cols_.industry_keys.size())
      throw Error(ErrorCode::kUnknownIndustry, "company.industry",
                  "must be a code of one of the " + std::to_string(cols_.industry_keys.size()) + " industry keys",
                  "code " + std::to_string(code));
    c.industry = ctx.industry[static_cast<std::size_t>(code)];
    if (c.industry < 0) detail::resolve_industry(t.underwriting, cols_.industry_keys[static_cast<std::size_t>(code)]);  // throws
    c.security_action = cols_.security_action
                            ? enum_code(cols_.security_action[i], SecurityAction::kTwoStar, "security_action",
                                        "\"none\", \"one_star\", \"two_star\"")
                            : SecurityAction::kNone;

    Controls controls;
    controls.utm = enum_code(cols_.utm[i], UtmStatus::kManaged, "controls.utm", "\"none\", \"unmanaged\", \"managed\"");
    controls.edr.status = enum_code(cols_.edr_status[i], EdrStatus::kManaged, "controls.edr.status",
                                    "\"none\", \"self_managed\", \"managed\"");
    if (cols_.edr_covered_endpoints) controls.edr.covered_endpoints = cols_.edr_covered_endpoints[i];
    if (controls.edr.status != EdrStatus::kNone && controls.edr.covered_endpoints < 0)
      throw Error(ErrorCode::kBelowMinimum, "controls.edr.covered_endpoints", "must be an integer >= 0", std::to_string(controls.edr.covered_endpoints));
    if (controls.edr.status == EdrStatus::kManaged && cols_.edr_installed_day &&
        cols_.edr_installed_day[i] != PortfolioColumns::kNoDay)
      controls.edr.installed_on = day(cols_.edr_installed_day[i], "controls.edr.installed_on");
    controls.legacy_os_endpoints = cols_.legacy_os_endpoints[i];
    if (cols_.phishing_click_rate && !std::isnan(cols_.phishing_click_rate[i]))  // NaN: not measured
      controls.phishing_click_rate = cols_.phishing_click_rate[i];  // checked by check_common
    controls.incidents_3y = cols_.incidents_3y[i];
    if (controls.legacy_os_endpoints < 0)
      throw Error(ErrorCode::kBelowMinimum, "controls.legacy_os_endpoints", "must be an integer >= 0", std::to_string(controls.legacy_os_endpoints));
    if (controls.incidents_3y < 0)
      throw Error(ErrorCode::kBelowMinimum, "controls.incidents_3y", "must be an integer >= 0", std::to_string(controls.incidents_3y));
    c.controls = &controls;
    c.bundle_plan = enum_code(cols_.bundle_plan[i], BundlePlan::kUtmEdr, "bundle_plan", "\"none\", \"utm\", \"edr\", \"utm_edr\"");
    if (cols_.service_monthly_price_yen && cols_.service_monthly_price_yen[i] != PortfolioColumns::kNone)
      c.service_monthly_price_yen = cols_.service_monthly_price_yen[i];
    detail::check_common(t, c);

    for (std::size_t k = 0; k < cols_.top_up.size(); ++k) {
      const auto& col = cols_.top_up[k];
      const std::int64_t limit = col.limit_yen[i];
      if (limit == 0) continue;
      if (limit < 0) throw Error(ErrorCode::kBelowMinimum, "top_up." + col.section + ".limit_yen", "must be an integer >= 0", std::to_string(limit));
      if (ctx.section[k] < 0) {
        std::string known;
        for (const auto& sec : t.top_up.sections) known += (known.empty() ? "" : ", ") + sec.key;
        throw Error(ErrorCode::kUnknownSection, "top_up." + col.section, "no such section (offered: " + known + ")");
      }
      std::optional<Yen> deductible;
      if (col.deductible_yen && col.deductible_yen[i] != PortfolioColumns::kDefault) {
        if (col.deductible_yen[i] < 0)
          throw Error(ErrorCode::kBelowMinimum, "top_up." + col.section + ".deductible_yen", "must be an integer >= 0", std::to_string(col.deductible_yen[i]));
        deductible = col.deductible_yen[i];
      }
      c.selections.push_back(resolve_selection(t.top_up, ctx.section[k], limit, deductible));
    }
    auto by_section = [](const auto& a, const auto& b) { return a.section < b.section; };
    if (!std::is_sorted(c.selections.begin(), c.selections.end(), by_section))  // columns usually come in table order
      std::sort(c.selections.begin(), c.selections.end(), by_section);
    if (!ctx.subsidy_known) throw Error(ErrorCode::kUnknownSubsidyProgram, "subsidy_program", "unknown programme", quote_for_message(*cols_.subsidy_program));
    c.subsidy_program = ctx.subsidy;

    const ScoreSummary score = score_summary(t.questionnaire, c.security_action, reinterpret_cast<const Answer*>(
                                                 cols_.answers + i * cols_.answer_columns), cols_.answer_columns);
    Figures& f = scratch();
    detail::price_scored(t, c, score, f.posture, f.decision, f.base_cover, f.top_up);

    // Every element of every column is written (the columns are not zero-filled).
    out_.ok[i] = 1;
    out_.score[i] = score.score;
    out_.unknown_count[i] = score.unknown_count;
    out_.posture_index[i] = f.posture.index;
    out_.tier[i] = ctx.tier_out[static_cast<std::size_t>(f.posture.tier)];
    out_.outcome[i] = static_cast<std::int8_t>(f.decision.outcome);
    std::uint8_t bits = 0;
    for (DecisionCode code : f.decision) bits = static_cast<std::uint8_t>(bits | (1u << static_cast<unsigned>(code)));
    out_.decision_codes[i] = bits;
    out_.has_base_cover[i] = f.base_cover.has_value();
    out_.base_monthly_premium_yen[i] = f.base_cover ? f.base_cover->monthly_premium_yen : 0;
    out_.base_annual_premium_yen[i] = f.base_cover ? f.base_cover->annual_premium_yen : 0;
    out_.has_top_up[i] = f.top_up.has_value();
    for (std::size_t k = 0; k < cols_.top_up.size(); ++k) out_.section_premium_yen[k][i] = 0;
    if (f.top_up) {
      const TopUpQuote& u = *f.top_up;
      for (const SectionQuote& s : u.sections)
        for (std::size_t k = 0; k < cols_.top_up.size(); ++k)
          if (ctx.section[k] == s.section) out_.section_premium_yen[k][i] = s.annual_premium_yen;
    }
    out_.package_yen[i] = f.top_up ? f.top_up->package_yen : 0;
    out_.annual_premium_yen[i] = f.top_up ? f.top_up->annual_premium_yen : 0;
    out_.subsidy_yen[i] = f.top_up ? f.top_up->subsidy_yen : 0;
    out_.subsidy_code[i] = f.top_up ? static_cast<std::uint8_t>(f.top_up->subsidy_code) : 0;
    out_.payable_annual_yen[i] = f.top_up ? f.top_up->payable_annual_yen : 0;
    out_.monthly_instalment_yen[i] = f.top_up ? f.top_up->monthly_instalment_yen : 0;
  }

  // Writes an error row: not priced, every figure 0 (tier and outcome -1).
  void clear_row(std::size_t i) const {
    out_.ok[i] = 0;
    out_.score[i] = 0;
    out_.unknown_count[i] = 0;
    out_.posture_index[i] = 0;
    out_.tier[i] = -1;
    out_.outcome[i] = -1;
    out_.decision_codes[i] = 0;
    out_.has_base_cover[i] = 0;
    out_.base_monthly_premium_yen[i] = 0;
    out_.base_annual_premium_yen[i] = 0;
    out_.has_top_up[i] = 0;
    for (auto& column : out_.section_premium_yen) column[i] = 0;
    out_.package_yen[i] = 0;
    out_.annual_premium_yen[i] = 0;
    out_.subsidy_yen[i] = 0;
    out_.subsidy_code[i] = 0;
    out_.payable_annual_yen[i] = 0;
    out_.monthly_instalment_yen[i] = 0;
  }

  std::vector<std::string> tier_names;

 private:
  static Date day(std::int64_t days, const char* field) {
    if (days < -100000 || days > 1000000) throw Error(ErrorCode::kDateOutOfRange, field, "must be a date between 1700 and 4700", "day " + std::to_string(days));
    return Date::from_day_number(static_cast<std::int32_t>(days));
  }

  const EditionContext& context_for_date(Date date) const {
    for (const auto& ctx : contexts_)
      if (ctx.tables->in_force.contains(date)) return ctx;
    engine_.tables_for(date);  // throws the no-edition error
    return contexts_.front();
  }

  EditionContext context_for(const RatingTables& t) {
    EditionContext ctx;
    ctx.tables = &t;
    for (const auto& key : cols_.industry_keys) ctx.industry.push_back(t.underwriting.industry_index(key));
    for (const auto& col : cols_.top_up) ctx.section.push_back(t.top_up.section_index(col.section));
    for (const auto& tier : t.posture.tiers) {
      auto it = std::find(tier_names.begin(), tier_names.end(), tier.name);
      if (it == tier_names.end()) it = tier_names.insert(tier_names.end(), tier.name);
      ctx.tier_out.push_back(static_cast<std::int8_t>(it - tier_names.begin()));
    }
    if (cols_.subsidy_program) {
      ctx.subsidy = t.find_subsidy(*cols_.subsidy_program);
      ctx.subsidy_known = ctx.subsidy != nullptr;
    }
    return ctx;
  }

  const Engine& engine_;
  const PortfolioColumns& cols_;
  PortfolioResult& out_;
  std::vector<EditionContext> contexts_;
};

void check_columns(const Engine& engine, const PortfolioColumns& c) {
  if (c.rows == 0) return;
  require(c.answers, "answers");
  require(c.industry, "industry");
  require(c.employees, "employees");
  require(c.capital_yen, "capital_yen");
  require(c.revenue_yen, "revenue_yen");
  require(c.endpoints, "endpoints");
  require(c.utm, "utm");
  require(c.edr_status, "edr_status");
  require(c.legacy_os_endpoints, "legacy_os_endpoints");
  require(c.incidents_3y, "incidents_3y");
  require(c.bundle_plan, "bundle_plan");
  for (const auto& e : engine.library().editions())
    if (c.answer_columns != e->questionnaire.items.size())
      column_error(ErrorCode::kColumnShape, "answers", "has " + std::to_string(c.answer_columns) + " columns but edition " + e->edition +
                                  " has " + std::to_string(e->questionnaire.items.size()) + " items");
  for (const auto& s : c.top_up)
    if (!s.limit_yen) column_error(ErrorCode::kMissingColumn, "top_up." + s.section + ".limit_yen", "is required for a listed section");
}

void allocate(PortfolioResult& r, const PortfolioColumns& c) {
  const std::size_t n = c.rows;
  r.rows = n;
  for (auto* v : {&r.ok, &r.decision_codes, &r.has_base_cover, &r.has_top_up, &r.subsidy_code}) v->resize(n);
  for (auto* v : {&r.score, &r.unknown_count}) v->resize(n);
  for (auto* v : {&r.tier, &r.outcome}) v->resize(n);
  for (auto* v : {&r.posture_index, &r.base_monthly_premium_yen, &r.base_annual_premium_yen, &r.package_yen,
                  &r.annual_premium_yen, &r.subsidy_yen, &r.payable_annual_yen, &r.monthly_instalment_yen})
    v->resize(n);
  r.section_premium_yen.resize(c.top_up.size());
  for (auto& v : r.section_premium_yen) v.resize(n);
  for (const auto& s : c.top_up) r.section_keys.push_back(s.section);
}

}  // namespace

PortfolioResult price_portfolio(const Engine& engine, const PortfolioColumns& columns, const BatchOptions& options) {
  check_columns(engine, columns);
  PortfolioResult out;
  allocate(out, columns);
  Pricer pricer(engine, columns, out);
  out.tier_names = pricer.tier_names;

  const std::size_t n = columns.rows;
  constexpr std::size_t kMinRowsPerThread = 4096;  // below this a thread costs more than it saves
  const std::size_t threads = detail::worker_count(options.threads, n, kMinRowsPerThread);

  std::vector<std::vector<PortfolioResult::RowError>> errors(threads);
  std::atomic<std::size_t> first_failure{n};  // with kRaise: rows after it need not be priced
  auto work = [&](std::size_t t) {
    const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
    for (std::size_t i = begin; i < end; ++i) {
      if (options.on_error == OnError::kRaise && i > first_failure.load(std::memory_order_relaxed)) return;
      try {
        pricer.price_row(i);
      } catch (const Error& e) {
        pricer.clear_row(i);
        errors[t].push_back({i, e.at(ErrorLocation{i + 1, {}, {}})});
        if (options.on_error == OnError::kRaise) {
          std::size_t current = first_failure.load();
          while (i < current && !first_failure.compare_exchange_weak(current, i)) {
          }
          return;
        }
      }
    }
  };
  detail::run_workers(threads, work);
  for (auto& e : errors) out.errors.insert(out.errors.end(), std::make_move_iterator(e.begin()), std::make_move_iterator(e.end()));
  std::sort(out.errors.begin(), out.errors.end(), [](const auto& a, const auto& b) { return a.row < b.row; });
  if (options.on_error == OnError::kRaise && !out.errors.empty()) {
    throw out.errors.front().error;
  }
  // The editions the rows were priced with, in library order.
  for (const auto& e : engine.library().editions()) {
    bool used = false;
    if (!columns.quote_day) {
      used = n > 0 && e->in_force.contains(columns.quote_date);
    } else {
      for (std::size_t i = 0; i < n && !used; ++i)
        used = out.ok[i] && e->in_force.contains(Date::from_day_number(static_cast<std::int32_t>(columns.quote_day[i])));
    }
    if (!used) continue;
    out.editions_used.push_back(e->edition);
    if (out.edition.empty()) {
      out.edition = e->edition;
      out.sha256 = e->sha256;
    }
  }
  return out;
}

}  // namespace cybercover
