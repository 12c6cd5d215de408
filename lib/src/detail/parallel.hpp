#pragma once
// Runs work(t) for t = 0..workers-1, on threads when there is more than one; the batch and
// the loss simulation split their rows this way and merge per-worker results in order.

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace cybercover::detail {

// Returns how many workers to use: `requested` (0 = all hardware threads), at most one per
// `min_items_per_worker` items, at least one.
inline std::size_t worker_count(int requested, std::size_t items, std::size_t min_items_per_worker) {
  const std::size_t wanted = requested > 0 ? static_cast<std::size_t>(requested)
                                           : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t useful = (items + min_items_per_worker - 1) / min_items_per_worker;
  return std::max<std::size_t>(1, std::min(wanted, useful));
}

template <typename Work>
void run_workers(std::size_t workers, Work&& work) {
  if (workers <= 1) {
    work(std::size_t{0});
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (std::size_t t = 0; t < workers; ++t) pool.emplace_back(work, t);
  for (auto& thread : pool) thread.join();
}

}  // namespace cybercover::detail
