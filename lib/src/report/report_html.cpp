// The feedback report as one self-contained HTML page. Every figure comes from the engine's
// results (the quote, the remediation plan, the priced top-up options); this file only words
// and lays them out. Everything that is not a fixed template (names from the tables, the
// company name, numbers) goes through esc(), so a table text or a name holding markup stays
// text. The page is also well-formed XML (void elements closed, no named entities), which the
// tests check with an XML parser.

#include "cybercover/report/report.hpp"

#include <algorithm>
#include <cmath>

#include "cybercover/error.hpp"
#include "cybercover/io/json_io.hpp"

namespace cybercover {

namespace {

// ---- text helpers -------------------------------------------------------------------------
std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Fills "{}" placeholders in order. The template is trusted markup; arguments must already be
// escaped (numbers are, names go through esc()).
std::string fill(std::string_view tmpl, const std::vector<std::string>& args) {
  std::string out;
  auto arg = args.begin();
  for (std::size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '}' && arg != args.end()) {
      out += *arg++;
      ++i;
    } else {
      out += tmpl[i];
    }
  }
  return out;
}

std::string group3(std::int64_t v) {
  const bool negative = v < 0;
  // Unsigned negation: exact even for INT64_MIN.
  std::string digits = std::to_string(negative ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<std::size_t>(i), ",");
  return negative ? "-" + digits : digits;
}

// Money as the reader expects it: 12,300円 / ¥12,300.
std::string yen(bool ja, Yen v) {
  if (ja) return group3(v) + "円";
  return v < 0 ? "-¥" + group3(-v) : "¥" + group3(v);
}

// Cover limits in round units: 1億円, 3,000万円, 1億5,000万円 / ¥100 million.
std::string amount(bool ja, Yen v) {
  constexpr Yen kOku = 100000000, kMan = 10000, kMillion = 1000000;
  if (ja) {
    if (v <= 0 || v % kMan != 0) return yen(true, v);
    std::string out;
    if (v >= kOku) out += group3(v / kOku) + "億";
    if (v % kOku != 0) out += group3((v % kOku) / kMan) + "万";
    return out + "円";
  }
  if (v > 0 && v % kMillion == 0) return "¥" + group3(v / kMillion) + " million";
  if (v > 0 && v % (kMillion / 10) == 0 && v > kMillion)
    return "¥" + group3(v / kMillion) + "." + std::to_string((v % kMillion) / (kMillion / 10)) + " million";
  return yen(false, v);
}

std::string date_text(bool ja, Date d) {
  const std::string iso = d.to_string();  // YYYY-MM-DD
  const int y = std::stoi(iso.substr(0, 4)), m = std::stoi(iso.substr(5, 2)), day = std::stoi(iso.substr(8, 2));
  if (ja) return std::to_string(y) + "年" + std::to_string(m) + "月" + std::to_string(day) + "日";
  static const char* const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                        "July",    "August",   "September", "October", "November", "December"};
  return std::to_string(day) + " " + kMonths[m - 1] + " " + std::to_string(y);
}

// 875 tenths -> "87.5", 1000 -> "100".
std::string tenths_text(std::int64_t tenths) {
  std::string out = std::to_string(tenths / 10);
  if (tenths % 10 != 0) out += "." + std::to_string(tenths % 10);
  return out;
}
std::string percent_tenths(std::int64_t tenths) { return tenths_text(tenths) + "%"; }

// A click rate for display (the engine compares the exact decimal; this only shows it).
std::string rate_text(double r) { return percent_tenths(std::llround(r * 1000)); }

// A factor's discount as a percentage: 0.97 -> "3%".
std::string discount_text(Decimal4 factor) {
  const std::int64_t off = Decimal4::kScale - factor.scaled();  // in 1/10000
  if (off % 1000 == 0) return std::to_string(off / 100) + "%";
  return percent_tenths(off / 10);
}

std::string points_text(bool ja, std::int64_t p) {
  const std::string sign = p > 0 ? "+" : p < 0 ? "−" : "±";
  const std::string n = std::to_string(p < 0 ? -p : p);  // points, unlike yen, without separators
  return ja ? sign + n + "点" : sign + n;
}

bool valid_utf8_text(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1fu;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0fu;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    const std::uint32_t min_cp = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min_cp || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0)) return false;
    i += len;
  }
  return true;
}

// ---- the page -------------------------------------------------------------------------------
constexpr const char* kStyle = R"(
@page { size: A4; margin: 12mm 13mm 14mm; }
* { box-sizing: border-box; }
html { font-family: "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", "Noto Sans CJK JP",
  "IPAexGothic", "IPAGothic", "Helvetica Neue", Arial, sans-serif; color: #1f2328; font-size: 10pt; line-height: 1.55; }
body { margin: 0 auto; max-width: 184mm; padding: 6mm 0; background: #fff; }
h1 { font-size: 17pt; margin: 0 0 1mm; letter-spacing: 0.02em; }
h2 { font-size: 12pt; margin: 0 0 2mm; padding: 0.5mm 0 0.5mm 2.5mm; border-left: 1.2mm solid #1d5fa8; }
p { margin: 1mm 0 1.5mm; }
section { margin: 0 0 5mm; }
/* Short sections stay whole; the long ones may continue on the next page, but not right after
   their heading, and the top-up table and the next-tier box are never split. */
#score, #domains, #tier, #decision, #base-cover { break-inside: avoid; page-break-inside: avoid; }
h2 { break-after: avoid; page-break-after: avoid; }
#top-up-options, .target { break-inside: avoid; page-break-inside: avoid; }
header { border-bottom: 0.6mm solid #1d5fa8; margin-bottom: 4mm; padding-bottom: 2mm; }
header .company { font-size: 13pt; font-weight: bold; margin: 1mm 0 0; }
header .meta { color: #57606a; margin: 0; }
.tiles { display: flex; gap: 2.5mm; margin: 0 0 5mm; }
.tile { flex: 1 1 0; border: 0.3mm solid #d0d7de; border-radius: 1.5mm; padding: 2mm 2.5mm; background: #f6f8fa; }
.tile .label { display: block; font-size: 8.5pt; color: #57606a; }
.tile .value { display: block; font-size: 14pt; font-weight: bold; line-height: 1.3; }
.tile .sub { display: block; font-size: 8.5pt; }
.score-line { font-size: 12pt; margin: 0; }
.score-line .big { font-size: 30pt; font-weight: bold; }
.badge { display: inline-block; padding: 0 2mm; border-radius: 1mm; color: #fff; font-size: 10pt; vertical-align: middle; }
.band-0 { background: #2e7d32; fill: #2e7d32; } .band-1 { background: #8a8a00; fill: #a0a000; }
.band-2 { background: #e65100; fill: #ef6c00; } .band-3 { background: #c62828; fill: #c62828; }
.band-4 { background: #6a1b9a; fill: #6a1b9a; }
.note { color: #57606a; font-size: 8.5pt; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; }
th, td { border-bottom: 0.25mm solid #d0d7de; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #f0f3f6; font-weight: bold; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.facts th { width: 32%; background: none; font-weight: normal; color: #57606a; }
td.selected { font-weight: bold; background: #e3efff; }
tr.in-set td { background: #fff3c4; }
table#measures { font-size: 8.8pt; }
table#measures td { padding: 0.7mm 1.2mm; }
table#measures td:nth-child(2) { width: 50%; }
table#measures td:nth-child(6) { width: 19%; }
.mark { color: #b26a00; font-weight: bold; }
.small { font-size: 8pt; color: #57606a; }
.decision { font-size: 11pt; font-weight: bold; }
.decision.accept { color: #2e7d32; } .decision.refer { color: #b26a00; } .decision.decline { color: #c62828; }
.target { border: 0.4mm solid #e0b000; background: #fffbe6; border-radius: 1.5mm; padding: 2mm 3mm; margin: 1mm 0 2mm; }
svg.domains { width: 100%; height: auto; display: block; }
svg.domains text { font-size: 10px; fill: #1f2328; }
svg.domains .track { fill: #eef1f4; }
footer { border-top: 0.3mm solid #d0d7de; padding-top: 1.5mm; color: #57606a; font-size: 7.5pt; }
@media print { body { padding: 0; max-width: none; } }
)";

class Page {
 public:
  Page(const QuoteRequest& r, const Quote& q, const RemediationPlan& plan, const std::vector<TopUpOption>& options,
       const ReportOptions& o)
      : t_(*q.tables), r_(r), q_(q), plan_(plan), options_(options), o_(o), ja_(o.language == ReportLanguage::kJa) {}

  std::string build() {
    add("<!DOCTYPE html>\n<html lang=\"");
    add(ja_ ? "ja" : "en");
    add("\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    add("<title>");
    add(title());
    if (!o_.company_name.empty()) add(" — " + esc(o_.company_name));
    add("</title>\n<style>");
    add(kStyle);
    add("</style>\n</head>\n<body>\n");
    header();
    tiles();
    score_section();
    domains_section();
    tier_section();
    decision_section();
    base_cover_section();
    top_up_section();
    plan_section();
    footer();
    add("</body>\n</html>\n");
    return std::move(out_);
  }

 private:
  const char* L(const char* ja, const char* en) const { return ja_ ? ja : en; }
  void add(std::string_view s) { out_ += s; }
  std::string tier_name(int tier) const { return esc(t_.posture.tiers[static_cast<std::size_t>(tier)].name); }
  std::string yen_(Yen v) const { return esc(yen(ja_, v)); }
  std::string amount_(Yen v) const { return esc(amount(ja_, v)); }
  // "3" in Japanese templates (which say 件), "3 measures" / "1 measure" in English.
  std::string measures_count(std::size_t n) const {
    if (ja_) return std::to_string(n);
    return std::to_string(n) + (n == 1 ? " measure" : " measures");
  }
  std::string title() const { return L("サイバーセキュリティ診断 結果のご報告", "Your cyber security check-up"); }

  std::string plan_name(BundlePlan p) const {
    switch (p) {
      case BundlePlan::kUtm: return L("UTM運用サービス", "managed UTM service");
      case BundlePlan::kEdr: return L("EDR運用サービス", "managed EDR service");
      case BundlePlan::kUtmEdr: return L("UTM・EDR運用サービス", "managed UTM and EDR service");
      case BundlePlan::kNone: break;
    }
    return L("なし", "none");
  }

  std::string section_name(int s) const {
    const Section& sec = t_.top_up.sections[static_cast<std::size_t>(s)];
    if (ja_) return esc(sec.name_ja);
    if (sec.key == "liability") return "Liability";
    if (sec.key == "response") return "Incident response costs";
    if (sec.key == "interruption") return "Business interruption";
    return esc(sec.key);
  }
  std::string section_description(int s) const {
    const std::string& key = t_.top_up.sections[static_cast<std::size_t>(s)].key;
    if (key == "liability")
      return L("情報漏えいなどで、取引先やお客様に損害を与えたときの賠償金", "Damages you owe customers or partners, for example after a data leak");
    if (key == "response")
      return L("1階建ての補償を超える、原因調査・復旧・お知らせなどの費用",
               "Investigation, recovery and notification costs above the base cover");
    if (key == "interruption")
      return L("システムが止まって仕事ができず、失った利益", "Profit lost while your systems are down");
    return "";
  }

  int reading_index(int score) const {
    const auto& readings = t_.remediation.score_readings;
    for (std::size_t i = 0; i < readings.size(); ++i)
      if (score >= readings[i].min_score) return static_cast<int>(i);
    return static_cast<int>(readings.size()) - 1;
  }
  std::string band_class(int reading) const { return "band-" + std::to_string(std::min(reading, 4)); }

  // ---- header and the tiles at a glance
  void header() {
    add("<header>\n<h1>" + title() + "</h1>\n");
    if (!o_.company_name.empty())
      add("<p class=\"company\" id=\"company\">" + esc(o_.company_name) + L(" 様", "") + "</p>\n");
    add("<p class=\"meta\">" + fill(L("診断日 {}", "Date of assessment: {}"), {date_text(ja_, r_.quote_date)}) + "</p>\n</header>\n");
  }

  std::string outcome_short() const {
    switch (q_.decision.outcome) {
      case Outcome::kAccept: return L("お引き受けできます", "Can be offered");
      case Outcome::kRefer: return L("確認が必要です", "Needs a review");
      case Outcome::kDecline: return L("お引き受けできません", "Cannot be offered");
    }
    return "";
  }

  void tiles() {
    const int score = q_.assessment.summary.score;
    const ScoreReading& reading = t_.remediation.reading_for(score);
    add("<div class=\"tiles\">\n");
    add("<div class=\"tile\"><span class=\"label\">" + std::string(L("診断スコア", "Score")) + "</span><span class=\"value\">" +
        fill(L("{}点", "{}"), {std::to_string(score)}) + "<span class=\"small\">" +
        fill(L(" ／{}点", " / {}"), {std::to_string(t_.questionnaire.max_score)}) + "</span></span><span class=\"sub\">" +
        esc(ja_ ? reading.label_ja : reading.label_en) + "</span></div>\n");
    add("<div class=\"tile\"><span class=\"label\">" + std::string(L("リスク区分", "Risk tier")) + "</span><span class=\"value\">" +
        tier_name(q_.posture.tier) + "</span><span class=\"sub\">" +
        fill(L("{}〜{}の{}段階", "{} (best) to {}, {} tiers"),
             {tier_name(0), tier_name(static_cast<int>(t_.posture.tiers.size()) - 1), std::to_string(t_.posture.tiers.size())}) +
        "</span></div>\n");
    add("<div class=\"tile\"><span class=\"label\">" + std::string(L("上乗せ補償", "Top-up cover")) +
        "</span><span class=\"value\" style=\"font-size:11pt\">" + outcome_short() + "</span></div>\n");
    add("<div class=\"tile\"><span class=\"label\">" + std::string(L("次の区分への近道", "Next tier")) + "</span>");
    if (plan_.targets.empty()) {
      add("<span class=\"value\" style=\"font-size:11pt\">" + std::string(L("最も良い区分です", "Already the best")) + "</span>");
    } else if (!plan_.targets.front().reachable) {
      add("<span class=\"value\" style=\"font-size:11pt\">" +
          fill(L("区分{}には届きません", "Tier {} is out of reach"), {tier_name(plan_.targets.front().tier)}) + "</span>");
    } else {
      const TierTarget& next = plan_.targets.front();
      add("<span class=\"value\" style=\"font-size:11pt\">" +
          fill(L("対策{}件で区分{}へ", "{} to tier {}"), {measures_count(next.measures.size()), tier_name(next.tier)}) +
          "</span><span class=\"sub\">" + fill(L("費用の目安{}", "About {} to do"), {yen_(next.cost_yen)}) + "</span>");
    }
    add("</div>\n</div>\n");
  }

  // ---- 1. score
  void score_section() {
    const int score = q_.assessment.summary.score;
    const auto& readings = t_.remediation.score_readings;
    const int band = reading_index(score);
    const ScoreReading& reading = readings[static_cast<std::size_t>(band)];
    add("<section id=\"score\">\n<h2>" + std::string(L("1. 診断の結果", "1. Your score")) + "</h2>\n");
    add("<p class=\"score-line\"><span class=\"big\" id=\"score-value\" data-score=\"" + std::to_string(score) + "\">" +
        std::to_string(score) + "</span>" +
        fill(L("点 ／ {}点満点", " points out of {}"), {std::to_string(t_.questionnaire.max_score)}) +
        " <span class=\"badge " + band_class(band) + "\" id=\"score-label\">" + esc(ja_ ? reading.label_ja : reading.label_en) +
        "</span></p>\n");
    add("<p id=\"score-reading\">" + esc(ja_ ? reading.reading_ja : reading.reading_en) + "</p>\n");
    add("<p>" +
        fill(L("{}問の質問へのご回答をもとに、情報セキュリティ対策の状況を{}点満点で評価しました。評価の目安は、IPA（情報処理推進機構）の「5分でできる情報セキュリティ自社診断」にならっています。",
               "We scored your answers to the {} questions out of {}. The reading follows the bands of IPA's five-minute information security self-check."),
             {std::to_string(t_.questionnaire.items.size()), std::to_string(t_.questionnaire.max_score)}) +
        "</p>\n");
    std::string legend;
    for (std::size_t i = 0; i < readings.size(); ++i) {
      const int lo = readings[i].min_score;
      const int hi = i == 0 ? t_.questionnaire.max_score : readings[i - 1].min_score - 1;
      if (!legend.empty()) legend += L("／", " / ");
      legend += lo == hi ? fill(L("{}点", "{}"), {std::to_string(lo)})
                         : fill(L("{}〜{}点", "{}–{}"), {std::to_string(lo), std::to_string(hi)});
      legend += " " + esc(ja_ ? readings[i].label_ja : readings[i].label_en);
    }
    add("<p class=\"note\">" + std::string(L("目安：", "Bands: ")) + legend + "</p>\n");
    const int unknown = q_.assessment.summary.unknown_count;
    if (unknown > 0)
      add("<p class=\"note\">" +
          fill(L("「わからない」と答えた質問と未回答の質問（あわせて{}問）は、0点として計算しています。社内で確かめて回答し直すと、点数が上がることがあります。",
                 "The {} questions answered “don't know” or left blank count as 0. Checking them and answering again may raise your score."),
               {std::to_string(unknown)}) +
          "</p>\n");
    add("</section>\n");
  }

  // ---- 2. the 24 domains as bars
  void domains_section() {
    const auto& domains = q_.assessment.domains;
    constexpr int kRow = 15, kBarX = 295, kBarWidth = 320, kValueX = 622, kWidth = 680;
    const int height = static_cast<int>(domains.size()) * kRow + 4;
    add("<section id=\"domains\">\n<h2>" + std::string(L("2. 分野別の達成度", "2. Results by area")) + "</h2>\n");
    add("<p>" +
        fill(L("{}の分野ごとに、できている対策の割合を示しています。棒が短い分野ほど、改善の余地が大きい分野です。",
               "The share of measures in place in each of the {} areas. The shorter the bar, the more there is to gain."),
             {std::to_string(domains.size())}) +
        "</p>\n");
    add("<svg class=\"domains\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
        std::to_string(height) + "\" role=\"img\" aria-label=\"" +
        esc(L("分野別の達成度（%）", "Share of measures in place by area (%)")) + "\">\n");
    const int max_score = t_.questionnaire.max_score;
    for (std::size_t i = 0; i < domains.size(); ++i) {
      const DomainScore& d = domains[i];
      const Domain& domain = t_.questionnaire.domains[i];
      const int y = static_cast<int>(i) * kRow + 2;
      const std::string ys = std::to_string(y + 11);
      add("<text class=\"label\" x=\"0\" y=\"" + ys + "\">" + std::to_string(domain.number) + ". " +
          esc(ja_ ? domain.name_ja : domain.name_en) + "</text>");
      add("<rect class=\"track\" x=\"" + std::to_string(kBarX) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" +
          std::to_string(kBarWidth) + "\" height=\"11\"/>");
      // Width in hundredths of a unit, exactly: kBarWidth x tenths / 1000.
      const std::int64_t tenths = d.percent_tenths < 0 ? 0 : d.percent_tenths;
      const std::int64_t w100 = tenths * kBarWidth / 10;
      std::string w = std::to_string(w100 / 100) + "." + (w100 % 100 < 10 ? "0" : "") + std::to_string(w100 % 100);
      int band = 0;
      const auto& readings = t_.remediation.score_readings;
      // The same bands as the score: a domain at p% reads like a score of p% of the maximum.
      band = static_cast<int>(readings.size()) - 1;
      for (std::size_t k = 0; k < readings.size(); ++k)
        if (d.percent_tenths >= 0 && tenths * max_score >= static_cast<std::int64_t>(readings[k].min_score) * 1000) {
          band = static_cast<int>(k);
          break;
        }
      add("<rect class=\"bar " + band_class(band) + "\" data-domain=\"" + std::to_string(domain.number) + "\" data-percent=\"" +
          (d.percent_tenths < 0 ? std::string() : tenths_text(d.percent_tenths)) +
          "\" x=\"" + std::to_string(kBarX) + "\" y=\"" + std::to_string(y + 2) + "\" width=\"" + w + "\" height=\"11\"/>");
      add("<text class=\"value\" x=\"" + std::to_string(kValueX) + "\" y=\"" + ys + "\">" +
          (d.percent_tenths < 0 ? std::string(L("対象外", "n/a")) : percent_tenths(d.percent_tenths)) + "</text>\n");
    }
    add("</svg>\n</section>\n");
  }

  // ---- 3. tier and why
  std::string adjustment_text(const PostureAdjustment& a) const {
    const Controls& c = r_.controls;
    const std::string covered = std::to_string(c.edr.covered_endpoints), endpoints = std::to_string(r_.company.endpoints);
    switch (a.code) {
      case PostureCode::kUtmManaged:
        return L("UTM（インターネットからの攻撃を防ぐ機器）を運用サービス付きで利用",
                 "A UTM (the device that blocks attacks from the internet) with a managed service");
      case PostureCode::kUtmUnmanaged:
        return L("UTMはあるが、警告を確認する人がいない", "A UTM is installed, but nobody watches its alerts");
      case PostureCode::kEdrManaged:
        return ja_ ? fill("EDR（パソコンの不審な動きを見張るソフト）を運用サービス付きで利用（全{}台のうち{}台）", {endpoints, covered})
                   : fill("EDR (software that watches PCs for suspicious activity) with a managed service ({} of {} PCs)",
                          {covered, endpoints});
      case PostureCode::kEdrLearning:
        return fill(L("EDRを運用サービス付きで導入したばかり（導入から{}日。最初の{}日間は学習期間のため、加点が少なくなります）",
                      "EDR with a managed service, still learning ({} days since installation; the first {} days earn fewer points)"),
                    {std::to_string(q_.posture.edr_days.value_or(0)), std::to_string(t_.posture.edr_learning_days)});
      case PostureCode::kEdrSelfManaged:
        return ja_ ? fill("EDRを自社で運用（全{}台のうち{}台）", {endpoints, covered})
                   : fill("EDR run in-house ({} of {} PCs)", {covered, endpoints});
      case PostureCode::kLegacyOs:
        return fill(L("サポートが終了したOSのパソコンがある（{}台）", "PCs on an operating system that is no longer supported ({})"),
                    {std::to_string(c.legacy_os_endpoints)});
      case PostureCode::kPhishingLow:
        return fill(L("標的型メール訓練で、訓練メールを開いた人の割合が低い（{}）", "Few staff clicked in the phishing drill ({})"),
                    {rate_text(c.phishing_click_rate.value_or(0))});
      case PostureCode::kPhishingHigh:
        return fill(L("標的型メール訓練で、訓練メールを開いた人の割合が高い（{}）", "Many staff clicked in the phishing drill ({})"),
                    {rate_text(c.phishing_click_rate.value_or(0))});
      case PostureCode::kPriorIncidents:
        return fill(L("過去3年間のセキュリティ事故（{}回）", "Security incidents in the past 3 years ({})"),
                    {std::to_string(c.incidents_3y)});
    }
    return "";
  }

  void tier_section() {
    const Posture& p = q_.posture;
    const auto& tiers = t_.posture.tiers;
    const int tier = p.tier;
    const std::int64_t raw = plan_.baseline.raw_index;
    add("<section id=\"tier\">\n<h2>" + std::string(L("3. 保険のリスク区分", "3. Your insurance risk tier")) + "</h2>\n");
    add("<p>" +
        fill(L("リスク区分は<strong id=\"tier-value\" data-tier=\"{}\">{}</strong>です。区分は{}から{}までの{}段階で、{}が最も良く、区分が良いほど保険料は安くなります。",
               "Your risk tier is <strong id=\"tier-value\" data-tier=\"{}\">{}</strong>. There are {} tiers from {} (best) to {}; the better the tier, the lower the premium."),
             ja_ ? std::vector<std::string>{tier_name(tier), tier_name(tier), tier_name(0),
                                                      tier_name(static_cast<int>(tiers.size()) - 1), std::to_string(tiers.size()), tier_name(0)}
                 : std::vector<std::string>{tier_name(tier), tier_name(tier), std::to_string(tiers.size()), tier_name(0),
                                                      tier_name(static_cast<int>(tiers.size()) - 1)}) +
        "</p>\n");
    add("<p>" +
        std::string(L("区分は、診断スコアに、セキュリティサービスの利用状況などによる加点・減点を加えた「セキュリティ態勢指数」で決まります。",
                      "The tier comes from your security posture index: your score, plus or minus points for the security services you use and a few other facts.")) +
        "</p>\n<table class=\"facts\" id=\"posture\">\n");
    add("<tr><td>" + std::string(L("診断スコア", "Assessment score")) + "</td><td class=\"num\">" +
        fill(L("{}点", "{}"), {std::to_string(p.score)}) + "</td></tr>\n");
    for (const PostureAdjustment& a : p)
      add("<tr><td>" + adjustment_text(a) + "</td><td class=\"num\">" + points_text(ja_, a.points) + "</td></tr>\n");
    add("<tr><th>" + std::string(L("セキュリティ態勢指数", "Security posture index")) + "</th><th class=\"num\" id=\"posture-index\">" +
        fill(L("{}点", "{}"), {std::to_string(p.index)}) + "</th></tr>\n</table>\n");
    if (raw < p.index)
      add("<p class=\"note\">" + fill(L("合計が{}点を下回るため、{}点としています。", "The total is below {}, so the index is {}."),
                                      {std::to_string(t_.posture.floor), std::to_string(p.index)}) + "</p>\n");
    std::string why;
    if (tiers.size() == 1) {
      why.clear();  // one tier: nothing to explain
    } else if (tier == 0) {
      why = fill(L("指数が{}点以上のため、最も良い区分{}です。", "With an index of {} or more you are in the best tier, {}."),
                 {std::to_string(*tiers[0].min_index), tier_name(0)});
    } else if (!tiers[static_cast<std::size_t>(tier)].min_index) {
      why = fill(L("指数が{}点未満のため、区分{}です。", "Your index is below {}, so your tier is {}."),
                 {std::to_string(*tiers[static_cast<std::size_t>(tier) - 1].min_index), tier_name(tier)});
    } else if (tier > 0) {
      why = fill(L("指数が{}点以上{}点未満のため、区分{}です。", "Your index is at least {} and below {}, so your tier is {}."),
                 {std::to_string(*tiers[static_cast<std::size_t>(tier)].min_index), std::to_string(*tiers[static_cast<std::size_t>(tier) - 1].min_index),
                  tier_name(tier)});
    }
    if (tier > 0)
      why += fill(L("次の区分{}まで、あと{}点です。", " You need {} more points for tier {}."),
                  ja_ ? std::vector<std::string>{tier_name(tier - 1), std::to_string(*tiers[static_cast<std::size_t>(tier) - 1].min_index - raw)}
                      : std::vector<std::string>{std::to_string(*tiers[static_cast<std::size_t>(tier) - 1].min_index - raw), tier_name(tier - 1)});
    add("<p id=\"tier-why\">" + why + "</p>\n</section>\n");
  }

  // ---- 4. decision
  std::string selected_limit_text(int section) const {
    const std::string& key = t_.top_up.sections[static_cast<std::size_t>(section)].key;
    for (const CoverSelection& s : r_.top_up)
      if (s.section == key) return amount_(s.limit_yen);
    return "";
  }

  std::string reason_text(DecisionCode code) const {
    const UnderwritingTable& u = t_.underwriting;
    switch (code) {
      case DecisionCode::kNotSme: {
        const SmeCategory& cat = u.sme_categories[static_cast<std::size_t>(q_.decision.sme_category)];
        return ja_ ? fill("資本金（{}）と従業員数（{}人）が、どちらもこの業種の中小企業の範囲（資本金{}以下、または従業員{}人以下）を超えているため",
                          {amount_(r_.company.capital_yen), group3(r_.company.employees), amount_(cat.capital_max_yen), group3(cat.employees_max)})
                   : fill("Your capital ({}) and your staff ({}) are both above the SME limits for your industry (capital up to {}, or up to {} staff)",
                          {amount_(r_.company.capital_yen), group3(r_.company.employees), amount_(cat.capital_max_yen), group3(cat.employees_max)});
      }
      case DecisionCode::kRevenueOutOfRange:
        return fill(L("売上高（{}）が、お引き受けできる上限の{}を超えているため", "Your revenue ({}) is above the {} this cover is written for"),
                    {amount_(r_.company.revenue_yen), amount_(u.revenue_max_yen)});
      case DecisionCode::kTierEHighLimit:
        return ja_ ? fill("リスク区分が{}で、{}の支払限度額に{}を超える額（{}）を選んでいるため",
                          {tier_name(q_.posture.tier), section_name(u.high_limit_section), amount_(u.high_limit_above_yen),
                           selected_limit_text(u.high_limit_section)})
                   : fill("Your tier is {} and you chose a {} limit ({}) above {}",
                          {tier_name(q_.posture.tier), section_name(u.high_limit_section), selected_limit_text(u.high_limit_section),
                           amount_(u.high_limit_above_yen)});
      case DecisionCode::kTooManyUnknown:
        return fill(L("「わからない」または未回答の質問が{}問あり、確認が必要になる{}問以上に当たるため",
                      "{} questions are answered “don't know” or left blank; {} or more need a review"),
                    {std::to_string(q_.assessment.summary.unknown_count), std::to_string(u.too_many_unknown_min)});
      case DecisionCode::kPriorIncidents:
        return fill(L("過去3年間の事故が{}回あり、確認が必要になる{}回以上に当たるため",
                      "You had {} incidents in the past 3 years; {} or more need a review"),
                    {std::to_string(r_.controls.incidents_3y), std::to_string(u.prior_incidents_min)});
      case DecisionCode::kLegacyOsUnprotected:
        return fill(L("サポートが終了したOSのパソコン（{}台）があり、UTMの運用サービスで守られていないため",
                      "You have {} PCs on an unsupported operating system and no managed UTM protecting them"),
                    {std::to_string(r_.controls.legacy_os_endpoints)});
    }
    return "";
  }

  std::string reasons_list(const Decision& d) const {
    std::string out = "<ul class=\"reasons\">\n";
    for (DecisionCode c : d) out += "<li data-code=\"" + std::string(to_string(c)) + "\">" + reason_text(c) + "</li>\n";
    return out + "</ul>\n";
  }

  void decision_section() {
    const Decision& d = q_.decision;
    add("<section id=\"decision\">\n<h2>" + std::string(L("4. 上乗せ補償のお引き受け", "4. Can we offer the top-up cover?")) + "</h2>\n");
    const std::string outcome(to_string(d.outcome));
    switch (d.outcome) {
      case Outcome::kAccept:
        add("<p class=\"decision accept\" id=\"decision-text\" data-outcome=\"accept\">" +
            std::string(L("上乗せ補償（2階建て）は、このままお引き受けできます。", "Yes. We can offer you the optional top-up cover as it stands.")) +
            "</p>\n");
        break;
      case Outcome::kRefer:
        add("<p class=\"decision refer\" id=\"decision-text\" data-outcome=\"refer\">" +
            std::string(L("上乗せ補償（2階建て）をお引き受けするには、保険会社による個別の確認が必要です。",
                          "Before we can offer the optional top-up cover, the insurer needs to review your case.")) +
            "</p>\n<p>" + L("理由は次のとおりです。", "The reasons:") + "</p>\n" + reasons_list(d));
        add("<p>" + std::string(L("下の保険料は、確認前の目安です。", "The premiums below are indicative until the review.")) + "</p>\n");
        break;
      case Outcome::kDecline:
        add("<p class=\"decision decline\" id=\"decision-text\" data-outcome=\"decline\">" +
            std::string(L("上乗せ補償（2階建て）は、お引き受けできません。", "We cannot offer the optional top-up cover.")) + "</p>\n<p>" +
            L("理由は次のとおりです。", "The reasons:") + "</p>\n" + reasons_list(d));
        if (q_.base_cover)
          add("<p>" + std::string(L("サービスに付いている補償（1階建て）は、そのままご利用いただけます。",
                                    "The cover that comes with your security service stays in place.")) + "</p>\n");
        break;
    }
    add("</section>\n");
  }

  // ---- 5. base cover
  void base_cover_section() {
    add("<section id=\"base-cover\">\n<h2>" +
        std::string(L("5. サービスに付いている補償（1階建て）", "5. The cover that comes with your service")) + "</h2>\n");
    if (!q_.base_cover) {
      add("<p>" +
          std::string(L("補償付きのセキュリティサービス（UTM・EDRの運用サービス）は、現在ご利用になっていません。運用サービスを利用すると、事故が起きたときの対応費用を補償する保険（1階建て）が付きます。",
                        "You do not use a security service that comes with cover (a managed UTM or EDR service). With one, you also get insurance for the cost of responding to an incident.")) +
          "</p>\n</section>\n");
      return;
    }
    const BaseCoverQuote& b = *q_.base_cover;
    add("<p>" +
        fill(L("ご利用の{}には、事故が起きたときの初動対応、駆け付け、原因調査、お客様へのお知らせなどの費用を補償する保険が付いています。",
               "Your {} includes insurance for the cost of responding to an incident: first response, on-site support, investigation and telling your customers."),
             {plan_name(b.plan)}) +
        "</p>\n<table class=\"facts\">\n");
    add("<tr><th>" + std::string(L("支払限度額", "Limit")) + "</th><td id=\"base-limit\">" +
        fill(L("1事故・年間合計で{}（自己負担なし）", "{} per incident and per year in total (no deductible)"), {amount_(b.limit_yen)}) +
        "</td></tr>\n");
    add("<tr><th>" + std::string(L("保険料", "Premium")) + "</th><td id=\"base-premium\">" +
        fill(L("月額{}（年額{}）。サービス事業者が保険会社に支払います。", "{} a month ({} a year), paid to the insurer by your service provider."),
             {yen_(b.monthly_premium_yen), yen_(b.annual_premium_yen)}) +
        "</td></tr>\n");
    if (b.price_cap) {
      const PriceCapCheck& cap = *b.price_cap;
      add("<tr><th>" + std::string(L("サービス料金", "Service price")) + "</th><td>" +
          fill(cap.within ? L("月額{}。お助け隊サービスの価格基準（月額{}以下）の範囲内です。",
                              "{} a month, within the price standard of IPA's SME support services (up to {} a month).")
                          : L("月額{}。お助け隊サービスの価格基準（月額{}以下）を超えています。",
                              "{} a month, above the price standard of IPA's SME support services (up to {} a month)."),
               {yen_(cap.service_monthly_price_yen), yen_(cap.cap_yen)}) +
          "</td></tr>\n");
    }
    add("</table>\n</section>\n");
  }

  // ---- 6. top-up options
  void top_up_section() {
    add("<section id=\"top-up\">\n<h2>" + std::string(L("6. 上乗せ補償（2階建て）の保険料", "6. Top-up cover and its premiums")) + "</h2>\n");
    if (options_.empty()) {
      add("<p>" + std::string(L("お引き受けできないため、上乗せ補償の保険料はお示しできません。",
                                "As we cannot offer the top-up cover, no premiums are shown.")) + "</p>\n</section>\n");
      return;
    }
    add("<p>" +
        std::string(L("必要に応じて、次の補償を上乗せできます。表は、補償ごと・支払限度額ごとの年間保険料です（現在のリスク区分で計算しています）。",
                      "You can add any of these covers. The table gives the annual premium of each cover at each limit, at your current risk tier.")) +
        "</p>\n<ul class=\"sections\">\n");
    std::vector<int> sections;
    std::vector<Yen> limits;
    for (const TopUpOption& o : options_) {
      if (std::find(sections.begin(), sections.end(), o.section) == sections.end()) sections.push_back(o.section);
      if (std::find(limits.begin(), limits.end(), o.limit_yen) == limits.end()) limits.push_back(o.limit_yen);
    }
    std::sort(limits.begin(), limits.end());
    for (int s : sections) {
      const std::string desc = section_description(s);
      add("<li><strong>" + section_name(s) + "</strong>" + (desc.empty() ? "" : L("：", ": ") + desc) + "</li>\n");
    }
    add("</ul>\n<table id=\"top-up-options\">\n<tr><th>" + std::string(L("支払限度額", "Limit")) + "</th>");
    for (int s : sections) add("<th class=\"num\">" + section_name(s) + "</th>");
    add("</tr>\n");
    for (Yen limit : limits) {
      add("<tr><td>" + amount_(limit) + "</td>");
      for (int s : sections) {
        const auto it = std::find_if(options_.begin(), options_.end(),
                                     [&](const TopUpOption& o) { return o.section == s && o.limit_yen == limit; });
        if (it == options_.end()) {
          add("<td class=\"num\">—</td>");
        } else {
          add(std::string("<td class=\"num") + (it->selected ? " selected" : "") + "\" data-section=\"" +
              esc(t_.top_up.sections[static_cast<std::size_t>(s)].key) + "\" data-limit=\"" + std::to_string(limit) +
              "\" data-premium=\"" + std::to_string(it->annual_premium_yen) + "\">" + (it->selected ? "● " : "") +
              yen_(it->annual_premium_yen) + "</td>");
        }
      }
      add("</tr>\n");
    }
    add("</table>\n");
    const TopUpTable& tt = t_.top_up;
    std::string discounts;
    for (std::size_t n = 1; n < tt.multi_section_factors.size(); ++n) {
      if (tt.multi_section_factors[n].scaled() >= Decimal4::kScale) continue;
      if (!discounts.empty()) discounts += L("、", ", ");
      discounts += fill(L("{}つで{}", "{} covers: {} off"), {std::to_string(n + 1), discount_text(tt.multi_section_factors[n])});
    }
    add("<p class=\"note\">" + std::string(L("●はご選択の補償です。", "● marks your choice. ")) +
        (discounts.empty() ? std::string() : fill(L("複数の補償を組み合わせると割引があります（{}）。", "Combining covers earns a discount ({}). "), {discounts})) +
        fill(L("年間保険料は最低{}です。", "The minimum annual premium is {}."), {yen_(tt.minimum_premium_yen)}) + "</p>\n");
    if (!q_.top_up) {
      add("<p id=\"top-up-selected\">" + std::string(L("上乗せ補償は、まだ選ばれていません。", "You have not chosen any top-up cover yet.")) + "</p>\n");
    } else {
      const TopUpQuote& u = *q_.top_up;
      std::string chosen;
      for (const SectionQuote& s : u.sections) {
        if (!chosen.empty()) chosen += L("・", ", ");
        chosen += section_name(s.section) + " " + amount_(s.limit_yen);
      }
      const bool referred = q_.decision.outcome == Outcome::kRefer;
      std::string line = fill(referred ? L("ご選択の内容（{}）の年間保険料は、確認前の目安で{}です", "Your choice ({}) costs an indicative {} a year")
                                       : L("ご選択の内容（{}）の年間保険料は{}です", "Your choice ({}) costs {} a year"),
                              {chosen, yen_(u.annual_premium_yen)});
      if (u.minimum_applied) line += L("（最低保険料）", " (the minimum premium)");
      if (u.subsidy_program && u.subsidy_code == SubsidyCode::kNone && u.subsidy_yen > 0)
        line += fill(L("。補助金{}を差し引いたお支払いは、年{}（月払いの場合は月{}）です。",
                       ". After the {} subsidy you pay {} a year ({} a month by instalments)."),
                     {yen_(u.subsidy_yen), yen_(u.payable_annual_yen), yen_(u.monthly_instalment_yen)});
      else
        line += fill(L("。月払いの場合は月{}です。", "; {} a month by instalments."), {yen_(u.monthly_instalment_yen)});
      add("<p id=\"top-up-selected\">" + line + "</p>\n");
      if (u.subsidy_program && u.subsidy_code == SubsidyCode::kNotEffective)
        add("<p class=\"note\">" + fill(L("補助金（{}）は、診断日には受け付けていません。", "The subsidy ({}) is not open on the date of this assessment."),
                                        {esc(u.subsidy_program->id)}) + "</p>\n");
      if (u.subsidy_program && u.subsidy_code == SubsidyCode::kNotEligible) {
        std::string conditions;
        if (u.subsidy_program->requires_sme) conditions += L("中小企業であること", "being an SME");
        if (u.subsidy_program->requires_security_action)
          conditions += std::string(conditions.empty() ? "" : L("と、", " and ")) + L("SECURITY ACTIONを宣言していること", "a SECURITY ACTION declaration");
        add("<p class=\"note\">" + fill(L("補助金（{}）の条件（{}）を満たしていないため、補助はありません。",
                                          "You do not meet the conditions of the subsidy ({}): {}."),
                                        {esc(u.subsidy_program->id), conditions}) + "</p>\n");
      }
    }
    add("</section>\n");
  }

  // ---- 7. the plan
  std::string measure_text(const Measure& m) const {
    if (m.kind == MeasureKind::kItem) {
      const Item& item = t_.questionnaire.items[static_cast<std::size_t>(m.item)];
      return esc(ja_ ? item.measure_ja : item.measure_en);
    }
    const UpgradeRule& rule = t_.remediation.upgrades[static_cast<std::size_t>(m.upgrade)];
    std::string text = esc(ja_ ? rule.measure_ja : rule.measure_en);
    switch (m.upgrade) {
      case UpgradeKind::kEdrManaged:  // the PCs it adds: all of them, or those not yet covered
        text += r_.controls.edr.status == EdrStatus::kManaged ? fill(L("（残り {}台）", " ({} more PCs)"), {group3(m.endpoints_affected)})
                                                              : fill(L("（対象 {}台）", " ({} PCs)"), {group3(m.endpoints_affected)});
        break;
      case UpgradeKind::kLegacyOsReplaced:
        text += fill(L("（{}台）", " ({} PCs)"), {group3(m.endpoints_affected)});
        break;
      case UpgradeKind::kPhishingDrill:
        text += fill(L("（目標: 開いた人の割合 {}以下）", " (target: no more than {} click)"), {percent_tenths(t_.posture.phishing_low_max_rate.scaled() / 10)});
        break;
      case UpgradeKind::kUtmManaged: break;
    }
    if (m.plan_after != r_.bundle_plan)
      text += "<br/><span class=\"small\">" + fill(L("※ {}のご契約になります。", "You would move to the {}."), {plan_name(m.plan_after)}) + "</span>";
    return text;
  }

  std::string saving_text(Yen saved) const {
    if (saved > 0) return yen_(saved);
    if (saved == 0) return "—";
    return ja_ ? yen_(-saved) + "増" : yen_(-saved) + " more";
  }

  std::string cost_text(const MeasureCost& c) const {
    const EffortClass& e = t_.remediation.effort_classes[static_cast<std::size_t>(c.effort)];
    std::string out = esc(ja_ ? e.name_ja : e.name_en) + L("・", " · ");
    if (c.monthly_yen == 0) return out + yen_(c.first_year_yen);
    return out + fill(L("初年度 {}", "{} in year 1"), {yen_(c.first_year_yen)}) + "<br/><span class=\"small\">" +
           fill(L("（サービス料 月{}を含む）", "(incl. a service fee of {} a month)"), {yen_(c.monthly_yen)}) + "</span>";
  }

  std::string target_sentence(const TierTarget& target, bool first) const {
    if (!target.reachable)
      return fill(L("区分{}には、この診断の対策をすべて行っても届きません。", "Even all of these measures together do not reach tier {}."),
                  {tier_name(target.tier)});
    std::string s = first ? fill(L("<strong>区分{}に上がるための、最も費用の少ない組み合わせ</strong>は、表の★印の対策{}件です。",
                                   "<strong>The cheapest way to reach tier {}</strong> is the {} marked ★ in the table."),
                                 {tier_name(target.tier), measures_count(target.measures.size())})
                          : fill(L("さらに区分{}までは、対策{}件で届きます。", "Tier {} takes {}."),
                                 {tier_name(target.tier), measures_count(target.measures.size())});
    s += fill(L("費用の目安は合計{}（初年度）で、", target.measures.size() == 1 ? " It costs about {} in the first year, and "
                                                                        : " They cost about {} in the first year, and "),
              {yen_(target.cost_yen)});
    if (target.yen_saved > 0)
      s += fill(L("保険料は年{}下がります。", "your premiums fall by {} a year."), {yen_(target.yen_saved)});
    else if (target.yen_saved == 0)
      s += L("保険料は変わりません。", "your premiums stay the same.");
    else
      s += fill(L("保険料の合計は年{}増えます（サービスに付く補償が加わるためです）。",
                  "your premiums rise by {} a year (the cover that comes with the new service)."),
                {yen_(-target.yen_saved)});
    // Whether the set ends the review: said for the first set, and for the second only if it differs.
    const bool first_accepts = !plan_.targets.empty() && plan_.targets[0].refer_to_accept;
    if (target.refer_to_accept && (first || !first_accepts))
      s += L("これで、個別の確認なしに上乗せ補償をお引き受けできるようになります。", " It also means the top-up cover can be offered without a review.");
    else if (first && q_.decision.outcome == Outcome::kRefer && target.after && target.after->decision.outcome == Outcome::kRefer)
      s += L("ただし、上乗せ補償に個別の確認が必要なことは変わりません。", " The top-up cover would still need a review.");
    return s;
  }

  void plan_section() {
    add("<section id=\"plan\" class=\"plan\">\n<h2>" + std::string(L("7. 保険料を下げるための対策", "7. Measures that lower your premiums")) + "</h2>\n");
    const auto& measures = plan_.measures;
    if (measures.empty()) {
      add("<p>" + std::string(L("できていない対策はありません。この状態を保ちましょう。", "There is nothing left to do. Keep it that way.")) +
          "</p>\n</section>\n");
      return;
    }
    add("<p>" +
        std::string(L("できていない対策を一つずつ実施した場合に、点数・区分・保険料がどう変わるかを計算しました。保険料が大きく下がる順に並べています。",
                      "For each missing measure we worked out how your score, tier and premiums would change if you took it. They are listed by how much they save.")) +
        "</p>\n<div class=\"target\" id=\"next-tier\">\n");
    if (plan_.targets.empty()) {
      add("<p>" + fill(L("すでに最も良い区分{}です。保険料はこれ以上下がりませんが、事故を防ぐために、残りの対策にも取り組みましょう。",
                         "You are already in the best tier, {}. Premiums cannot fall further, but the remaining measures still make an incident less likely."),
                       {tier_name(0)}) + "</p>\n");
    } else {
      for (std::size_t k = 0; k < plan_.targets.size(); ++k) {
        if (k > 0 && !plan_.targets[0].reachable) break;
        add("<p" + std::string(k == 0 ? " id=\"next-tier-text\"" : "") + ">" + target_sentence(plan_.targets[k], k == 0) + "</p>\n");
      }
    }
    add("</div>\n");

    auto in_set = [&](std::size_t k, int m) {  // m is in the set for targets[k]
      return k < plan_.targets.size() && std::find(plan_.targets[k].measures.begin(), plan_.targets[k].measures.end(), m) !=
                                             plan_.targets[k].measures.end();
    };
    add("<table id=\"measures\">\n<tr><th class=\"num\">" + std::string(L("順位", "Rank")) + "</th><th>" + L("対策", "Measure") +
        "</th><th class=\"num\">" + L("点数", "Points") + "</th><th class=\"num\">" + L("区分", "Tier") + "</th><th class=\"num\">" +
        L("保険料の削減（年額）", "Saved a year") + "</th><th>" + L("手間と費用の目安", "Effort and cost") + "</th></tr>\n");
    std::size_t shown = 0;
    for (std::size_t i = 0; i < measures.size(); ++i) {
      const Measure& m = measures[i];
      const bool first_set = in_set(0, static_cast<int>(i));
      if (static_cast<int>(i) >= o_.max_measures && !first_set) continue;
      ++shown;
      const std::string tier_change = m.after.tier == plan_.baseline.tier
                                          ? std::string("—")
                                          : tier_name(plan_.baseline.tier) + " → " + tier_name(m.after.tier);
      add("<tr class=\"measure" + std::string(first_set ? " in-set" : "") + "\" data-id=\"" +
          esc(m.id(t_.questionnaire)) + "\" data-rank=\"" + std::to_string(i + 1) + "\" data-yen-saved=\"" + std::to_string(m.yen_saved) +
          "\" data-points=\"" + std::to_string(m.points_gained) + "\">");
      add("<td class=\"num\">" + std::string(first_set ? "<span class=\"mark\">★</span> " : "") +
          std::to_string(i + 1) + "</td>");
      // Items carry their questionnaire id, so the answer sheet can be found again.
      add("<td>" + measure_text(m) +
          (m.kind == MeasureKind::kItem ? " <span class=\"small\">" + esc(m.id(t_.questionnaire)) + "</span>" : std::string()) + "</td>");
      add("<td class=\"num\">" + points_text(ja_, m.points_gained) + "</td>");
      add("<td class=\"num\">" + tier_change + "</td>");
      add("<td class=\"num saved\">" + saving_text(m.yen_saved) + "</td>");
      add("<td>" + cost_text(m.cost) + "</td></tr>\n");
    }
    add("</table>\n");
    if (shown < measures.size())
      add("<p class=\"note\">" + fill(L("表には上位{}件と★印の対策を載せています。このほかに{}件の対策があります。",
                                        "The table shows the top {} and the measures marked ★; there are {} more."),
                                      {std::to_string(o_.max_measures), std::to_string(measures.size() - shown)}) + "</p>\n");
    std::string classes;
    for (const EffortClass& e : t_.remediation.effort_classes) {
      if (!classes.empty()) classes += L("、", ", ");
      classes += esc(ja_ ? e.name_ja : e.name_en) + (ja_ ? "：約" : ": about ") + yen_(e.typical_cost_yen);
    }
    const RemediationTable& rt = t_.remediation;
    const bool starred = !plan_.targets.empty() && plan_.targets[0].reachable;
    add("<p class=\"note\">" + std::string(L("「—」は、その対策だけでは保険料が変わらないことを示します。", "“—” means the measure alone does not change your premiums.")) +
        (starred ? L("保険料は区分が上がったときに下がるため、★印のように組み合わせて取り組むのが効果的です。",
                     " Premiums fall when your tier improves, so measures pay off in combination, as marked ★.")
                 : "") +
        "</p>\n");
    add("<p class=\"note\">" +
        fill(L("費用の目安は一般的な中小企業の例です（手間 {}）。運用サービスは標準的な料金（UTM 月額{}、EDR 1台あたり月額{}）で計算しています。実際の費用は、会社の規模や状況によって変わります。保険料の削減は、上乗せ補償のお支払い額と1階建ての保険料の合計で比べています。",
               "Costs are typical figures for an SME (effort {}). Managed services are priced at typical rates (UTM {} a month, EDR {} per PC a month). Your own costs depend on your size and situation. Savings compare the top-up premium you pay plus the premium of the cover that comes with your service."),
             {classes, yen_(rt.service_prices[static_cast<std::size_t>(BundlePlan::kUtm)].fixed_yen),
              yen_(rt.service_prices[static_cast<std::size_t>(BundlePlan::kEdr)].per_covered_endpoint_yen)}) +
        "</p>\n</section>\n");
  }

  void footer() {
    add("<footer>\n<p>" +
        fill(L("料率表 {}（SHA-256 {}）、cybercover {} で作成しました。保険料は現時点の見積もりであり、ご契約の内容は保険会社の確認によって決まります。",
               "Prepared with rating tables {} (SHA-256 {}) and cybercover {}. Premiums are a quotation as of today; the terms of a policy are set by the insurer."),
             {esc(t_.edition), esc(t_.sha256.substr(0, 12)), esc(engine_version())}) +
        "</p>\n</footer>\n");
  }

  const RatingTables& t_;
  const QuoteRequest& r_;
  const Quote& q_;
  const RemediationPlan& plan_;
  const std::vector<TopUpOption>& options_;
  const ReportOptions& o_;
  bool ja_;
  std::string out_;
};

}  // namespace

std::optional<ReportLanguage> parse_report_language(std::string_view text) {
  if (text == "ja") return ReportLanguage::kJa;
  if (text == "en") return ReportLanguage::kEn;
  return std::nullopt;
}

std::string_view to_string(ReportLanguage language) { return language == ReportLanguage::kJa ? "ja" : "en"; }

void validate_report_options(const ReportOptions& o) {
  constexpr std::size_t kMaxName = 200;
  if (o.company_name.size() > kMaxName)
    throw Error(ErrorCode::kAboveMaximum, "company_name", "must be at most " + std::to_string(kMaxName) + " bytes",
                quote_for_message(o.company_name));
  if (!valid_utf8_text(o.company_name))
    throw Error(ErrorCode::kWrongType, "company_name", "must be UTF-8 text without control characters",
                quote_for_message(o.company_name));
  if (o.max_measures < 0 || o.max_measures > 200)
    throw Error(o.max_measures < 0 ? ErrorCode::kBelowMinimum : ErrorCode::kAboveMaximum, "max_measures",
                "must be between 0 and 200", std::to_string(o.max_measures));
}

std::vector<TopUpOption> price_top_up_options(const Engine& engine, const QuoteRequest& request) {
  const RatingTables& t = engine.tables_for(request.quote_date);
  const std::size_t n = t.top_up.sections.size();
  std::vector<std::optional<Yen>> deductible(n);
  std::vector<Yen> selected(n, -1);
  for (const CoverSelection& s : request.top_up) {
    const int i = t.top_up.section_index(s.section);
    if (i < 0) continue;  // the quote below names it
    deductible[static_cast<std::size_t>(i)] = s.deductible_yen;
    selected[static_cast<std::size_t>(i)] = s.limit_yen;
  }
  std::size_t rows = 0;
  for (const Section& s : t.top_up.sections) rows = std::max(rows, s.limits.size());
  std::vector<TopUpOption> out;
  // One quote per limit row prices that row of every section at once.
  for (std::size_t k = 0; k < rows; ++k) {
    QuoteRequest r = request;
    r.top_up.clear();
    for (std::size_t s = 0; s < n; ++s) {
      const Section& sec = t.top_up.sections[s];
      if (k < sec.limits.size()) r.top_up.push_back({sec.key, sec.limits[k].amount_yen, deductible[s]});
    }
    const Quote q = engine.quote(r);
    if (!q.top_up) return {};  // declined: nothing can be written
    for (const SectionQuote& sq : q.top_up->sections)
      out.push_back({sq.section, sq.limit_yen, sq.deductible_yen, sq.annual_premium_yen,
                     selected[static_cast<std::size_t>(sq.section)] == sq.limit_yen});
  }
  std::sort(out.begin(), out.end(), [](const TopUpOption& a, const TopUpOption& b) {
    return a.section != b.section ? a.section < b.section : a.limit_yen < b.limit_yen;
  });
  return out;
}

std::string report_html(const QuoteRequest& request, const Quote& quote, const RemediationPlan& plan,
                        const std::vector<TopUpOption>& top_up_options, const ReportOptions& options) {
  validate_report_options(options);
  return Page(request, quote, plan, top_up_options, options).build();
}

std::string report_html(const Engine& engine, const QuoteRequest& request, const ReportOptions& options) {
  validate_report_options(options);
  const Quote quote = engine.quote(request);
  const RemediationPlan plan = plan_remediation(engine, request);
  return report_html(request, quote, plan, price_top_up_options(engine, request), options);
}

std::string report_html_json(const Engine& engine, std::string_view request_text, const ReportOptions& options) {
  validate_report_options(options);
  return report_html(engine, parse_quote_request_text(request_text, engine.library()), options);
}

}  // namespace cybercover
