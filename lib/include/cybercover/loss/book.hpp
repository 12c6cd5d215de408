#pragma once
// A book of companies for the loss model: each company's exposure, the key of its random
// stream, its managed-service provider (for systemic events) and what its quote charges.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cybercover/loss/loss_model.hpp"

namespace cybercover {

struct BookCompany {
  LossExposure exposure;
  // The key of the company's random streams: its row number in the whole book. A book split
  // into parts keeps each company's key, so the parts' simulations sum to the whole's.
  std::uint64_t key = 0;
  int provider = 0;            // index into LossBook::providers() (set by LossBook::add)
  Yen base_premium_yen = 0;    // the quote's base-cover annual premium (0 without)
  Yen top_up_premium_yen = 0;  // the quote's top-up annual premium, after the multi-section
                               // factor and the minimum (0 without a top-up)
  // The quote's section premiums before the multi-section factor, by section index (0 where
  // not selected): they spread the top-up premium over the sections for loss ratios.
  std::array<Yen, kMaxSections> section_premium_yen{};

  // The section's share of the top-up premium (in proportion to the section premiums).
  double charged_section_yen(int section) const;
};

class LossBook {
 public:
  // All companies are priced with this edition.
  explicit LossBook(std::shared_ptr<const RatingTables> tables);

  const RatingTables& tables() const { return *tables_; }
  const std::shared_ptr<const RatingTables>& tables_ptr() const { return tables_; }
  const std::vector<BookCompany>& companies() const { return companies_; }
  std::size_t size() const { return companies_.size(); }
  // Provider names in first-seen order; "" is the provider of subscribers given none.
  const std::vector<std::string>& providers() const { return providers_; }

  void reserve(std::size_t companies) { companies_.reserve(companies); }
  // Adds a company (its exposure is checked against the edition; Error{kInput} otherwise).
  // Its premiums are what its quote charges; `provider` only matters for subscribers.
  void add(BookCompany company, std::string_view provider);
  // Adds the quoted company with the premiums the quote charges. The quote must use the
  // book's edition (Error{kInput} naming quote_date otherwise).
  void add_quote(const QuoteRequest& request, const Quote& quote, std::uint64_t key,
                 std::string_view provider = {});
  // Returns the index of a provider name, adding it when new.
  int provider_index(std::string_view name);

 private:
  std::shared_ptr<const RatingTables> tables_;
  std::vector<BookCompany> companies_;
  std::vector<std::string> providers_;
};

// Expected losses of the whole book by layer key ("base_cover", then sections in table
// order): sums of the companies' closed forms, with the premiums charged.
struct BookLayerLoss {
  std::string layer;
  std::size_t companies = 0;     // companies with this layer
  double claim_frequency = 0;    // expected claims a year from incidents
  double expected_loss_yen = 0;  // independent incidents, per-claim limits only
  double systemic_expected_loss_yen = 0;
  double indicated_premium_yen = 0;  // expected loss / target loss ratio
  double charged_premium_yen =
      0;  // base: annual premiums; sections: their share of the top-up premium
};
struct BookExpectedLosses {
  std::vector<BookLayerLoss> layers;
  double expected_loss_yen = 0, systemic_expected_loss_yen = 0;
  Yen base_premium_yen = 0, top_up_premium_yen = 0;  // charged, summed exactly
};
BookExpectedLosses book_expected_losses(const LossBook& book);

}  // namespace cybercover
