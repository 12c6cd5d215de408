#pragma once
// The JSON door (docs/request_contract.md): requests in, results out, with nlohmann::json.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cybercover/quote/engine.hpp"

namespace cybercover {

// Parses a request; the edition in force on its quote_date maps answer ids to items.
// Throws Error{kInput} naming the field and value for anything missing, unknown or invalid
// (from text: also for malformed JSON, with line and column; duplicate keys are rejected).
// Example:
//   QuoteRequest r = parse_quote_request_text(text, engine.library());
// How JSON text is read.
struct JsonReadOptions {
  // Accept the literals Infinity and -Infinity (not JSON; what a Python float holds) as
  // numbers, so the request checks name the field (input.not_finite).
  bool allow_infinity_literals = false;
};

AssessmentRequest parse_assessment_request(const nlohmann::json& j, const TableLibrary& library);
QuoteRequest parse_quote_request(const nlohmann::json& j, const TableLibrary& library);
AssessmentRequest parse_assessment_request_text(std::string_view text, const TableLibrary& library,
                                                const JsonReadOptions& options = {});
QuoteRequest parse_quote_request_text(std::string_view text, const TableLibrary& library,
                                      const JsonReadOptions& options = {});

// The §7 responses: {"assessment", "tables", "engine_version"} and the full quote.
// write_json appends compact JSON text (keys sorted, as nlohmann prints them): the fast path.
void write_json(const AssessmentResult& result, std::string& out);
void write_json(const Quote& quote, std::string& out);
nlohmann::json to_json(const AssessmentResult& result);
nlohmann::json to_json(const Quote& quote);

// JSON text in, JSON text out (compact): the path of the HTTP API and the CLI's --json.
std::string quote_json(const Engine& engine, std::string_view request_text);
std::string assess_json(const Engine& engine, std::string_view request_text);

}  // namespace cybercover
