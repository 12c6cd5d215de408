#pragma once
// JSON contract of RATE_MANUAL §7: requests in, results out, with nlohmann::json.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cybercover/quote/engine.hpp"

namespace cybercover {

// Parses a request; the edition in force on its quote_date maps answer ids to items.
// Throws Error{kInput} naming the field and value for anything missing, unknown or invalid.
AssessmentRequest parse_assessment_request(const nlohmann::json& j, const TableLibrary& library);
QuoteRequest parse_quote_request(const nlohmann::json& j, const TableLibrary& library);

// Parses JSON text; throws Error{kInput} with the parser's position for malformed JSON.
nlohmann::json parse_json_text(std::string_view text, const std::string& what = "request");

// The §7 responses: {"assessment", "tables", "engine_version"} and the full quote.
nlohmann::json to_json(const AssessmentResult& result);
nlohmann::json to_json(const Quote& quote);

// JSON text in, JSON text out (compact): the path of the HTTP API and the CLI's --json.
std::string quote_json(const Engine& engine, std::string_view request_text);
std::string assess_json(const Engine& engine, std::string_view request_text);

}  // namespace cybercover
