#include "price_csv.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cybercover/error.hpp"
#include "output_file.hpp"

namespace cybercover::cli {

namespace {

class Progress {
 public:
  Progress(bool on, std::uintmax_t total) : on_(on), total_(total) {}
  void update(std::uintmax_t done, std::size_t rows) const {
    if (!on_) return;
    const int width = 40;
    const double share = total_ ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 0.0;
    const int filled = static_cast<int>(share * width);
    std::fprintf(stderr, "\r[%s%s] %3d%%  %zu rows", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), static_cast<int>(share * 100), rows);
    std::fflush(stderr);
  }
  void finish() const {
    if (on_) std::fprintf(stderr, "\n");
  }

 private:
  bool on_;
  std::uintmax_t total_;
};

}  // namespace

CsvPriceSummary price_csv_file(const Engine& engine, const PriceCsvOptions& o) {
  std::ifstream file;
  std::istream* in = &std::cin;
  std::uintmax_t total_bytes = 0;
  if (o.input != "-") {
    require_readable_file(o.input);
    file.open(o.input, std::ios::binary);
    if (!file) throw Error(ErrorCode::kIoCannotRead, o.input, "cannot open file");
    in = &file;
    struct stat st {};
    if (::stat(o.input.c_str(), &st) == 0) total_bytes = static_cast<std::uintmax_t>(st.st_size);
  }
  const Progress progress(o.progress, total_bytes);
  CsvPriceOptions csv = o.csv;
  csv.progress = [&progress](std::uintmax_t bytes, std::size_t rows) { progress.update(bytes, rows); };
  if (o.output == "-") {
    const auto summary = price_csv(engine, *in, std::cout, csv);
    progress.finish();
    return summary;
  }
  OutputFile out(o.output, {o.input});
  const auto summary = price_csv(engine, *in, out.stream(), csv);
  out.commit();
  progress.finish();
  return summary;
}

}  // namespace cybercover::cli
