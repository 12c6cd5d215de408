// Fuzz target: a request's JSON text through the quote path (quote_json), the door of the
// HTTP API and the CLI's --json. Every input ends in a response or a cybercover::Error. A
// response is one JSON object whose money figures are integers >= 0 and which names its
// edition's SHA-256; the same text through the struct path (parse_quote_request_text, then
// Engine::quote and to_json) and through nlohmann's DOM (parse_quote_request) gives the same
// bytes. Under a tight size limit, text above it is refused (input.too_large) before parsing,
// and text that passes gives the same response. A request that parses is priced by the batch
// (price_portfolio, one row of columns) to the same figures, or fails there with the same
// error; and nlohmann's rewriting of the text (the round trip through a JSON library) quotes
// to the same response.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "support/columns.hpp"

using namespace cybercover;

namespace {

// The request as one row of portfolio columns, priced by the batch: the same figures as the
// single quote, or its error (code and message).
void check_batch(const Engine& engine, const QuoteRequest& request) {
  std::optional<Quote> single;
  std::optional<Error> single_error;
  try {
    single.emplace(engine.quote(request));
  } catch (const Error& e) {
    single_error = e;
  }
  const RatingTables* edition = nullptr;
  if (!fuzz::run_or_error([&] { edition = &engine.tables_for(request.quote_date); })) {
    FUZZ_REQUIRE(!single, "a quote without an edition in force");
    return;
  }
  // Columns hold one selection per section of the edition: a request naming another section,
  // or one twice, has no columns (the single quote refuses it).
  for (std::size_t i = 0; i < request.top_up.size(); ++i) {
    bool known = false;
    for (const auto& section : edition->top_up.sections) known = known || section.key == request.top_up[i].section;
    for (std::size_t k = 0; k < i; ++k) known = known && request.top_up[k].section != request.top_up[i].section;
    if (!known) {
      FUZZ_REQUIRE(single_error.has_value(), "a quote with an unknown or repeated section");
      return;
    }
  }
  const cybercover::testing::Columns columns({request}, *edition);
  BatchOptions options;
  options.threads = 1;
  options.on_error = OnError::kCollect;
  PortfolioResult b;
  // A whole-call error (a subsidy programme no edition knows) is right only for a request
  // the single quote refuses too.
  if (!fuzz::run_or_error([&] { b = price_portfolio(engine, columns.view, options); })) {
    FUZZ_REQUIRE(single_error.has_value(), "the batch refused a one-row portfolio the quote prices");
    return;
  }
  FUZZ_REQUIRE(b.rows == 1, "the batch priced " + std::to_string(b.rows) + " rows of 1");
  if (single_error) {
    fuzz::check_error(*single_error);
    FUZZ_REQUIRE(b.ok[0] == 0 && b.errors.size() == 1, std::string("the batch priced a row the quote refused: ") +
                                                           single_error->what());
    const Error& e = b.errors[0].error;
    FUZZ_REQUIRE(e.code() == single_error->code() && e.message() == single_error->message(),
                 std::string("the batch's error ") + e.what() + " differs from the quote's " + single_error->what());
    return;
  }
  const Quote& q = *single;
  FUZZ_REQUIRE(b.ok[0] == 1 && b.errors.empty(),
               std::string("the batch refused a row the quote priced: ") + (b.errors.empty() ? "" : b.errors[0].error.what()));
  std::uint8_t bits = 0;
  for (DecisionCode c : q.decision) bits = static_cast<std::uint8_t>(bits | (1u << static_cast<unsigned>(c)));
  const bool same_assessment = b.score[0] == q.assessment.summary.score &&
                               b.unknown_count[0] == q.assessment.summary.unknown_count &&
                               b.posture_index[0] == q.posture.index &&
                               b.tier_names.at(static_cast<std::size_t>(b.tier[0])) == q.tier_name() &&
                               b.outcome[0] == static_cast<std::int8_t>(q.decision.outcome) && b.decision_codes[0] == bits;
  FUZZ_REQUIRE(same_assessment, "the batch's score, posture or decision differs from the quote's");
  FUZZ_REQUIRE(b.editions.at(static_cast<std::size_t>(b.edition[0])).sha256 == q.tables->sha256, "the batch used another edition");
  FUZZ_REQUIRE(b.has_base_cover[0] == q.base_cover.has_value() && b.has_top_up[0] == q.top_up.has_value(),
               "the batch's covers differ from the quote's");
  if (q.base_cover)
    FUZZ_REQUIRE(b.base_monthly_premium_yen[0] == q.base_cover->monthly_premium_yen &&
                     b.base_annual_premium_yen[0] == q.base_cover->annual_premium_yen,
                 "base cover: the batch charges " + std::to_string(b.base_monthly_premium_yen[0]) + " a month, the quote " +
                     std::to_string(q.base_cover->monthly_premium_yen));
  if (q.top_up) {
    const TopUpQuote& u = *q.top_up;
    for (const auto& sq : u.sections)
      FUZZ_REQUIRE(b.section_premium_yen.at(static_cast<std::size_t>(sq.section))[0] == sq.annual_premium_yen,
                   "a section premium of the batch differs from the quote's");
    FUZZ_REQUIRE(b.package_yen[0] == u.package_yen && b.annual_premium_yen[0] == u.annual_premium_yen &&
                     b.subsidy_yen[0] == u.subsidy_yen && b.subsidy_code[0] == static_cast<std::uint8_t>(u.subsidy_code) &&
                     b.payable_annual_yen[0] == u.payable_annual_yen && b.monthly_instalment_yen[0] == u.monthly_instalment_yen,
                 "top-up: the batch charges " + std::to_string(b.annual_premium_yen[0]) + ", the quote " +
                     std::to_string(u.annual_premium_yen));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Engine& engine = fuzz::default_engine();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string response;
  const bool ok = fuzz::run_or_error([&] { response = quote_json(engine, text); });

  JsonReadOptions tight;
  tight.max_bytes = 2048;
  tight.max_values = 256;
  std::string tight_response;
  try {
    tight_response = quote_json(engine, text, tight);
    FUZZ_REQUIRE(size <= tight.max_bytes, "a request above max_bytes was parsed");
    FUZZ_REQUIRE(ok && tight_response == response, "a tight limit changed the response");
  } catch (const Error& e) {
    fuzz::check_error(e);
    FUZZ_REQUIRE(size <= tight.max_bytes || e.code() == ErrorCode::kRequestTooLarge,
                 std::string("a request above max_bytes got ") + e.what());
  }
  // A request that parses goes through the batch alike, priced or refused.
  std::optional<QuoteRequest> parsed;
  if (fuzz::run_or_error([&] { parsed.emplace(parse_quote_request_text(text, engine.library())); }))
    check_batch(engine, *parsed);
  if (!ok) return 0;

  const nlohmann::json j = fuzz::parse_response(response);
  fuzz::check_money(j);
  fuzz::check_tables(j, engine);

  // The struct path and the DOM writer give the same bytes as the direct writer.
  std::string via_struct;
  FUZZ_REQUIRE(fuzz::run_or_error([&] {
                  via_struct = to_json(engine.quote(parse_quote_request_text(text, engine.library()))).dump();
                }),
                "quote_json succeeded but the struct path failed");
  FUZZ_REQUIRE(via_struct == response, "struct path differs:\n" + via_struct + "\nquote_json:\n" + response);

  // Text the strict parser accepts is JSON that nlohmann reads alike (unless it holds a number
  // beyond the doubles, which nlohmann cannot represent).
  const std::optional<nlohmann::json> dom = fuzz::dom_of_accepted(text);
  if (!dom) return 0;
  std::string via_dom;
  FUZZ_REQUIRE(fuzz::run_or_error([&] { via_dom = to_json(engine.quote(parse_quote_request(*dom, engine.library()))).dump(); }),
                "quote_json succeeded but the DOM path failed");
  FUZZ_REQUIRE(via_dom == response, "DOM path differs:\n" + via_dom + "\nquote_json:\n" + response);

  // The round trip: the request as another JSON library writes it quotes alike.
  const std::string rewritten = dom->dump();
  std::string via_rewrite;
  FUZZ_REQUIRE(fuzz::run_or_error([&] { via_rewrite = quote_json(engine, rewritten); }),
               "nlohmann's rewriting of a request that quotes fails: " + rewritten.substr(0, 300));
  FUZZ_REQUIRE(via_rewrite == response, "the rewritten request quotes otherwise:\n" + rewritten.substr(0, 300));
  return 0;
}
