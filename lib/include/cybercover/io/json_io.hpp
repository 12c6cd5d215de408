#pragma once
// JSON contract of RATE_MANUAL §7: requests in, results out, with nlohmann::json.

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
AssessmentRequest parse_assessment_request(const nlohmann::json& j, const TableLibrary& library);
QuoteRequest parse_quote_request(const nlohmann::json& j, const TableLibrary& library);
AssessmentRequest parse_assessment_request_text(std::string_view text, const TableLibrary& library);
QuoteRequest parse_quote_request_text(std::string_view text, const TableLibrary& library);

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
