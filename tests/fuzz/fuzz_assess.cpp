// Fuzz target: a request's JSON text through the assessment path (assess_json). Every input
// ends in a response or a cybercover::Error. A response is one JSON object with a score
// between 0 and the questionnaire's max_score, naming its edition's SHA-256; the struct path
// (parse_assessment_request_text, Engine::assess, to_json) and nlohmann's DOM
// (parse_assessment_request) give the same bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"

using namespace cybercover;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Engine& engine = fuzz::default_engine();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string response;
  if (!fuzz::run_or_error([&] { response = assess_json(engine, text); })) return 0;

  const nlohmann::json j = fuzz::parse_response(response);
  fuzz::check_money(j);
  fuzz::check_tables(j, engine);
  const auto& edition = *engine.library().edition(j["tables"]["edition"].get<std::string>());
  const auto& score = j["assessment"]["score"];
  FUZZ_REQUIRE(score.is_number_integer() && score.get<std::int64_t>() >= 0 &&
                    score.get<std::int64_t>() <= edition.questionnaire.max_score,
                "score out of range: " + score.dump());

  std::string via_struct;
  FUZZ_REQUIRE(fuzz::run_or_error([&] {
                  via_struct = to_json(engine.assess(parse_assessment_request_text(text, engine.library()))).dump();
                }),
                "assess_json succeeded but the struct path failed");
  FUZZ_REQUIRE(via_struct == response, "struct path differs:\n" + via_struct + "\nassess_json:\n" + response);

  const std::optional<nlohmann::json> dom = fuzz::dom_of_accepted(text);
  if (!dom) return 0;
  std::string via_dom;
  FUZZ_REQUIRE(fuzz::run_or_error([&] {
                  via_dom = to_json(engine.assess(parse_assessment_request(*dom, engine.library()))).dump();
                }),
                "assess_json succeeded but the DOM path failed");
  FUZZ_REQUIRE(via_dom == response, "DOM path differs:\n" + via_dom + "\nassess_json:\n" + response);
  return 0;
}
