#pragma once
// Internal: reads and validates loss_model.json against the edition's other tables (tiers,
// employee bands, industries, revenue bands, sections). Errors name the file and the key:
// "rating_tables/2026-12/loss_model.json: severity.sigma: must be > 0, got -1".

#include "cybercover/tables/rating_tables.hpp"
#include "detail/json_cursor.hpp"

namespace cybercover::detail {

void load_loss_model(const JsonCursor& root, LossModelTable& model, const PostureTable& posture,
                     const UnderwritingTable& underwriting, const BaseCoverTable& base,
                     const TopUpTable& top_up);

}  // namespace cybercover::detail
