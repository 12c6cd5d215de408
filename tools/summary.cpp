#include "summary.hpp"

#include <cmath>
#include <iomanip>

#include <nlohmann/json.hpp>
#include <sstream>

namespace cybercover::cli {

namespace {

std::string yen(Yen v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return (v < 0 ? "-¥" : "¥") + digits;
}

const char* pick(Lang lang, const char* ja, const char* en) { return lang == Lang::kJa ? ja : en; }

std::string percent(int tenths) {
  if (tenths < 0) return "n/a";
  std::ostringstream s;
  s << tenths / 10 << "." << tenths % 10 << "%";
  return s.str();
}

}  // namespace

void print_assessment(std::ostream& out, const Assessment& a, const RatingTables& t, Lang lang,
                      int top_unmet) {
  const Questionnaire& q = t.questionnaire;
  out << pick(lang, "セキュリティ診断スコア: ", "Security assessment score: ") << a.summary.score << " / "
      << q.max_score << "\n";
  out << pick(lang, "  不明・未回答: ", "  Unknown or unanswered: ") << a.summary.unknown_count << "\n";
  for (const auto& w : a.warnings)
    out << pick(lang, "  注意: ", "  Warning: ") << q.items[static_cast<std::size_t>(w.item)].id << " "
        << pick(lang, "は SECURITY ACTION 宣言済みの項目ですが回答は「", "is covered by the declared SECURITY ACTION but was answered \"")
        << to_string(w.answer) << pick(lang, "」です\n", "\"\n");
  out << "\n" << pick(lang, "分野別の達成率\n", "By domain\n");
  for (std::size_t d = 0; d < a.domains.size(); ++d) {
    const auto& s = a.domains[d];
    const auto& domain = q.domains[d];
    out << "  " << std::setw(2) << s.number << " " << std::left << std::setw(7) << percent(s.percent_tenths)
        << std::right << " " << std::setw(3) << s.earned << "/" << std::setw(3) << std::left << s.applicable
        << std::right << " " << (lang == Lang::kJa ? domain.name_ja : domain.name_en) << "\n";
  }
  if (a.unmet.empty()) return;
  out << "\n" << pick(lang, "優先して取り組む対策（失点の大きい順）\n", "Measures to take first (most points lost first)\n");
  int shown = 0;
  for (const auto& u : a.unmet) {
    if (shown++ == top_unmet) break;
    const Item& item = q.items[static_cast<std::size_t>(u.item)];
    out << "  " << item.id << "  -" << u.points_lost << pick(lang, "点  ", " pts  ")
        << (lang == Lang::kJa ? item.measure_ja : item.measure_en) << "\n";
  }
  if (static_cast<int>(a.unmet.size()) > top_unmet)
    out << pick(lang, "  ...ほか ", "  ... and ") << a.unmet.size() - static_cast<std::size_t>(top_unmet)
        << pick(lang, " 項目\n", " more\n");
}

void print_quote(std::ostream& out, const Quote& q, Lang lang) {
  const RatingTables& t = *q.tables;
  print_assessment(out, q.assessment, t, lang, 5);
  out << "\n" << pick(lang, "セキュリティ態勢指数: ", "Security posture index: ") << q.posture.index << " ("
      << pick(lang, "スコア ", "score ") << q.posture.score;
  for (const auto& a : q.posture) out << (a.points >= 0 ? " +" : " ") << a.points << " " << to_string(a.code);
  out << ")\n" << pick(lang, "リスク区分: ", "Risk tier: ") << q.tier_name() << "\n";
  out << pick(lang, "引受判断: ", "Decision: ") << to_string(q.decision.outcome);
  for (DecisionCode c : q.decision) out << " " << to_string(c);
  out << "\n";

  out << "\n" << pick(lang, "1階建て（商品付帯）: ", "Embedded base cover: ");
  if (!q.base_cover) {
    out << pick(lang, "なし\n", "none\n");
  } else {
    const auto& b = *q.base_cover;
    out << to_string(b.plan) << pick(lang, "  支払限度額 ", "  limit ") << yen(b.limit_yen) << "\n  "
        << pick(lang, "月額 ", "monthly ") << yen(b.monthly_premium_yen) << " = rhu(" << yen(b.rate_yen) << " x "
        << b.tier_factor.to_string() << ")" << pick(lang, "  年額 ", "  annual ") << yen(b.annual_premium_yen) << "\n";
    if (b.price_cap)
      out << pick(lang, "  サービス価格 ", "  service price ") << yen(b.price_cap->service_monthly_price_yen)
          << pick(lang, " / 上限 ", " / cap ") << yen(b.price_cap->cap_yen)
          << (b.price_cap->within ? pick(lang, "（基準内）\n", " (within)\n") : pick(lang, "（基準超過）\n", " (above the cap)\n"));
  }

  out << "\n" << pick(lang, "2階建て（上乗せ）: ", "Optional top-up: ");
  if (!q.top_up) {
    out << (q.decision.outcome == Outcome::kDecline ? pick(lang, "引受不可\n", "not offered (declined)\n")
                                                    : pick(lang, "選択なし\n", "none selected\n"));
    return;
  }
  const auto& u = *q.top_up;
  if (q.decision.outcome == Outcome::kRefer) out << pick(lang, "（参考保険料・要審査）", "(indicative, referred)");
  out << "\n";
  for (const auto& s : u.sections) {
    const Section& sec = t.top_up.sections[static_cast<std::size_t>(s.section)];
    out << "  " << std::left << std::setw(13) << sec.key << std::right << pick(lang, " 限度額 ", " limit ")
        << yen(s.limit_yen) << pick(lang, " 免責 ", " deductible ") << yen(s.deductible_yen) << "\n    "
        << yen(s.annual_premium_yen) << " = round10(" << yen(s.base_premium_yen) << " x "
        << s.industry_factor.to_string() << " industry x " << s.tier_factor.to_string() << " tier x "
        << s.limit_factor.to_string() << " limit x " << s.deductible_factor.to_string() << " deductible";
    if (s.has_excess_factor) out << " x " << s.excess_factor.to_string() << " excess";
    out << ")\n";
  }
  out << pick(lang, "  パッケージ ", "  package ") << yen(u.package_yen) << " = round10(" << yen(u.sections_total_yen)
      << " x " << u.multi_section_factor.to_string() << ")"
      << (u.minimum_applied ? pick(lang, "  最低保険料を適用", "  minimum premium applies") : "") << "\n";
  if (u.renewal) {
    const RenewalCapQuote& r = *u.renewal;
    out << pick(lang, "  更新: 前年保険料 ", "  renewal: prior premium ") << yen(r.prior_annual_premium_yen)
        << pick(lang, "、上限適用前 ", ", before the cap ") << yen(r.uncapped_annual_premium_yen);
    if (r.has_cap)
      out << pick(lang, "、範囲 ", ", within ") << yen(r.floor_yen) << " .. " << yen(r.ceiling_yen) << " (-"
          << r.max_decrease.to_string() << " / +" << r.max_increase.to_string() << ")";
    out << "  " << to_string(r.code) << "\n";
  }
  out << pick(lang, "  年間保険料 ", "  annual premium ") << yen(u.annual_premium_yen) << "\n";
  if (u.subsidy_program)
    out << pick(lang, "  補助 ", "  subsidy ") << yen(u.subsidy_yen) << " (" << u.subsidy_program->id
        << (u.subsidy_code == SubsidyCode::kNone ? "" : ", " + std::string(to_string(u.subsidy_code))) << ")\n";
  out << pick(lang, "  実負担（年） ", "  payable annual ") << yen(u.payable_annual_yen) << "\n";
  out << pick(lang, "  月払い ", "  monthly instalment ") << yen(u.monthly_instalment_yen) << "\n";
}

}  // namespace cybercover::cli
