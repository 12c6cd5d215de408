#include "contract_docs.hpp"

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cybercover/contract/request_contract.hpp"
#include "cybercover/error.hpp"

namespace cybercover::cli {

namespace {

std::string bounds_of(const FieldSpec& f) {
  if (f.type == FieldType::kInteger) return std::to_string(f.min) + " … " + std::to_string(f.max);
  if (!f.min_text.empty()) return std::string(f.min_text) + " … " + std::string(f.max_text);
  return "";
}

std::string join(const std::vector<std::string>& values, std::size_t limit = 14) {
  std::string out;
  for (std::size_t i = 0; i < values.size() && i < limit; ++i) out += (i ? ", " : "") + std::string("`") + values[i] + "`";
  if (values.size() > limit) out += ", … (" + std::to_string(values.size()) + ")";
  return out;
}

std::string allowed_of(const FieldSpec& f, const RatingTables& t) {
  switch (f.source) {
    case ValueSource::kBounds: return "";
    case ValueSource::kSpellings: return join(allowed_values(t, f.field));
    case ValueSource::kIndustries: return "underwriting.json industries: " + join(allowed_values(t, f.field));
    case ValueSource::kBundlePlans: return "base_cover.json plans: " + join(allowed_values(t, f.field));
    case ValueSource::kSubsidyPrograms: return "subsidies.json programmes: " + join(allowed_values(t, f.field));
    case ValueSource::kLimits: return "top_up.json: the section's limits";
    case ValueSource::kDeductibles: return "top_up.json: the section's deductibles";
    case ValueSource::kItems: return join(allowed_values(t, f.field, t.questionnaire.items.front().id)) +
                                     " (`na` only where the item allows it)";
  }
  return "";
}

}  // namespace

void print_contract_markdown(std::ostream& out, const RatingTables& t) {
  out << "| JSON path | CSV / DataFrame column | type | required | when absent | bounds | allowed values |\n";
  out << "|---|---|---|---|---|---|---|\n";
  for (const FieldSpec& f : request_fields()) {
    out << "| `" << f.json_path << "` | `" << f.column << "` | " << to_string(f.type) << " | " << (f.required ? "yes" : "no")
        << " | " << f.when_absent << " | " << bounds_of(f) << " | " << allowed_of(f, t) << " |\n";
  }
}

void print_contract_json(std::ostream& out, const RatingTables& t) {
  nlohmann::json fields = nlohmann::json::array();
  for (const FieldSpec& f : request_fields()) {
    nlohmann::json j = {{"field", f.json_path},
                        {"column", f.column},
                        {"type", to_string(f.type)},
                        {"required", f.required},
                        {"when_absent", f.when_absent},
                        {"description", f.description}};
    if (f.type == FieldType::kInteger) {
      j["min"] = f.min;
      j["max"] = f.max;
    } else if (!f.min_text.empty()) {
      j["min"] = f.min_text;
      j["max"] = f.max_text;
    }
    if (f.source != ValueSource::kBounds && f.source != ValueSource::kLimits && f.source != ValueSource::kDeductibles)
      j["allowed"] = allowed_values(t, f.field, f.source == ValueSource::kItems ? t.questionnaire.items.front().id : "");
    fields.push_back(std::move(j));
  }
  out << nlohmann::json{{"edition", t.edition}, {"fields", fields}}.dump(2) << "\n";
}

void print_error_codes_markdown(std::ostream& out) {
  out << "| code | kind | rule |\n|---|---|---|\n";
  for (const ErrorCodeInfo& c : error_codes())
    out << "| `" << c.name << "` | " << to_string(kind_of(c.code)) << " | " << c.rule << " |\n";
}

}  // namespace cybercover::cli
