#include "cybercover/loss/book.hpp"

#include "cybercover/error.hpp"
#include "cybercover/quote/engine.hpp"
#include "loss/model_detail.hpp"

namespace cybercover {

double BookCompany::charged_section_yen(int section) const {
  Yen total = 0;
  for (Yen p : section_premium_yen) total += p;
  if (total <= 0 || section < 0 || section >= static_cast<int>(kMaxSections)) return 0;
  return static_cast<double>(top_up_premium_yen) *
         static_cast<double>(section_premium_yen[static_cast<std::size_t>(section)]) /
         static_cast<double>(total);
}

LossBook::LossBook(std::shared_ptr<const RatingTables> tables) : tables_(std::move(tables)) {
  if (!tables_)
    throw Error(ErrorCode::kMissing, "tables",
                "a loss book needs the edition its companies are priced with");
}

int LossBook::provider_index(std::string_view name) {
  for (std::size_t i = 0; i < providers_.size(); ++i)
    if (providers_[i] == name) return static_cast<int>(i);
  providers_.emplace_back(name);
  return static_cast<int>(providers_.size() - 1);
}

void LossBook::add(BookCompany company, std::string_view provider) {
  detail::check_exposure(*tables_, company.exposure);
  if (company.base_premium_yen < 0)
    throw Error(ErrorCode::kBelowMinimum, "base_premium_yen", "must be >= 0",
                std::to_string(company.base_premium_yen));
  if (company.top_up_premium_yen < 0)
    throw Error(ErrorCode::kBelowMinimum, "top_up_premium_yen", "must be >= 0",
                std::to_string(company.top_up_premium_yen));
  for (Yen p : company.section_premium_yen)
    if (p < 0)
      throw Error(ErrorCode::kBelowMinimum, "section_premium_yen", "must be >= 0",
                  std::to_string(p));
  company.provider = provider_index(provider);
  companies_.push_back(company);
}

void LossBook::add_quote(const QuoteRequest& request, const Quote& quote, std::uint64_t key,
                         std::string_view provider) {
  if (quote.tables->sha256 != tables_->sha256)
    throw Error(ErrorCode::kBadOption, "quote_date",
                "the quote uses edition " + quote.tables->edition + " but the book is of edition " +
                    tables_->edition);
  BookCompany c;
  c.exposure = exposure_of(request, quote);
  c.key = key;
  if (quote.base_cover) c.base_premium_yen = quote.base_cover->annual_premium_yen;
  if (quote.top_up) {
    c.top_up_premium_yen = quote.top_up->annual_premium_yen;
    for (const SectionQuote& s : quote.top_up->sections)
      c.section_premium_yen[static_cast<std::size_t>(s.section)] = s.annual_premium_yen;
  }
  add(c, provider);
}

BookExpectedLosses book_expected_losses(const LossBook& book) {
  const RatingTables& t = book.tables();
  BookExpectedLosses out;
  out.layers.push_back({"base_cover", 0, 0, 0, 0, 0, 0});
  for (const Section& s : t.top_up.sections) out.layers.push_back({s.key, 0, 0, 0, 0, 0, 0});
  for (const BookCompany& c : book.companies()) {
    out.base_premium_yen += c.base_premium_yen;
    out.top_up_premium_yen += c.top_up_premium_yen;
    const ExpectedLosses e = expected_losses(t, c.exposure);
    for (const LayerLoss& l : e.layers) {
      const bool base = l.layer == "base_cover";
      const int section = base ? -1 : t.top_up.section_index(l.layer);
      BookLayerLoss& b = out.layers[base ? 0 : static_cast<std::size_t>(section) + 1];
      ++b.companies;
      b.claim_frequency += l.claim_frequency;
      b.expected_loss_yen += l.expected_loss_yen;
      b.systemic_expected_loss_yen += l.systemic_expected_loss_yen;
      b.indicated_premium_yen += l.indicated_premium_yen;
      b.charged_premium_yen +=
          base ? static_cast<double>(c.base_premium_yen) : c.charged_section_yen(section);
      out.expected_loss_yen += l.expected_loss_yen;
      out.systemic_expected_loss_yen += l.systemic_expected_loss_yen;
    }
  }
  return out;
}

}  // namespace cybercover
