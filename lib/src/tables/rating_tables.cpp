#include "cybercover/tables/rating_tables.hpp"

#include "tables/compiled_questionnaire.hpp"

#include <algorithm>
#include <limits>
#include <utility>

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
  if (number < 1) return -1;
  const detail::CompiledQuestionnaire* c = compiled.get();
  if (c && c->items == items.data() && c->item_count == items.size()) {  // O(1): item numbers run 1, 2, 3...
    if (static_cast<std::size_t>(domain) >= c->first_item_of_domain.size() ||
        number > c->item_count_of_domain[static_cast<std::size_t>(domain)])
      return -1;
    const int index = c->first_item_of_domain[static_cast<std::size_t>(domain)] + number - 1;
    return items[static_cast<std::size_t>(index)].id == id ? index : -1;
  }
  // Items are listed in (domain, number) order (the loader checks it).
  const auto key = std::make_pair(domain, number);
  const auto it = std::lower_bound(items.begin(), items.end(), key, [](const Item& item, const std::pair<int, int>& k) {
    return std::make_pair(item.domain, item.number) < k;
  });
  if (it == items.end() || it->id != id) return -1;
  return static_cast<int>(it - items.begin());
}

int Questionnaire::domain_index(int number) const {
  for (std::size_t i = 0; i < domains.size(); ++i)
    if (domains[i].number == number) return static_cast<int>(i);
  return -1;
}

// The band and tier look-ups below count instead of searching: over a portfolio the answer
// varies row to row, and a loop that exits early would mispredict its branch every time.
int PostureTable::tier_for(std::int64_t index) const {
  // Tiers run best first with decreasing minimums and a catch-all last: the tier is the
  // number of minimums the index falls short of.
  int tier = 0;
  for (std::size_t i = 0; i + 1 < tiers.size(); ++i) tier += index < *tiers[i].min_index;
  return tier;
}

int UnderwritingTable::industry_index(std::string_view key) const {
  for (std::size_t i = 0; i < industries.size(); ++i)
    if (industries[i].key == key) return static_cast<int>(i);
  return -1;
}

int BaseCoverTable::employee_band(std::int64_t employees) const {
  int band = 0;  // the last band is open-ended (its maximum is INT64_MAX)
  for (std::size_t i = 0; i + 1 < employee_band_max.size(); ++i) band += employees > employee_band_max[i];
  return band;
}

namespace {
int find_amount(const std::vector<LimitOption>& rows, Yen amount) {
  // Branch-free scan (amounts are unique): a portfolio's limits vary row to row, so an
  // early-exit loop would mispredict.
  int found = -1;
  for (std::size_t i = 0; i < rows.size(); ++i) found = rows[i].amount_yen == amount ? static_cast<int>(i) : found;
  return found;
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
  int band = 0;
  for (const RevenueBand& b : revenue_bands) band += revenue > b.max_revenue_yen;
  return band == static_cast<int>(revenue_bands.size()) ? -1 : band;
}

const SubsidyProgram* RatingTables::find_subsidy(std::string_view id) const {
  for (const auto& p : subsidies)
    if (p.id == id) return &p;
  return nullptr;
}

}  // namespace cybercover
