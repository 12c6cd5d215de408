#pragma once
// Internal: reads policy.json into PolicyRules (docs/tables.md, docs/store.md).

#include "cybercover/store/policy_rules.hpp"
#include "detail/json_cursor.hpp"

namespace cybercover::detail {

// Throws Error{kTable} naming policy.json and the key.
void load_policy_rules(const JsonCursor& root, PolicyRules& rules);

}  // namespace cybercover::detail
