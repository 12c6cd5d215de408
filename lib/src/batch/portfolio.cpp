#include "cybercover/batch/portfolio.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include <sys/mman.h>

#include "assessment/scoring.hpp"
#include "contract/field_checks.hpp"
#include "contract/quote_arguments.hpp"
#include "cybercover/contract/request_contract.hpp"
#include "cybercover/error.hpp"
#include "detail/parallel.hpp"
#include "quote/pipeline.hpp"

namespace cybercover {

namespace {

// Large blocks come 2 MiB-aligned and marked for transparent huge pages: first-touch page
// faults on fresh 4 KiB pages cost more than pricing the rows (measured: 100 MiB takes ~290 ms
// in 4 KiB pages on a virtual machine, ~10-30 ms in huge pages).
constexpr std::size_t kHugePage = std::size_t{2} << 20;

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

}  // namespace

template <typename T>
void ResultColumn<T>::Release::operator()(T* p) const noexcept {
  std::free(p);
}

template <typename T>
void ResultColumn<T>::resize_uninitialized(std::size_t n) {
  data_ = std::unique_ptr<T[], Release>(static_cast<T*>(allocate_column_bytes(n * sizeof(T))), Release{n * sizeof(T)});
  size_ = n;
}

template <typename T>
ResultColumn<T>::ResultColumn(const ResultColumn& other) {
  *this = other;
}

template <typename T>
ResultColumn<T>& ResultColumn<T>::operator=(const ResultColumn& other) {
  if (this == &other) return *this;
  resize_uninitialized(other.size_);
  if (size_) std::memcpy(data_.get(), other.data_.get(), size_ * sizeof(T));
  return *this;
}

template class ResultColumn<std::uint8_t>;
template class ResultColumn<std::int8_t>;
template class ResultColumn<std::int32_t>;
template class ResultColumn<std::int64_t>;

namespace {

using detail::QuoteArguments;

[[noreturn]] void column_error(ErrorCode code, const std::string& column, const std::string& detail) {
  throw Error(code, column, detail, {}, ErrorLocation{0, {}, column});
}

template <typename T>
void require(const T* p, const char* column) {
  if (!p) column_error(ErrorCode::kMissingColumn, column, "required column is missing");
}

const FieldSpec& spec(Field f) { return field_spec(f); }

template <typename E>
E enum_code(std::uint8_t code, E max, Field field) {
  if (code > static_cast<std::uint8_t>(max)) detail::throw_bad_code(spec(field), spec(field).json_path, code);
  return static_cast<E>(code);
}

// A day number as the contract's date (an int64 column may hold any day).
Date day(std::int64_t days, Field field) {
  detail::check_day(spec(field), spec(field).json_path, days);
  return Date::from_day_number(static_cast<std::int32_t>(days));
}

// What a row needs from its edition, resolved once per edition.
struct EditionContext {
  const RatingTables* tables = nullptr;
  std::shared_ptr<const detail::CompiledQuestionnaire> questionnaire;
  std::vector<int> industry;          // by industry code; -1 = not in this edition
  std::vector<int> section;           // by top-up column; -1 = not in this edition
  std::vector<const SubsidyProgram*> subsidy;  // by programme code; nullptr = not in this edition
  const SubsidyProgram* default_subsidy = nullptr;  // of the whole call; nullptr = not in this edition
  std::vector<std::int8_t> tier_out;  // edition tier index -> PortfolioResult::tier_names index
  std::int8_t edition = 0;            // index into PortfolioResult::editions
};

// A worker's result records, reused row after row (a top-up record is large; a thread_local
// would cost a TLS look-up per row in a shared library).
struct Figures {
  Posture posture;
  Decision decision;
  std::optional<BaseCoverQuote> base_cover;
  std::optional<TopUpQuote> top_up;
};

class Pricer {
 public:
  Pricer(const Engine& engine, const PortfolioColumns& cols, PortfolioResult& out, const BatchOptions& options)
      : engine_(engine), cols_(cols), out_(out) {
    const auto& editions = engine.library().editions();
    for (const auto& edition : editions) contexts_.push_back(context_for(*edition));
    if (options.edition) {  // as-if: one edition for every row
      const auto named = engine.library().edition(*options.edition);
      for (std::size_t e = 0; e < editions.size(); ++e)
        if (editions[e] == named) as_if_ = static_cast<int>(e);
    }
  }

  // Prices row i into the output; throws the single quote's Error for a bad row.
  void price_row(std::size_t i, Figures& f) const {
    QuoteArguments a;
    a.quote_date = cols_.quote_day ? day(cols_.quote_day[i], Field::kQuoteDate) : cols_.quote_date;
    const std::int32_t code = cols_.industry[i];
    if (code < 0 || static_cast<std::size_t>(code) >= cols_.industry_keys.size())
      throw Error(ErrorCode::kUnknownIndustry, "company.industry",
                  "must be a code of one of the " + std::to_string(cols_.industry_keys.size()) + " industry keys",
                  "code " + std::to_string(code));
    a.industry_key = cols_.industry_keys[static_cast<std::size_t>(code)];
    a.employees = cols_.employees[i];
    a.capital_yen = cols_.capital_yen[i];
    a.revenue_yen = cols_.revenue_yen[i];
    a.endpoints = cols_.endpoints[i];
    if (cols_.rubber_products) {
      const std::uint8_t r = cols_.rubber_products[i];
      if (r > 1) throw Error(ErrorCode::kWrongType, "company.rubber_products", "must be true or false", "code " + std::to_string(r));
      a.rubber_products = r != 0;
    }
    a.security_action = cols_.security_action ? enum_code(cols_.security_action[i], SecurityAction::kTwoStar, Field::kSecurityAction)
                                              : SecurityAction::kNone;
    Controls& controls = a.controls;
    controls.utm = enum_code(cols_.utm[i], UtmStatus::kManaged, Field::kUtm);
    controls.edr.status = enum_code(cols_.edr_status[i], EdrStatus::kManaged, Field::kEdrStatus);
    if (cols_.edr_covered_endpoints) controls.edr.covered_endpoints = cols_.edr_covered_endpoints[i];
    if (controls.edr.status == EdrStatus::kManaged && cols_.edr_installed_day &&
        cols_.edr_installed_day[i] != PortfolioColumns::kNoDay)
      controls.edr.installed_on = day(cols_.edr_installed_day[i], Field::kEdrInstalledOn);
    controls.legacy_os_endpoints = cols_.legacy_os_endpoints[i];
    if (cols_.phishing_click_rate && !std::isnan(cols_.phishing_click_rate[i]))  // NaN: not measured
      controls.phishing_click_rate = cols_.phishing_click_rate[i];
    controls.incidents_3y = cols_.incidents_3y[i];
    a.bundle_plan = enum_code(cols_.bundle_plan[i], BundlePlan::kUtmEdr, Field::kBundlePlan);
    for (std::size_t k = 0; k < cols_.top_up.size(); ++k) {
      const auto& col = cols_.top_up[k];
      const std::int64_t limit = col.limit_yen[i];
      if (limit == 0) continue;  // columns: 0 = not selected
      QuoteArguments::Cover& c = a.covers.emplace_back();
      c.key = col.section;
      c.limit_yen = limit;
      if (col.deductible_yen && col.deductible_yen[i] != PortfolioColumns::kDefault) c.deductible_yen = col.deductible_yen[i];
    }
    if (cols_.subsidy_program_code && cols_.subsidy_program_code[i] != PortfolioColumns::kNone) {
      const std::int32_t p = cols_.subsidy_program_code[i];
      if (p < 0 || static_cast<std::size_t>(p) >= cols_.subsidy_program_ids.size())
        throw Error(ErrorCode::kUnknownSubsidyProgram, "subsidy_program",
                    "must be a code of one of the " + std::to_string(cols_.subsidy_program_ids.size()) + " programme ids",
                    "code " + std::to_string(p));
      a.subsidy_program_id = cols_.subsidy_program_ids[static_cast<std::size_t>(p)];
    } else if (cols_.subsidy_program) {
      a.subsidy_program_id = *cols_.subsidy_program;
    }
    if (cols_.service_monthly_price_yen && cols_.service_monthly_price_yen[i] != PortfolioColumns::kNone)
      a.service_monthly_price_yen = cols_.service_monthly_price_yen[i];
    if (cols_.prior_annual_premium_yen && cols_.prior_annual_premium_yen[i] != PortfolioColumns::kNone)
      a.prior_annual_premium_yen = cols_.prior_annual_premium_yen[i];
    detail::check_values(a);

    const EditionContext& ctx = context_for_date(a.quote_date);
    const RatingTables& t = *ctx.tables;
    a.industry = ctx.industry[static_cast<std::size_t>(code)];
    detail::check_industry(t, a);
    for (std::size_t k = 0, j = 0; k < cols_.top_up.size(); ++k)
      if (cols_.top_up[k].limit_yen[i] != 0) a.covers[j++].section = ctx.section[k];
    // The programme resolved once per edition (an unknown one is looked up, and named, as usual).
    if (a.subsidy_program_id) {
      const bool per_row = cols_.subsidy_program_code && cols_.subsidy_program_code[i] != PortfolioColumns::kNone;
      a.subsidy_program = per_row ? ctx.subsidy[static_cast<std::size_t>(cols_.subsidy_program_code[i])] : ctx.default_subsidy;
    }

    if (cols_.answer_columns != t.questionnaire.items.size())
      throw Error(ErrorCode::kColumnShape, "answers",
                  "the answers have " + std::to_string(cols_.answer_columns) + " columns but edition " + t.edition +
                      " has " + std::to_string(t.questionnaire.items.size()) + " items");
    const ScoreSummary score = detail::score_summary(
        t.questionnaire, *ctx.questionnaire, a.security_action,
        reinterpret_cast<const Answer*>(cols_.answers + i * cols_.answer_columns), cols_.answer_columns);

    detail::check_cover(t, a);
    detail::check_rules(t, a, score.applicable);

    detail::price_checked(t, a, score, f.posture, f.decision, f.base_cover, f.top_up);

    // Every element of every column is written (the columns are not zero-filled).
    out_.ok[i] = 1;
    out_.score[i] = score.score;
    out_.unknown_count[i] = score.unknown_count;
    out_.posture_index[i] = f.posture.index;
    out_.tier[i] = ctx.tier_out[static_cast<std::size_t>(f.posture.tier)];
    out_.outcome[i] = static_cast<std::int8_t>(f.decision.outcome);
    std::uint8_t bits = 0;
    for (DecisionCode dc : f.decision) bits = static_cast<std::uint8_t>(bits | (1u << static_cast<unsigned>(dc)));
    out_.decision_codes[i] = bits;
    out_.is_sme[i] = f.decision.is_sme;
    out_.has_base_cover[i] = f.base_cover.has_value();
    out_.base_monthly_premium_yen[i] = f.base_cover ? f.base_cover->monthly_premium_yen : 0;
    out_.base_annual_premium_yen[i] = f.base_cover ? f.base_cover->annual_premium_yen : 0;
    out_.has_top_up[i] = f.top_up.has_value();
    for (std::size_t k = 0; k < cols_.top_up.size(); ++k) {
      out_.section_premium_yen[k][i] = 0;
      out_.section_selected[k][i] = cols_.top_up[k].limit_yen[i] != 0;
    }
    if (f.top_up) {
      for (const SectionQuote& s : f.top_up->sections)
        for (std::size_t k = 0; k < cols_.top_up.size(); ++k)
          if (ctx.section[k] == s.section) out_.section_premium_yen[k][i] = s.annual_premium_yen;
    }
    out_.package_yen[i] = f.top_up ? f.top_up->package_yen : 0;
    out_.annual_premium_yen[i] = f.top_up ? f.top_up->annual_premium_yen : 0;
    out_.subsidy_yen[i] = f.top_up ? f.top_up->subsidy_yen : 0;
    out_.subsidy_code[i] = f.top_up ? static_cast<std::uint8_t>(f.top_up->subsidy_code) : 0;
    const bool renewal = f.top_up && f.top_up->renewal;
    out_.uncapped_annual_premium_yen[i] =
        renewal ? f.top_up->renewal->uncapped_annual_premium_yen : out_.annual_premium_yen[i];
    out_.renewal_code[i] = renewal ? static_cast<std::uint8_t>(f.top_up->renewal->code) : 0;
    out_.payable_annual_yen[i] = f.top_up ? f.top_up->payable_annual_yen : 0;
    out_.monthly_instalment_yen[i] = f.top_up ? f.top_up->monthly_instalment_yen : 0;
    out_.edition[i] = ctx.edition;
  }

  // Writes an error row: not priced, every figure 0 (tier, outcome and edition -1).
  void clear_row(std::size_t i) const {
    out_.ok[i] = 0;
    out_.score[i] = 0;
    out_.unknown_count[i] = 0;
    out_.posture_index[i] = 0;
    out_.tier[i] = -1;
    out_.outcome[i] = -1;
    out_.decision_codes[i] = 0;
    out_.is_sme[i] = 0;
    out_.has_base_cover[i] = 0;
    out_.base_monthly_premium_yen[i] = 0;
    out_.base_annual_premium_yen[i] = 0;
    out_.has_top_up[i] = 0;
    for (auto& column : out_.section_premium_yen) column[i] = 0;
    for (auto& column : out_.section_selected) column[i] = 0;
    out_.package_yen[i] = 0;
    out_.annual_premium_yen[i] = 0;
    out_.subsidy_yen[i] = 0;
    out_.subsidy_code[i] = 0;
    out_.uncapped_annual_premium_yen[i] = 0;
    out_.renewal_code[i] = 0;
    out_.payable_annual_yen[i] = 0;
    out_.monthly_instalment_yen[i] = 0;
    out_.edition[i] = -1;
  }

  // The error of row i at its location: the data row and the column of its field.
  Error located(const Error& e, std::size_t i) const {
    return e.at(ErrorLocation{cols_.first_row + i, {}, column_for_field(e.field())});
  }

  std::vector<std::string> tier_names;

 private:
  const EditionContext& context_for_date(Date date) const {
    if (as_if_ >= 0) return contexts_[static_cast<std::size_t>(as_if_)];
    for (const auto& ctx : contexts_)
      if (ctx.tables->in_force.contains(date)) return ctx;
    engine_.tables_for(date);  // throws the no-edition error
    return contexts_.front();
  }

  EditionContext context_for(const RatingTables& t) {
    EditionContext ctx;
    ctx.tables = &t;
    ctx.questionnaire = detail::compiled(t.questionnaire);
    for (const auto& key : cols_.industry_keys) ctx.industry.push_back(t.underwriting.industry_index(key));
    for (const auto& col : cols_.top_up) ctx.section.push_back(t.top_up.section_index(col.section));
    for (const auto& tier : t.posture.tiers) {
      auto it = std::find(tier_names.begin(), tier_names.end(), tier.name);
      if (it == tier_names.end()) it = tier_names.insert(tier_names.end(), tier.name);
      ctx.tier_out.push_back(static_cast<std::int8_t>(it - tier_names.begin()));
    }
    for (const auto& id : cols_.subsidy_program_ids) ctx.subsidy.push_back(t.find_subsidy(id));
    if (cols_.subsidy_program) ctx.default_subsidy = t.find_subsidy(*cols_.subsidy_program);
    ctx.edition = static_cast<std::int8_t>(contexts_.size());
    return ctx;
  }

  const Engine& engine_;
  const PortfolioColumns& cols_;
  PortfolioResult& out_;
  std::vector<EditionContext> contexts_;
  int as_if_ = -1;  // the edition of every row (BatchOptions::edition), or -1: by date
};

// Problems of the whole call, which no row can be priced past.
void check_columns(const Engine& engine, const PortfolioColumns& c, const BatchOptions& options) {
  if (engine.library().editions().size() > 127)
    throw Error(ErrorCode::kBadOption, "engine", "a portfolio can be priced with at most 127 editions");
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
  auto editions = engine.library().editions();
  if (options.edition) editions = {engine.library().edition(*options.edition)};  // as-if: only it
  if (std::none_of(editions.begin(), editions.end(), [&](const auto& e) { return e->questionnaire.items.size() == c.answer_columns; }))
    column_error(ErrorCode::kColumnShape, "answers",
                 "has " + std::to_string(c.answer_columns) + " columns but no edition's questionnaire has that many items (" +
                     std::to_string(editions.front()->questionnaire.items.size()) + " in edition " +
                     editions.front()->edition + ")");
  if (c.top_up.size() > kMaxSections)
    throw Error(ErrorCode::kBadOption, "top_up", "lists " + std::to_string(c.top_up.size()) + " sections; at most " +
                                                     std::to_string(kMaxSections) + " are supported");
  for (std::size_t k = 0; k < c.top_up.size(); ++k)
    for (std::size_t j = 0; j < k; ++j)
      if (c.top_up[k].section == c.top_up[j].section)
        column_error(ErrorCode::kDuplicateColumn, column_name(Field::kTopUpLimit, c.top_up[k].section), "column given twice");
  for (const auto& s : c.top_up) {
    if (!s.limit_yen) column_error(ErrorCode::kMissingColumn, column_name(Field::kTopUpLimit, s.section), "required column is missing");
    if (std::none_of(editions.begin(), editions.end(), [&](const auto& e) { return e->top_up.section_index(s.section) >= 0; }))
      throw Error(ErrorCode::kUnknownSection, "top_up." + s.section, "no edition offers this top-up section", {},
                  ErrorLocation{0, {}, column_name(Field::kTopUpLimit, s.section)});
  }
  if (c.subsidy_program &&
      std::none_of(editions.begin(), editions.end(), [&](const auto& e) { return e->find_subsidy(*c.subsidy_program); }))
    throw Error(ErrorCode::kUnknownSubsidyProgram, "subsidy_program", "no edition has this programme",
                quote_for_message(*c.subsidy_program));
  for (std::size_t k = 1; k < c.failed_rows.size(); ++k)
    if (c.failed_rows[k].row <= c.failed_rows[k - 1].row)
      throw Error(ErrorCode::kBadOption, "failed_rows", "must be sorted by row, each row once");
  if (!c.failed_rows.empty() && c.failed_rows.back().row >= c.rows)
    throw Error(ErrorCode::kBadOption, "failed_rows", "names a row beyond the columns");
}

void allocate(PortfolioResult& r, const PortfolioColumns& c) {
  const std::size_t n = c.rows;
  r.rows = n;
  for (auto* v : {&r.ok, &r.decision_codes, &r.is_sme, &r.has_base_cover, &r.has_top_up, &r.subsidy_code, &r.renewal_code})
    v->resize_uninitialized(n);
  for (auto* v : {&r.score, &r.unknown_count}) v->resize_uninitialized(n);
  for (auto* v : {&r.tier, &r.outcome, &r.edition}) v->resize_uninitialized(n);
  for (auto* v : {&r.posture_index, &r.base_monthly_premium_yen, &r.base_annual_premium_yen, &r.package_yen,
                  &r.annual_premium_yen, &r.subsidy_yen, &r.payable_annual_yen, &r.monthly_instalment_yen,
                  &r.uncapped_annual_premium_yen})
    v->resize_uninitialized(n);
  r.section_premium_yen.resize(c.top_up.size());
  for (auto& v : r.section_premium_yen) v.resize_uninitialized(n);
  r.section_selected.resize(c.top_up.size());
  for (auto& v : r.section_selected) v.resize_uninitialized(n);
  for (const auto& s : c.top_up) r.section_keys.push_back(s.section);
}

}  // namespace

PortfolioResult price_portfolio(const Engine& engine, const PortfolioColumns& columns, const BatchOptions& options) {
  detail::check_thread_count(options.threads);
  if (options.edition) engine.library().edition(*options.edition);  // an unknown id fails the call
  check_columns(engine, columns, options);
  PortfolioResult out;
  allocate(out, columns);
  Pricer pricer(engine, columns, out, options);
  out.tier_names = pricer.tier_names;

  const std::size_t n = columns.rows;
  constexpr std::size_t kMinRowsPerThread = 4096;  // below this a thread costs more than it saves
  const std::size_t threads = detail::worker_count(options.threads, n, kMinRowsPerThread);

  std::vector<std::vector<RowError>> errors(threads);
  std::atomic<std::size_t> first_failure{n};  // with kRaise: rows after it need not be priced
  const auto& failed = columns.failed_rows;
  auto work = [&](std::size_t t) {
    const std::size_t begin = n * t / threads, end = n * (t + 1) / threads;
    Figures figures;
    // The rows a door already failed, within this worker's range.
    auto next_failed = std::lower_bound(failed.begin(), failed.end(), begin,
                                        [](const RowError& e, std::size_t row) { return e.row < row; });
    for (std::size_t i = begin; i < end; ++i) {
      if (options.on_error == OnError::kRaise && i > first_failure.load(std::memory_order_relaxed)) return;
      bool bad = false;
      if (next_failed != failed.end() && next_failed->row == i) {
        pricer.clear_row(i);
        errors[t].push_back(*next_failed++);
        bad = true;
      } else {
        try {
          pricer.price_row(i, figures);
        } catch (const Error& e) {
          pricer.clear_row(i);
          errors[t].push_back({i, pricer.located(e, i)});
          bad = true;
        }
      }
      if (bad && options.on_error == OnError::kRaise) {
        std::size_t current = first_failure.load();
        while (i < current && !first_failure.compare_exchange_weak(current, i)) {
        }
        return;
      }
    }
  };
  detail::run_workers(threads, work);
  for (auto& e : errors) out.errors.insert(out.errors.end(), std::make_move_iterator(e.begin()), std::make_move_iterator(e.end()));
  std::sort(out.errors.begin(), out.errors.end(), [](const auto& a, const auto& b) { return a.row < b.row; });
  if (options.on_error == OnError::kRaise && !out.errors.empty()) throw out.errors.front().error;

  // The editions the rows were priced with, in library order; rows point at their index here.
  const auto& editions = engine.library().editions();
  std::vector<std::int8_t> remap(editions.size(), -1);
  std::vector<char> used(editions.size(), 0);
  for (std::size_t i = 0; i < n; ++i)
    if (out.ok[i]) used[static_cast<std::size_t>(out.edition[i])] = 1;
  for (std::size_t e = 0; e < editions.size(); ++e) {
    if (!used[e]) continue;
    remap[e] = static_cast<std::int8_t>(out.editions.size());
    out.editions.push_back({editions[e]->edition, editions[e]->sha256});
  }
  bool identity = true;
  for (std::size_t e = 0; e < editions.size(); ++e) identity &= !used[e] || remap[e] == static_cast<std::int8_t>(e);
  if (!identity)
    for (std::size_t i = 0; i < n; ++i)
      if (out.ok[i]) out.edition[i] = remap[static_cast<std::size_t>(out.edition[i])];
  return out;
}

}  // namespace cybercover
