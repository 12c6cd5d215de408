#pragma once
// Internal helpers shared by the closed forms, the aggregate distributions and the simulation.

#include <cmath>
#include <cstdio>
#include <string>

#include "cybercover/loss/loss_model.hpp"

namespace cybercover::detail {

// Throws Error{kInput} naming the field when an exposure does not fit the edition.
void check_exposure(const RatingTables& t, const LossExposure& e);
// The section in excess of the base cover (response), or -1.
int response_section(const RatingTables& t);
// The plan's base-cover limit in yen; 0 for plan none.
double base_limit(const RatingTables& t, BundlePlan plan);
// A number for an error message, as short as it prints exactly enough: -1, 0.5, 3e+06, inf.
inline std::string render_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", v);
  return buffer;
}
// Whether subscribers of `plan` are exposed to the event type.
bool exposed_to(const SystemicEventType& event, BundlePlan plan);

}  // namespace cybercover::detail
