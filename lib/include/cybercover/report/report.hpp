#pragma once
// The company's feedback report: one self-contained HTML page (no scripts, fonts or images
// from anywhere else) in Japanese or English, written for a company president who is not an
// IT person. It prints on A4. It shows the score out of 1000 and its reading, the 24 domains as
// an inline SVG chart, the risk tier and why, the underwriting decision in plain words, the
// base cover, the top-up options (limits x premiums, priced by the engine) and the remediation
// plan with the cheapest set that reaches the next tier highlighted. docs/report.md shows it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/quote/engine.hpp"
#include "cybercover/remediation/remediation.hpp"

namespace cybercover {

enum class ReportLanguage : std::uint8_t { kJa, kEn };
// "ja" or "en"; nullopt for anything else.
std::optional<ReportLanguage> parse_report_language(std::string_view text);
std::string_view to_string(ReportLanguage language);

struct ReportOptions {
  ReportLanguage language = ReportLanguage::kJa;
  // Shown at the top as given (escaped: it is always text). Empty: no name. At most 200
  // bytes of UTF-8 without control characters.
  std::string company_name;
  // Rows of the plan table besides the measures of the highlighted sets (0 to 200).
  int max_measures = 10;
};

// Checks the options; throws Error{kInput} naming company_name or max_measures.
void validate_report_options(const ReportOptions& options);

// One cell of the top-up table: a section at one of its limits, priced on its own (the
// request's deductible for a selected section, else the default), before the multi-section
// factor and the minimum premium.
struct TopUpOption {
  int section = 0;  // index into TopUpTable::sections
  Yen limit_yen = 0;
  Yen deductible_yen = 0;
  Yen annual_premium_yen = 0;
  bool selected = false;  // the request selects this section at this limit
};

// Prices every limit of every section through the engine, at the request's tier and plan.
// Empty when the request is declined (no top-up can be written).
std::vector<TopUpOption> price_top_up_options(const Engine& engine, const QuoteRequest& request);

// Builds the report for a request: quotes it, plans the remediation and prices the options.
// Throws what Engine::quote throws, and Error{kInput} for bad options.
// Example:
//   std::string html = cybercover::report_html(engine, request, {cybercover::ReportLanguage::kEn});
std::string report_html(const Engine& engine, const QuoteRequest& request, const ReportOptions& options = {});
// The same from results already computed for `request`.
std::string report_html(const QuoteRequest& request, const Quote& quote, const RemediationPlan& plan,
                        const std::vector<TopUpOption>& top_up_options, const ReportOptions& options);
// JSON request text in, HTML out: the path of the HTTP API's /v1/report.
std::string report_html_json(const Engine& engine, std::string_view request_text, const ReportOptions& options = {});

}  // namespace cybercover
