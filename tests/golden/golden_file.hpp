#pragma once
// Golden files: a request, the figures a person computed by hand from the rate manual, and
// the arithmetic. Shared by every golden suite (quotes, assessments, errors).
//
// File shape:
//   {"name": "...", "proves": "...", "arithmetic": ["..."],
//    "fill_answers": "yes",            // optional: answer every item the request leaves out
//    "request": {...},                 // docs/request_contract.md
//    "expected": {...}                 // a subset of the response: every key given must match
//    "request_type": "quote" or "assessment"   // errors/ only; default "quote"
//    "expected_error": {"kind": "input", "field": "company.employees",
//                       "message_contains": ["got -3"]}}   // instead of "expected"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cybercover::testing {

inline std::vector<std::filesystem::path> golden_files(const std::string& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

inline nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// Expands "fill_answers" into the request, using the questionnaire file's item ids.
inline nlohmann::json request_of(const nlohmann::json& golden, const nlohmann::json& questionnaire) {
  nlohmann::json request = golden.at("request");
  if (golden.contains("fill_answers")) {
    if (!request.contains("answers")) request["answers"] = nlohmann::json::object();
    for (const auto& item : questionnaire.at("items")) {
      const std::string id = item.at("id");
      if (!request["answers"].contains(id)) request["answers"][id] = golden.at("fill_answers");
    }
  }
  return request;
}

// Returns "" when `actual` contains `expected` (objects: every expected key matches, arrays:
// same length and each element matches); otherwise the path and both values of the first
// difference.
inline std::string subset_mismatch(const nlohmann::json& expected, const nlohmann::json& actual,
                                   const std::string& path = "") {
  if (expected.is_object()) {
    if (!actual.is_object()) return path + ": expected an object, got " + actual.dump();
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key)) return path + "." + key + ": missing from the response";
      const std::string m = subset_mismatch(value, actual.at(key), path + "." + key);
      if (!m.empty()) return m;
    }
    return "";
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size())
      return path + ": expected " + expected.dump() + ", got " + actual.dump();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const std::string m = subset_mismatch(expected[i], actual[i], path + "[" + std::to_string(i) + "]");
      if (!m.empty()) return m;
    }
    return "";
  }
  if (expected.is_number() && actual.is_number()) {
    if (expected.get<double>() == actual.get<double>()) return "";
  } else if (expected == actual) {
    return "";
  }
  return path + ": expected " + expected.dump() + ", got " + actual.dump();
}

}  // namespace cybercover::testing
