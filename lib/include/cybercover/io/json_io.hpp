#pragma once
// The JSON door (docs/request_contract.md): requests in, results out, with nlohmann::json.

#include <cstddef>
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
  // Requests longer than this are refused before parsing (input.too_large): parsing memory
  // grows with the text, so the bound comes first. One request is a few kilobytes.
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{1} << 20;  // 1 MiB
  std::size_t max_bytes = kDefaultMaxBytes;
  // And at most this many JSON values (any request of an edition with 10,000 items has
  // fewer), so parsing costs at most ~1 MiB beyond the text, whatever its shape.
  static constexpr std::size_t kDefaultMaxValues = std::size_t{1} << 14;
  std::size_t max_values = kDefaultMaxValues;
  // Accept the literals Infinity and -Infinity (not JSON; what a Python float holds) as
  // numbers, so the request checks name the field (input.not_finite).
  bool allow_infinity_literals = false;
};

// `as_if`: with an edition named, its questionnaire maps the answer ids (as-if pricing).
AssessmentRequest parse_assessment_request(const nlohmann::json& j, const TableLibrary& library,
                                           const QuoteOptions& as_if = {});
QuoteRequest parse_quote_request(const nlohmann::json& j, const TableLibrary& library, const QuoteOptions& as_if = {});
AssessmentRequest parse_assessment_request_text(std::string_view text, const TableLibrary& library,
                                                const JsonReadOptions& options = {}, const QuoteOptions& as_if = {});
QuoteRequest parse_quote_request_text(std::string_view text, const TableLibrary& library,
                                      const JsonReadOptions& options = {}, const QuoteOptions& as_if = {});

// The §7 responses: {"assessment", "tables", "engine_version"} and the full quote.
// write_json appends compact JSON text (keys sorted, as nlohmann prints them): the fast path.
void write_json(const AssessmentResult& result, std::string& out);
void write_json(const Quote& quote, std::string& out);
nlohmann::json to_json(const AssessmentResult& result);
nlohmann::json to_json(const Quote& quote);

// JSON text in, JSON text out (compact): the path of the HTTP API and the CLI's --json.
// `as_if`: price under a named edition whatever the quote date (QuoteOptions::edition).
std::string quote_json(const Engine& engine, std::string_view request_text, const JsonReadOptions& options = {},
                       const QuoteOptions& as_if = {});
std::string assess_json(const Engine& engine, std::string_view request_text, const JsonReadOptions& options = {},
                        const QuoteOptions& as_if = {});

}  // namespace cybercover
