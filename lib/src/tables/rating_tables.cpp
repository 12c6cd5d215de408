#include "cybercover/tables/rating_tables.hpp"

#include <limits>

namespace cybercover {

int Questionnaire::item_index(std::string_view id) const {
  // Ids are "Dnn.m": decode domain and number, jump there, and confirm the spelling.
  if (id.size() < 5 || id.size() > 7 || id[0] != 'D' || id[3] != '.') return -1;
  auto digit = [&](std::size_t i) { return id[i] >= '0' && id[i] <= '9' ? id[i] - '0' : -1; };
  const int d1 = digit(1), d2 = digit(2);
  if (d1 < 0 || d2 < 0) return -1;
  const int domain = d1 * 10 + d2;
  int number = 0;
  for (std::size_t i = 4; i < id.size(); ++i) {
    const int d = digit(i);
    if (d < 0) return -1;
    number = number * 10 + d;
  }
  if (static_cast<std::size_t>(domain) >= first_item_of_domain.size() || number < 1 ||
      number > item_count_of_domain[static_cast<std::size_t>(domain)])
    return -1;
  const int index = first_item_of_domain[static_cast<std::size_t>(domain)] + number - 1;
  return items[static_cast<std::size_t>(index)].id == id ? index : -1;
}

int Questionnaire::domain_index(int number) const {
  for (std::size_t i = 0; i < domains.size(); ++i)
    if (domains[i].number == number) return static_cast<int>(i);
  return -1;
}

int PostureTable::tier_for(std::int64_t index) const {
  for (std::size_t i = 0; i < tiers.size(); ++i)
    if (!tiers[i].min_index || index >= *tiers[i].min_index) return static_cast<int>(i);
  return static_cast<int>(tiers.size()) - 1;  // unreachable: the last tier is a catch-all
}

int UnderwritingTable::industry_index(std::string_view key) const {
  for (std::size_t i = 0; i < industries.size(); ++i)
    if (industries[i].key == key) return static_cast<int>(i);
  return -1;
}

int BaseCoverTable::employee_band(std::int64_t employees) const {
  for (std::size_t i = 0; i < employee_band_max.size(); ++i)
    if (employees <= employee_band_max[i]) return static_cast<int>(i);
  return static_cast<int>(employee_band_max.size()) - 1;
}

namespace {
int find_amount(const std::vector<LimitOption>& rows, Yen amount) {
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].amount_yen == amount) return static_cast<int>(i);
  return -1;
}
}  // namespace

int Section::limit_row(Yen amount) const { return find_amount(limits, amount); }
int Section::deductible_row(Yen amount) const { return find_amount(deductibles, amount); }

int TopUpTable::section_index(std::string_view key) const {
  for (std::size_t i = 0; i < sections.size(); ++i)
    if (sections[i].key == key) return static_cast<int>(i);
  return -1;
}

int TopUpTable::revenue_band(Yen revenue) const {
  for (std::size_t i = 0; i < revenue_bands.size(); ++i)
    if (revenue <= revenue_bands[i].max_revenue_yen) return static_cast<int>(i);
  return -1;
}

const SubsidyProgram* RatingTables::find_subsidy(std::string_view id) const {
  for (const auto& p : subsidies)
    if (p.id == id) return &p;
  return nullptr;
}

}  // namespace cybercover
