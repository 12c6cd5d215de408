// Fuzz target: a request's JSON text through the quote path (quote_json), the door of the
// HTTP API and the CLI's --json. Every input ends in a response or a cybercover::Error. A
// response is one JSON object whose money figures are integers >= 0 and which names its
// edition's SHA-256; the same text through the struct path (parse_quote_request_text, then
// Engine::quote and to_json) and through nlohmann's DOM (parse_quote_request) gives the same
// bytes. Under a tight size limit, text above it is refused (input.too_large) before parsing,
// and text that passes gives the same response.

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

  // Text the strict parser accepts is JSON that nlohmann reads alike.
  const nlohmann::json dom = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  FUZZ_REQUIRE(!dom.is_discarded(), "the strict parser accepted text that nlohmann rejects");
  std::string via_dom;
  FUZZ_REQUIRE(fuzz::run_or_error([&] { via_dom = to_json(engine.quote(parse_quote_request(dom, engine.library()))).dump(); }),
                "quote_json succeeded but the DOM path failed");
  FUZZ_REQUIRE(via_dom == response, "DOM path differs:\n" + via_dom + "\nquote_json:\n" + response);
  return 0;
}
