#pragma once
// Runs work(t) for t = 0..workers-1, on threads when there is more than one; the batch and
// the loss simulation split their rows this way and merge per-worker results in order.

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <string>
#include <vector>

#include "cybercover/batch/portfolio.hpp"  // kMaxThreads
#include "cybercover/error.hpp"

namespace cybercover::detail {

// Throws input.bad_option unless 0 <= requested <= kMaxThreads (0 = all hardware threads).
inline void check_thread_count(int requested) {
  if (requested < 0 || requested > kMaxThreads)
    throw Error(ErrorCode::kBadOption, "threads", "must be from 0 (all hardware threads) to " + std::to_string(kMaxThreads),
                std::to_string(requested));
}

// Returns how many workers to use: `requested` (0 = all hardware threads), at most one per
// `min_items_per_worker` items, at least one.
inline std::size_t worker_count(int requested, std::size_t items, std::size_t min_items_per_worker) {
  const std::size_t wanted = requested > 0 ? static_cast<std::size_t>(requested)
                                           : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t useful = (items + min_items_per_worker - 1) / min_items_per_worker;
  return std::max<std::size_t>(1, std::min(wanted, useful));
}

// An exception in a worker (std::bad_alloc as much as cybercover::Error) reaches the caller:
// every started thread is joined first, then the lowest-numbered worker's exception is
// rethrown. A thread that cannot be started runs its work on the calling thread instead.
template <typename Work>
void run_workers(std::size_t workers, Work&& work) {
  if (workers <= 1) {
    work(std::size_t{0});
    return;
  }
  std::vector<std::exception_ptr> failures(workers);
  auto guarded = [&](std::size_t t) noexcept {
    try {
      work(t);
    } catch (...) {
      failures[t] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers);
  for (std::size_t t = 0; t < workers; ++t) {
    try {
      pool.emplace_back(guarded, t);
    } catch (...) {  // std::system_error: no more threads
      guarded(t);
    }
  }
  for (auto& thread : pool) thread.join();
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

}  // namespace cybercover::detail
