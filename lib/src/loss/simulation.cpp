// The book's Monte Carlo. Most company-years have no claim at all (the default book: about
// 96%), so the loop is built around that: incidents that claim on none of the company's
// layers are thinned away in advance (the claiming incidents are Poisson or negative binomial
// again, with mean lambda x q), and a zero year costs one hash of (company, year) and one
// comparison with the precomputed P(no claiming incident). Only the rare claim years draw the
// count, the claim pattern and the ground-up cost.
//
// Work is split into tiles of (a block of years) x (a chunk of companies); a tile sums into
// its own block-sized buffers, then adds them into the result under the block's lock. Every
// sum is of whole yen in 64-bit integers, so the order of the additions does not matter.

#include "cybercover/loss/simulation.hpp"

#include "detail/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "cybercover/error.hpp"
#include "loss/model_detail.hpp"
#include "loss/sampling.hpp"

namespace cybercover {

namespace {

using detail::mix2;
using detail::mix64;
using detail::Stream;

constexpr std::size_t kBlockYears = 4096;
constexpr int kMaxYears = 10'000'000;
constexpr std::uint64_t kYearStream = 0xA0761D6478BD642FULL;   // per (company, year) claim draws
constexpr std::uint64_t kHitStream = 0xE7037ED1A0B428DBULL;    // per (company, event) hit draws
constexpr std::uint64_t kEventStream = 0x8EBC6AF09C88C6E3ULL;  // events per (type, provider, year)
constexpr std::uint64_t kMarket = 0x589965CC75374CC3ULL;  // the "provider" of plan-scope events

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

struct LayerSim {
  std::uint8_t section = 0;  // the section whose claims it pays
  std::uint8_t layer = 0;    // 0 = base cover, 1 + s = section s
  double c = 1, a = 0, limit = 0;
  std::int64_t cap = 0;  // annual aggregate in yen (= the per-claim limit)
};

struct Terms {
  std::vector<LayerSim> layers;
  std::uint32_t section_mask = 0;  // sections with a layer
};

// P(count <= k) as thresholds on a 64-bit word; the last entry is the largest word.
struct CountTable {
  std::vector<std::uint64_t> cum;
  int draw(std::uint64_t word) const {
    int k = 1;
    const int last = static_cast<int>(cum.size()) - 1;
    while (k < last && word >= cum[static_cast<std::size_t>(k)]) ++k;
    return k;
  }
};

// The sampler draws at most kMaxClaimsPerYear claims a year: a distribution with a real tail
// beyond it would be cut short silently, so it is refused instead (the table's bounds on the
// frequency and the overdispersion keep every table far from it).
constexpr int kMaxClaimsPerYear = 4000;

CountTable count_table(const ClaimCount& n) {
  CountTable t;
  for (int k = 0; k < kMaxClaimsPerYear; ++k) {
    const double f = n.cdf(k);
    if (f >= 1 - 1e-18) {
      t.cum.push_back(std::numeric_limits<std::uint64_t>::max());
      break;
    }
    if (k == kMaxClaimsPerYear - 1) {
      if (f < 1 - 1e-12)
        throw Error(ErrorCode::kTableAboveMaximum, "loss_model.json: frequency",
                    "a claim count of mean " + std::to_string(n.mean()) + " has probability " + std::to_string(1 - f) +
                        " of more than " + std::to_string(kMaxClaimsPerYear) +
                        " claims a year; the simulation draws at most that many");
      t.cum.push_back(std::numeric_limits<std::uint64_t>::max());
      break;
    }
    t.cum.push_back(detail::threshold(f));
  }
  if (t.cum.size() < 2) t.cum.push_back(std::numeric_limits<std::uint64_t>::max());
  return t;
}

// The sections one claiming incident claims on, given that it claims on at least one.
struct PatternTable {
  std::vector<std::uint64_t> cum;
  std::vector<std::uint32_t> mask;
  std::uint32_t draw(std::uint64_t word) const {
    std::size_t i = 0;
    while (i + 1 < cum.size() && word >= cum[i]) ++i;
    return mask[i];
  }
};

struct CompanySim {
  std::uint64_t stream = 0;  // the company's key, hashed with the seed
  std::uint64_t zero = 0;    // P(no claiming incident in a year) as a threshold
  bool independent = false;  // whether an incident can claim at all
  std::uint32_t count = 0, terms = 0, patterns = 0;
  std::int32_t provider = 0;
  std::uint8_t tier = 0, plan = 0;
  double revenue_scale = 1;
};

struct Event {
  std::int32_t year = 0;
  std::int32_t type = 0;
  std::uint64_t key = 0;
  std::uint32_t index = 0;  // into the result's event arrays
};

struct EventType {
  SystemicScope scope = SystemicScope::kProvider;
  bool exposed[kBundlePlanCount] = {};
  std::uint64_t share = 0;           // threshold
  std::vector<std::uint64_t> claim;  // by section: threshold
  detail::SeveritySampler sampler;
  CountTable events;  // events a year
  explicit EventType(const SystemicEventType& t) : sampler(t.loss_per_company) {}
};

// Block-local sums of one tile.
struct Buffers {
  std::size_t layers = 0, tiers = 0;
  std::vector<std::int64_t> layer, layer_sys, tier, tier_sys, plan, plan_sys, max_incident;
  void reset(std::size_t years, std::size_t l, std::size_t t) {
    layers = l;
    tiers = t;
    for (auto* v : {&layer, &layer_sys}) v->assign(years * l, 0);
    for (auto* v : {&tier, &tier_sys}) v->assign(years * t, 0);
    for (auto* v : {&plan, &plan_sys}) v->assign(years * kBundlePlanCount, 0);
    max_incident.assign(years, 0);
  }
};

// flags[i] = 1 when year i of the block has a claiming incident: its hash is at or above the
// company's P(no claiming incident). Compiled for AVX-512 and AVX2 too (picked at load time):
// the 64-bit multiplies of the hash then run eight or four years at a time. Not under
// ThreadSanitizer: the loader runs the (instrumented) resolver before the TSan runtime starts,
// and the program crashes at load.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CYBERCOVER_NO_TARGET_CLONES 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CYBERCOVER_NO_TARGET_CLONES 1
#endif
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(CYBERCOVER_NO_TARGET_CLONES)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void claim_years(std::uint64_t stream, std::uint64_t counter, std::uint64_t zero, std::uint8_t* flags, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    flags[i] = mix64(stream ^ (counter + i * detail::kGolden)) >= zero;
}

class Simulator {
 public:
  Simulator(const LossBook& book, const SimulationOptions& o)
      : book_(book), t_(book.tables()), o_(o) {
    const LossModelTable& m = t_.loss_model;
    layers_ = 1 + t_.top_up.sections.size();
    tiers_ = t_.posture.tiers.size();
    years_ = static_cast<std::size_t>(o.years);
    base_sampler_.emplace(m.severity);
    for (const SystemicEventType& e : m.systemic_events) {
      EventType et(e);
      et.scope = e.scope;
      for (BundlePlan p : e.plans) et.exposed[static_cast<int>(p)] = true;
      et.share = detail::threshold(e.share_hit);
      for (double p : e.claim_probability) et.claim.push_back(detail::threshold(p));
      et.events = count_table(ClaimCount::poisson(e.events_per_year));
      types_.push_back(std::move(et));
    }
    prepare_companies();
    generate_events();
  }

  SimulationTotals run() {
    SimulationTotals r;
    r.years = o_.years;
    r.seed = o_.seed;
    r.edition = t_.edition;
    r.sha256 = t_.sha256;
    r.layers.push_back("base_cover");
    for (const Section& s : t_.top_up.sections) r.layers.push_back(s.key);
    for (const Tier& tier : t_.posture.tiers) r.tiers.push_back(tier.name);
    for (BundlePlan p :
         {BundlePlan::kNone, BundlePlan::kUtm, BundlePlan::kEdr, BundlePlan::kUtmEdr})
      r.plans.emplace_back(to_string(p));
    r.companies = book_.size();
    r.company_keys = keys_;
    premiums(r);
    for (auto* v : {&r.layer_loss_yen, &r.layer_systemic_yen}) v->assign(years_ * layers_, 0);
    for (auto* v : {&r.tier_loss_yen, &r.tier_systemic_yen}) v->assign(years_ * tiers_, 0);
    for (auto* v : {&r.plan_loss_yen, &r.plan_systemic_yen})
      v->assign(years_ * kBundlePlanCount, 0);
    r.max_incident_yen.assign(years_, 0);
    event_paid_.assign(events_.size(), 0);
    event_hits_.assign(events_.size(), 0);

    const std::size_t blocks = (years_ + kBlockYears - 1) / kBlockYears;
    const std::size_t n = companies_.size();
    const std::size_t threads = std::max<std::size_t>(
        1, o_.threads > 0 ? static_cast<std::size_t>(o_.threads)
                          : std::max(1u, std::thread::hardware_concurrency()));
    const std::size_t wanted_tiles = threads * 16;
    const std::size_t chunks =
        n == 0 ? 1 : std::min(n, std::max<std::size_t>(1, (wanted_tiles + blocks - 1) / blocks));
    const std::size_t chunk = n == 0 ? 1 : (n + chunks - 1) / chunks;
    const std::size_t tiles = blocks * chunks;
    std::vector<std::mutex> block_locks(blocks);
    std::mutex event_lock;
    std::atomic<std::size_t> next_tile{0};
    std::atomic<std::uint64_t> done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failure_lock;
    const std::uint64_t total = static_cast<std::uint64_t>(n) * years_;

    auto worker = [&] {
      Buffers buf;
      std::vector<std::int64_t> event_paid;
      std::vector<std::int32_t> event_hits;
      try {
        for (;;) {
          if (stop.load(std::memory_order_relaxed)) return;
          const std::size_t tile = next_tile.fetch_add(1);
          if (tile >= tiles) return;
          const std::size_t block = tile / chunks, part = tile % chunks;
          const std::size_t y0 = block * kBlockYears, y1 = std::min(years_, y0 + kBlockYears);
          const std::size_t c0 = part * chunk, c1 = std::min(n, c0 + chunk);
          buf.reset(y1 - y0, layers_, tiers_);
          const auto [e0, e1] = block_events_[block];
          event_paid.assign(e1 - e0, 0);
          event_hits.assign(e1 - e0, 0);
          for (std::size_t c = c0; c < c1; ++c)
            simulate_company(c, y0, y1, buf, e0, event_paid.data(), event_hits.data());
          {
            std::lock_guard<std::mutex> lock(block_locks[block]);
            flush(buf, y0, y1, r);
          }
          if (e1 > e0) {
            std::lock_guard<std::mutex> lock(event_lock);
            for (std::size_t e = e0; e < e1; ++e) {
              event_paid_[e] += event_paid[e - e0];
              event_hits_[e] += event_hits[e - e0];
            }
          }
          done.fetch_add(static_cast<std::uint64_t>(c1 - c0) * (y1 - y0),
                         std::memory_order_relaxed);
        }
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_lock);
        if (!failure) failure = std::current_exception();
        stop = true;
      }
    };

    const std::size_t pool_size = std::min(threads, tiles);
    if (pool_size <= 1 && !o_.progress) {
      worker();
    } else {
      std::vector<std::thread> pool;
      std::atomic<std::size_t> running{pool_size};
      std::mutex wait_lock;
      std::condition_variable finished;
      for (std::size_t i = 0; i < pool_size; ++i)
        pool.emplace_back([&] {
          worker();
          std::lock_guard<std::mutex> lock(wait_lock);
          if (--running == 0) finished.notify_all();
        });
      try {
        std::unique_lock<std::mutex> lock(wait_lock);
        while (running > 0) {
          finished.wait_for(lock, std::chrono::milliseconds(100));
          if (o_.progress && running > 0) {
            lock.unlock();
            o_.progress(done.load(), total);
            lock.lock();
          }
        }
      } catch (...) {
        stop = true;
        for (auto& th : pool) th.join();
        throw;
      }
      for (auto& th : pool) th.join();
      if (o_.progress && !failure) o_.progress(done.load(), total);
    }
    if (failure) std::rethrow_exception(failure);

    for (std::size_t e = 0; e < events_.size(); ++e) {
      if (event_hits_[e] == 0) continue;
      r.event_key.push_back(events_[e].key);
      r.event_year.push_back(events_[e].year);
      r.event_type.push_back(events_[e].type);
      r.event_paid_yen.push_back(event_paid_[e]);
    }
    sort_events(r);
    return r;
  }

  static void sort_events(SimulationTotals& r) {
    std::vector<std::size_t> order(r.event_key.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return r.event_key[a] < r.event_key[b]; });
    auto permute = [&](auto& v) {
      auto copy = v;
      for (std::size_t i = 0; i < order.size(); ++i) v[i] = copy[order[i]];
    };
    permute(r.event_key);
    permute(r.event_year);
    permute(r.event_type);
    permute(r.event_paid_yen);
  }

 private:
  void prepare_companies() {
    const LossModelTable& m = t_.loss_model;
    std::map<std::string, std::uint32_t> terms_index;
    std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint32_t> count_index;
    std::map<std::uint32_t, std::uint32_t> pattern_index;
    companies_.reserve(book_.size());
    keys_.reserve(book_.size());
    for (const BookCompany& bc : book_.companies()) {
      const LossExposure& e = bc.exposure;
      keys_.push_back(bc.key);
      CompanySim c;
      c.stream = mix2(o_.seed, bc.key);
      c.tier = static_cast<std::uint8_t>(e.tier);
      c.plan = static_cast<std::uint8_t>(e.bundle_plan);
      c.provider = bc.provider;
      c.revenue_scale = m.revenue_scale(e.revenue_band);
      // terms: shared by the companies with the same plan and selections
      std::string key = std::to_string(static_cast<int>(e.bundle_plan));
      for (const ResolvedSelection& s : e.top_up)
        key += "/" + std::to_string(s.section) + ":" + std::to_string(s.limit_row) + ":" +
               std::to_string(s.deductible_row);
      auto ti = terms_index.find(key);
      if (ti == terms_index.end()) {
        Terms terms;
        for (const LayerTerms& l : layer_terms(t_, e)) {
          LayerSim s;
          s.section = static_cast<std::uint8_t>(l.section);
          s.layer = static_cast<std::uint8_t>(l.base_cover ? 0 : 1 + l.section);
          s.c = m.loss_scale[static_cast<std::size_t>(l.section)];
          s.a = l.attachment_yen;
          s.limit = l.limit_yen;
          s.cap = static_cast<std::int64_t>(std::llround(l.limit_yen));
          terms.layers.push_back(s);
          terms.section_mask |= 1u << l.section;
        }
        ti = terms_index.emplace(key, static_cast<std::uint32_t>(terms_.size())).first;
        terms_.push_back(std::move(terms));
      }
      c.terms = ti->second;
      const Terms& terms = terms_[c.terms];
      // sections an incident can claim on (probability > 0), their patterns, and the count
      std::uint32_t mask = 0;
      double none = 1;
      for (std::size_t s = 0; s < t_.top_up.sections.size(); ++s)
        if ((terms.section_mask >> s & 1) && m.claim_probability[s] > 0) {
          mask |= 1u << s;
          none *= 1 - m.claim_probability[s];
        }
      const double q = 1 - none;
      if (mask != 0 && q > 0) {
        auto pi = pattern_index.find(mask);
        if (pi == pattern_index.end()) {
          pi = pattern_index.emplace(mask, static_cast<std::uint32_t>(patterns_.size())).first;
          patterns_.push_back(pattern_table(mask, q));
        }
        c.patterns = pi->second;
        const double lambda = incident_frequency(t_, e);
        std::uint64_t bits;
        std::memcpy(&bits, &lambda, sizeof bits);
        auto ci = count_index.find({bits, mask});
        if (ci == count_index.end()) {
          ci = count_index
                   .emplace(std::make_pair(bits, mask), static_cast<std::uint32_t>(counts_.size()))
                   .first;
          counts_.push_back(count_table(ClaimCount::of(m, lambda).thinned(q)));
        }
        c.count = ci->second;
        c.zero = counts_[c.count].cum[0];
        c.independent = c.zero != std::numeric_limits<std::uint64_t>::max();
      }
      companies_.push_back(c);
      // A year's payments of the book are at most the sum of every layer's annual aggregate:
      // it must fit the 64-bit sums (it does by far for any real book).
      for (const LayerSim& l : terms_[c.terms].layers) total_caps_ += static_cast<long double>(l.cap);
      if (total_caps_ > 4e18L)
        throw Error(ErrorCode::kAboveMaximum, "limits",
                    "the book's annual aggregates sum to more than 4e18 yen: the yearly sums would not fit 64 bits");
    }
    std::vector<std::uint64_t> sorted = keys_;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < sorted.size(); ++i)
      if (sorted[i] == sorted[i - 1])
        throw Error(ErrorCode::kBadOption, "company_keys",
                    "each company needs its own key (its row in the whole book)",
                    std::to_string(sorted[i]));
    keys_ = std::move(sorted);
  }

  PatternTable pattern_table(std::uint32_t mask, double q) const {
    const LossModelTable& m = t_.loss_model;
    std::vector<std::size_t> sections;
    for (std::size_t s = 0; s < 32; ++s)
      if (mask >> s & 1) sections.push_back(s);
    PatternTable p;
    double cumulative = 0;
    const std::size_t patterns = std::size_t{1} << sections.size();
    for (std::size_t j = 1; j < patterns; ++j) {
      double prob = 1;
      std::uint32_t claimed = 0;
      for (std::size_t i = 0; i < sections.size(); ++i) {
        const double ps = m.claim_probability[sections[i]];
        if (j >> i & 1) {
          prob *= ps;
          claimed |= 1u << sections[i];
        } else {
          prob *= 1 - ps;
        }
      }
      cumulative += prob / q;
      p.cum.push_back(j + 1 == patterns ? std::numeric_limits<std::uint64_t>::max()
                                        : detail::threshold(cumulative));
      p.mask.push_back(claimed);
    }
    return p;
  }

  // Every systemic event of every provider in the book (and of the market), by block.
  void generate_events() {
    const std::size_t blocks = (years_ + kBlockYears - 1) / kBlockYears;
    block_events_.assign(blocks, {0, 0});
    by_provider_.assign(book_.providers().size(), {});
    by_market_.assign(types_.size(), {});
    if (types_.empty()) return;
    // providers with at least one subscriber exposed to a provider-scope type
    std::vector<bool> used(book_.providers().size(), false);
    bool any_market = false;
    for (const CompanySim& c : companies_)
      for (const EventType& et : types_)
        if (et.exposed[c.plan]) {
          if (et.scope == SystemicScope::kProvider)
            used[static_cast<std::size_t>(c.provider)] = true;
          else
            any_market = true;
        }
    std::vector<std::uint64_t> provider_hash;
    for (const std::string& name : book_.providers()) provider_hash.push_back(fnv1a(name));
    for (std::size_t b = 0; b < blocks; ++b) {
      block_events_[b].first = events_.size();
      const std::size_t y0 = b * kBlockYears, y1 = std::min(years_, y0 + kBlockYears);
      for (std::size_t k = 0; k < types_.size(); ++k) {
        const EventType& et = types_[k];
        const bool market = et.scope == SystemicScope::kPlan;
        const std::size_t targets = market ? (any_market ? 1 : 0) : provider_hash.size();
        for (std::size_t p = 0; p < targets; ++p) {
          if (!market && !used[p]) continue;
          const std::uint64_t target = market ? kMarket : provider_hash[p];
          const std::uint64_t base = mix2(mix2(o_.seed ^ kEventStream, k), target);
          auto& list = market ? by_market_[k] : by_provider_[p];
          for (std::size_t y = y0; y < y1; ++y) {
            const std::uint64_t h = mix2(base, y);
            if (h < et.events.cum[0]) continue;
            const int count = et.events.draw(h);
            for (int i = 0; i < count; ++i) {
              Event ev;
              ev.year = static_cast<std::int32_t>(y);
              ev.type = static_cast<std::int32_t>(k);
              ev.key = mix2(h, static_cast<std::uint64_t>(i) + 1);
              ev.index = static_cast<std::uint32_t>(events_.size());
              events_.push_back(ev);
              list.push_back(ev);
            }
          }
        }
      }
      block_events_[b].second = events_.size();
    }
    // lists are in (type, year) order per block; a company needs them by year
    auto by_year = [](const Event& a, const Event& b) {
      return a.year != b.year ? a.year < b.year : a.key < b.key;
    };
    for (auto& l : by_provider_) std::sort(l.begin(), l.end(), by_year);
    for (auto& l : by_market_) std::sort(l.begin(), l.end(), by_year);
  }

  struct Hit {
    std::int32_t year;
    std::uint64_t key;
    std::uint32_t index;
    std::int32_t type;
  };

  void collect_hits(const CompanySim& c, std::size_t y0, std::size_t y1,
                    std::vector<Hit>& hits) const {
    hits.clear();
    if (c.plan == 0 || types_.empty()) return;
    auto scan = [&](const std::vector<Event>& list) {
      auto it = std::lower_bound(list.begin(), list.end(), static_cast<std::int32_t>(y0),
                                 [](const Event& e, std::int32_t y) { return e.year < y; });
      for (; it != list.end() && it->year < static_cast<std::int32_t>(y1); ++it) {
        const EventType& et = types_[static_cast<std::size_t>(it->type)];
        if (!et.exposed[c.plan]) continue;
        if (mix64(c.stream ^ it->key) < et.share)
          hits.push_back({it->year, it->key, it->index, it->type});
      }
    };
    scan(by_provider_[static_cast<std::size_t>(c.provider)]);
    for (std::size_t k = 0; k < types_.size(); ++k)
      if (types_[k].scope == SystemicScope::kPlan && types_[k].exposed[c.plan]) scan(by_market_[k]);
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
      return a.year != b.year ? a.year < b.year : a.key < b.key;
    });
  }

  // event_paid / event_hits: the tile's sums for the block's events (global index - first).
  void simulate_company(std::size_t index, std::size_t y0, std::size_t y1, Buffers& buf,
                        std::size_t first, std::int64_t* event_paid, std::int32_t* event_hits) {
    const CompanySim& c = companies_[index];
    thread_local std::vector<Hit> hits;
    collect_hits(c, y0, y1, hits);
    if (!c.independent && hits.empty()) return;
    std::size_t next = 0;
    if (!c.independent) {
      while (next < hits.size()) {
        const auto y = static_cast<std::size_t>(hits[next].year);
        std::size_t end = next;
        while (end < hits.size() && hits[end].year == hits[next].year) ++end;
        year(c, y, y0, 0, false, hits.data() + next, end - next, buf, first, event_paid,
             event_hits);
        next = end;
      }
      return;
    }
    const std::uint64_t stream = c.stream, zero = c.zero;
    // Which years have a claim: one hash each, in a loop the compiler vectorises; then only
    // the flagged years (and those with a systemic hit) are visited, eight years at a time.
    thread_local std::vector<std::uint8_t> flags;
    flags.resize(y1 - y0 + 8);
    claim_years(stream, (static_cast<std::uint64_t>(y0) + 1) * detail::kGolden, zero, flags.data(),
                y1 - y0);
    std::fill(flags.begin() + static_cast<std::ptrdiff_t>(y1 - y0), flags.end(), 0);
    const std::int32_t no_hit = std::numeric_limits<std::int32_t>::max();
    std::int32_t next_hit = hits.empty() ? no_hit : hits[0].year;
    for (std::size_t base = y0; base < y1; base += 8) {
      std::uint64_t word;
      std::memcpy(&word, flags.data() + (base - y0), sizeof word);
      if (word == 0 && static_cast<std::size_t>(next_hit) >= base + 8) continue;
      for (std::size_t y = base; y < std::min(base + 8, y1); ++y) {
        const bool claims = flags[y - y0] != 0;
        const bool hit = static_cast<std::int32_t>(y) == next_hit;
        if (!(claims | hit)) continue;
        const std::uint64_t h =
            claims ? mix64(stream ^ ((static_cast<std::uint64_t>(y) + 1) * detail::kGolden)) : 0;
        std::size_t end = next;
        if (hit) {
          while (end < hits.size() && hits[end].year == next_hit) ++end;
        }
        year(c, y, y0, h, claims, hits.data() + next, end - next, buf, first, event_paid,
             event_hits);
        if (hit) {
          next = end;
          next_hit = next < hits.size() ? hits[next].year : no_hit;
        }
      }
    }
  }

  // One company-year with claims and/or systemic hits.
  void year(const CompanySim& c, std::size_t y, std::size_t y0, std::uint64_t h, bool claims,
            const Hit* hits, std::size_t hit_count, Buffers& buf, std::size_t first,
            std::int64_t* event_paid, std::int32_t* event_hits) const {
    const Terms& terms = terms_[c.terms];
    const std::size_t nl = terms.layers.size();
    std::int64_t remaining[kMaxSections + 1];
    std::int64_t paid[kMaxSections + 1] = {};
    for (std::size_t l = 0; l < nl; ++l) remaining[l] = terms.layers[l].cap;
    const std::size_t row = y - y0;
    if (claims) {
      const int count = counts_[c.count].draw(h);
      const PatternTable& patterns = patterns_[c.patterns];
      Stream rng{mix2(c.stream ^ kYearStream, y)};
      std::int64_t largest = 0;
      for (int i = 0; i < count; ++i) {
        const std::uint32_t claimed = patterns.draw(rng.next());
        const double x = (*base_sampler_)(rng.uniform()) * c.revenue_scale;
        std::int64_t occurrence = 0;
        for (std::size_t l = 0; l < nl; ++l) {
          const LayerSim& s = terms.layers[l];
          if (!(claimed >> s.section & 1)) continue;
          const std::int64_t pre =
              detail::whole_yen(std::min(std::max(s.c * x - s.a, 0.0), s.limit));
          occurrence += pre;
          const std::int64_t pay = std::min(pre, remaining[l]);
          remaining[l] -= pay;
          paid[l] += pay;
        }
        largest = std::max(largest, occurrence);
      }
      std::int64_t sum = 0;
      for (std::size_t l = 0; l < nl; ++l) {
        buf.layer[row * buf.layers + terms.layers[l].layer] += paid[l];
        sum += paid[l];
      }
      buf.tier[row * buf.tiers + c.tier] += sum;
      buf.plan[row * kBundlePlanCount + c.plan] += sum;
      buf.max_incident[row] = std::max(buf.max_incident[row], largest);
    }
    if (hit_count == 0) return;
    std::int64_t extra[kMaxSections + 1] = {};
    for (std::size_t i = 0; i < hit_count; ++i) {
      const Hit& hit = hits[i];
      const EventType& et = types_[static_cast<std::size_t>(hit.type)];
      Stream rng{mix2(c.stream ^ kHitStream, hit.key)};
      const double x = et.sampler(rng.uniform()) * c.revenue_scale;
      std::uint32_t claimed = 0;
      for (std::size_t s = 0; s < et.claim.size(); ++s)
        if ((terms.section_mask >> s & 1) && rng.next() < et.claim[s]) claimed |= 1u << s;
      std::int64_t occurrence = 0;
      for (std::size_t l = 0; l < nl; ++l) {
        const LayerSim& s = terms.layers[l];
        if (!(claimed >> s.section & 1)) continue;
        const std::int64_t pre = detail::whole_yen(std::min(std::max(s.c * x - s.a, 0.0), s.limit));
        occurrence += pre;
        const std::int64_t pay = std::min(pre, remaining[l]);
        remaining[l] -= pay;
        extra[l] += pay;
      }
      event_paid[hit.index - first] += occurrence;
      event_hits[hit.index - first] += 1;
    }
    std::int64_t sum = 0;
    for (std::size_t l = 0; l < nl; ++l) {
      buf.layer_sys[row * buf.layers + terms.layers[l].layer] += extra[l];
      sum += extra[l];
    }
    buf.tier_sys[row * buf.tiers + c.tier] += sum;
    buf.plan_sys[row * kBundlePlanCount + c.plan] += sum;
  }

  void flush(const Buffers& buf, std::size_t y0, std::size_t y1, SimulationTotals& r) const {
    const std::size_t years = y1 - y0;
    auto add = [](std::vector<std::int64_t>& to, const std::vector<std::int64_t>& from,
                  std::size_t offset) {
      for (std::size_t i = 0; i < from.size(); ++i) to[offset + i] += from[i];
    };
    add(r.layer_loss_yen, buf.layer, y0 * layers_);
    add(r.layer_systemic_yen, buf.layer_sys, y0 * layers_);
    add(r.tier_loss_yen, buf.tier, y0 * tiers_);
    add(r.tier_systemic_yen, buf.tier_sys, y0 * tiers_);
    add(r.plan_loss_yen, buf.plan, y0 * kBundlePlanCount);
    add(r.plan_systemic_yen, buf.plan_sys, y0 * kBundlePlanCount);
    for (std::size_t i = 0; i < years; ++i)
      r.max_incident_yen[y0 + i] = std::max(r.max_incident_yen[y0 + i], buf.max_incident[i]);
  }

  void premiums(SimulationTotals& r) const {
    r.layer_premium_yen.assign(layers_, 0);
    r.layer_companies.assign(layers_, 0);
    r.tier_premium_yen.assign(tiers_, 0);
    r.plan_premium_yen.assign(kBundlePlanCount, 0);
    for (const BookCompany& c : book_.companies()) {
      const LossExposure& e = c.exposure;
      if (e.bundle_plan != BundlePlan::kNone) {
        r.layer_premium_yen[0] += c.base_premium_yen;
        ++r.layer_companies[0];
      }
      for (const ResolvedSelection& s : e.top_up) {
        r.layer_premium_yen[1 + static_cast<std::size_t>(s.section)] +=
            std::llround(c.charged_section_yen(s.section));
        ++r.layer_companies[1 + static_cast<std::size_t>(s.section)];
      }
      r.tier_premium_yen[static_cast<std::size_t>(e.tier)] +=
          c.base_premium_yen + c.top_up_premium_yen;
      r.plan_premium_yen[static_cast<std::size_t>(e.bundle_plan)] +=
          c.base_premium_yen + c.top_up_premium_yen;
    }
  }

  const LossBook& book_;
  const RatingTables& t_;
  const SimulationOptions& o_;
  std::size_t layers_ = 0, tiers_ = 0, years_ = 0;
  std::optional<detail::SeveritySampler> base_sampler_;
  std::vector<EventType> types_;
  std::vector<CompanySim> companies_;
  std::vector<std::uint64_t> keys_;
  long double total_caps_ = 0;
  std::vector<Terms> terms_;
  std::vector<CountTable> counts_;
  std::vector<PatternTable> patterns_;
  std::vector<Event> events_;
  std::vector<std::pair<std::size_t, std::size_t>> block_events_;
  std::vector<std::vector<Event>> by_provider_, by_market_;
  std::vector<std::int64_t> event_paid_;
  std::vector<std::int32_t> event_hits_;
};

// ---- statistics -----------------------------------------------------------------------------

double order_stat(const std::vector<double>& sorted, std::ptrdiff_t rank) {  // 1-based, clamped
  const auto n = static_cast<std::ptrdiff_t>(sorted.size());
  return sorted[static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(rank, 1, n) - 1)];
}

void tail(const std::vector<double>& sorted, double p, double& var, double& tvar, double& se_var,
          double& se_tvar) {
  const auto n = static_cast<double>(sorted.size());
  const auto k = static_cast<std::ptrdiff_t>(std::ceil(p * n - 1e-9));
  var = order_stat(sorted, k);
  double excess = 0, tail_sum = 0, tail_sq = 0, tail_n = 0;
  for (double v : sorted)
    if (v >= var) {
      excess += v - var;
      tail_sum += v;
      tail_sq += v * v;
      ++tail_n;
    }
  tvar = var + excess / ((1 - p) * n);
  const auto d = static_cast<std::ptrdiff_t>(std::ceil(std::sqrt(n * p * (1 - p))));
  se_var = (order_stat(sorted, k + d) - order_stat(sorted, k - d)) / 2;
  const double tail_mean = tail_n > 0 ? tail_sum / tail_n : var;
  const double tail_var =
      tail_n > 1 ? std::max(0.0, (tail_sq - tail_n * tail_mean * tail_mean) / (tail_n - 1)) : 0.0;
  se_tvar = std::sqrt((tail_var + p * (tvar - var) * (tvar - var)) / ((1 - p) * n));
}

std::vector<double> series(const std::vector<std::int64_t>& values,
                           const std::vector<std::int64_t>* extra, std::size_t stride,
                           const std::vector<std::size_t>& columns, std::size_t years) {
  std::vector<double> out(years, 0.0);
  for (std::size_t y = 0; y < years; ++y) {
    std::int64_t sum = 0;
    for (std::size_t c : columns) {
      sum += values[y * stride + c];
      if (extra) sum += (*extra)[y * stride + c];
    }
    out[y] = static_cast<double>(sum);
  }
  return out;
}

std::vector<CurvePoint> curve(std::vector<double> annual) {
  std::sort(annual.begin(), annual.end());
  std::vector<CurvePoint> out;
  const auto n = static_cast<double>(annual.size());
  for (double period : {2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0}) {
    if (period > n) break;
    const auto k = static_cast<std::ptrdiff_t>(std::ceil((1 - 1 / period) * n - 1e-9));
    out.push_back({period, order_stat(annual, k)});
  }
  return out;
}

}  // namespace

// ---- public ---------------------------------------------------------------------------------

SimulationTotals simulate(const LossBook& book, const SimulationOptions& options) {
  if (options.years < 1)
    throw Error(ErrorCode::kBelowMinimum, "years", "must be at least 1",
                std::to_string(options.years));
  if (options.years > kMaxYears)
    throw Error(ErrorCode::kAboveMaximum, "years",
                "must be at most 10000000 (about 250 bytes of results a year)",
                std::to_string(options.years));
  detail::check_thread_count(options.threads);
  Simulator s(book, options);
  return s.run();
}

// The checks first, then the sums into a copy: on any error this part is left as it was.
void SimulationTotals::merge(const SimulationTotals& o) {
  auto mismatch = [](const char* field, const std::string& detail) {
    throw Error(ErrorCode::kBadOption, field, "parts of one simulation must agree: " + detail);
  };
  if (o.years != years) mismatch("years", std::to_string(o.years) + " vs " + std::to_string(years));
  if (o.seed != seed) mismatch("seed", std::to_string(o.seed) + " vs " + std::to_string(seed));
  if (o.sha256 != sha256)
    mismatch("edition", o.edition + " (" + o.sha256.substr(0, 12) + ") vs " + edition + " (" +
                            sha256.substr(0, 12) + ")");
  if (o.layers != layers || o.tiers != tiers || o.plans != plans)
    mismatch("layers", "different layers or tiers");
  std::vector<std::uint64_t> keys;
  keys.reserve(company_keys.size() + o.company_keys.size());
  std::merge(company_keys.begin(), company_keys.end(), o.company_keys.begin(), o.company_keys.end(),
             std::back_inserter(keys));
  for (std::size_t i = 1; i < keys.size(); ++i)
    if (keys[i] == keys[i - 1])
      throw Error(ErrorCode::kBadOption, "company_keys",
                  "the parts share a company (each must hold its own companies)",
                  std::to_string(keys[i]));
  SimulationTotals r = *this;
  r.company_keys = std::move(keys);
  r.companies += o.companies;
  auto add = [](std::vector<std::int64_t>& to, const std::vector<std::int64_t>& from) {
    for (std::size_t i = 0; i < to.size(); ++i)
      if (__builtin_add_overflow(to[i], from[i], &to[i]))
        throw Error(ErrorCode::kAboveMaximum, "merge", "the merged yearly sums would not fit 64 bits");
  };
  add(r.layer_loss_yen, o.layer_loss_yen);
  add(r.tier_loss_yen, o.tier_loss_yen);
  add(r.plan_loss_yen, o.plan_loss_yen);
  add(r.layer_systemic_yen, o.layer_systemic_yen);
  add(r.tier_systemic_yen, o.tier_systemic_yen);
  add(r.plan_systemic_yen, o.plan_systemic_yen);
  add(r.layer_premium_yen, o.layer_premium_yen);
  add(r.tier_premium_yen, o.tier_premium_yen);
  add(r.plan_premium_yen, o.plan_premium_yen);
  add(r.layer_companies, o.layer_companies);
  for (std::size_t y = 0; y < r.max_incident_yen.size(); ++y)
    r.max_incident_yen[y] = std::max(r.max_incident_yen[y], o.max_incident_yen[y]);
  // events: union by key, payments added
  SimulationTotals merged;
  std::size_t i = 0, j = 0;
  while (i < event_key.size() || j < o.event_key.size()) {
    const bool take_mine =
        j >= o.event_key.size() || (i < event_key.size() && event_key[i] <= o.event_key[j]);
    const bool both =
        i < event_key.size() && j < o.event_key.size() && event_key[i] == o.event_key[j];
    const SimulationTotals& from = take_mine ? *this : o;
    const std::size_t at = take_mine ? i : j;
    merged.event_key.push_back(from.event_key[at]);
    merged.event_year.push_back(from.event_year[at]);
    merged.event_type.push_back(from.event_type[at]);
    merged.event_paid_yen.push_back(from.event_paid_yen[at] + (both ? o.event_paid_yen[j] : 0));
    if (take_mine) ++i;
    if (!take_mine || both) ++j;
  }
  r.event_key = std::move(merged.event_key);
  r.event_year = std::move(merged.event_year);
  r.event_type = std::move(merged.event_type);
  r.event_paid_yen = std::move(merged.event_paid_yen);
  *this = std::move(r);
}

TailStats tail_stats(std::vector<double> annual) {
  TailStats s;
  if (annual.empty()) return s;
  const auto n = static_cast<double>(annual.size());
  double sum = 0;
  for (double v : annual) sum += v;
  s.mean = sum / n;
  double sq = 0;
  for (double v : annual) sq += (v - s.mean) * (v - s.mean);
  s.sd = annual.size() > 1 ? std::sqrt(sq / (n - 1)) : 0.0;
  s.se_mean = s.sd / std::sqrt(n);
  std::sort(annual.begin(), annual.end());
  tail(annual, 0.99, s.var_99, s.tvar_99, s.se_var_99, s.se_tvar_99);
  tail(annual, 0.995, s.var_99_5, s.tvar_99_5, s.se_var_99_5, s.se_tvar_99_5);
  return s;
}

std::vector<double> annual_layer(const SimulationTotals& r, std::size_t layer, bool systemic) {
  return series(r.layer_loss_yen, systemic ? &r.layer_systemic_yen : nullptr, r.layers.size(),
                {layer}, static_cast<std::size_t>(r.years));
}

std::vector<double> annual_total(const SimulationTotals& r, bool systemic) {
  std::vector<std::size_t> all;
  for (std::size_t l = 0; l < r.layers.size(); ++l) all.push_back(l);
  return series(r.layer_loss_yen, systemic ? &r.layer_systemic_yen : nullptr, r.layers.size(), all,
                static_cast<std::size_t>(r.years));
}

std::vector<double> annual_max_occurrence(const SimulationTotals& r, bool systemic) {
  std::vector<double> out(static_cast<std::size_t>(r.years));
  for (std::size_t y = 0; y < out.size(); ++y) out[y] = static_cast<double>(r.max_incident_yen[y]);
  if (systemic)
    for (std::size_t e = 0; e < r.event_key.size(); ++e) {
      const auto y = static_cast<std::size_t>(r.event_year[e]);
      out[y] = std::max(out[y], static_cast<double>(r.event_paid_yen[e]));
    }
  return out;
}

SimulationSummary summarize(const SimulationTotals& r) {
  SimulationSummary s;
  s.years = r.years;
  s.seed = r.seed;
  s.companies = r.companies;
  const auto years = static_cast<std::size_t>(r.years);
  const auto n = static_cast<double>(years);
  std::vector<std::size_t> all, top_up;
  for (std::size_t l = 0; l < r.layers.size(); ++l) {
    all.push_back(l);
    if (l > 0) top_up.push_back(l);
  }
  for (bool systemic : {false, true}) {
    auto add = [&](const std::string& name, const std::vector<std::size_t>& columns) {
      SeriesSummary ss;
      ss.name = name;
      ss.systemic = systemic;
      std::vector<double> annual =
          series(r.layer_loss_yen, systemic ? &r.layer_systemic_yen : nullptr, r.layers.size(),
                 columns, years);
      std::int64_t premium = 0;
      for (std::size_t c : columns) premium += r.layer_premium_yen[c];
      ss.premium_yen = static_cast<double>(premium);
      if (premium > 0) {
        double above = 0;
        for (double v : annual) above += v > ss.premium_yen;
        ss.probability_loss_exceeds_premium = above / n;
        ss.se_probability = std::sqrt(ss.probability_loss_exceeds_premium *
                                      (1 - ss.probability_loss_exceeds_premium) / n);
      }
      ss.stats = tail_stats(std::move(annual));
      s.series.push_back(std::move(ss));
    };
    add("total", all);
    for (std::size_t l = 0; l < r.layers.size(); ++l) add(r.layers[l], {l});
    add("top_up", top_up);
  }
  s.aep = curve(annual_total(r, false));
  s.aep_systemic = curve(annual_total(r, true));
  s.oep = curve(annual_max_occurrence(r, false));
  s.oep_systemic = curve(annual_max_occurrence(r, true));
  auto ratios = [&](const std::vector<std::string>& names, const std::vector<std::int64_t>& loss,
                    const std::vector<std::int64_t>& extra,
                    const std::vector<std::int64_t>& premium, std::vector<LossRatioSummary>& out) {
    const std::size_t groups = names.size();
    for (bool systemic : {false, true})
      for (std::size_t g = 0; g < groups; ++g) {
        if (premium[g] <= 0) continue;
        LossRatioSummary lr;
        lr.group = names[g];
        lr.systemic = systemic;
        lr.premium_yen = static_cast<double>(premium[g]);
        std::vector<double> values(years);
        for (std::size_t y = 0; y < years; ++y)
          values[y] =
              static_cast<double>(loss[y * groups + g] + (systemic ? extra[y * groups + g] : 0)) /
              lr.premium_yen;
        const TailStats t = tail_stats(values);
        lr.mean = t.mean;
        lr.sd = t.sd;
        lr.se_mean = t.se_mean;
        std::sort(values.begin(), values.end());
        auto q = [&](double p) {
          return order_stat(values, static_cast<std::ptrdiff_t>(std::ceil(p * n - 1e-9)));
        };
        lr.p05 = q(0.05);
        lr.p50 = q(0.5);
        lr.p95 = q(0.95);
        lr.p99_5 = q(0.995);
        out.push_back(lr);
      }
  };
  ratios(r.tiers, r.tier_loss_yen, r.tier_systemic_yen, r.tier_premium_yen, s.by_tier);
  ratios(r.plans, r.plan_loss_yen, r.plan_systemic_yen, r.plan_premium_yen, s.by_plan);
  return s;
}

}  // namespace cybercover
