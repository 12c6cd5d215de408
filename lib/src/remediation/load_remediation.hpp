#pragma once
// Internal: reads remediation.json into RemediationTable, checked against the questionnaire
// (an effort class for every item, none for an unknown one) and against the お助け隊 price
// caps of base_cover.json (a typical service price never above the cap).

#include "cybercover/remediation/remediation_table.hpp"
#include "cybercover/tables/rating_tables.hpp"
#include "detail/json_cursor.hpp"

namespace cybercover::detail {

// Throws Error{kTable} naming remediation.json and the key.
void load_remediation(const JsonCursor& root, RemediationTable& table, const Questionnaire& questionnaire,
                      const BaseCoverTable& base_cover);

}  // namespace cybercover::detail
