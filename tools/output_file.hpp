#pragma once
// Writes a command's output file safely: into a temporary file beside the target, renamed over
// it only when the command finished (an interrupted or failed run leaves the old file as it
// was), and never onto one of the command's own inputs (compared by file identity, so
// sub/../IN.csv and symlinks to IN.csv are caught too).

#include <cstddef>
#include <fstream>
#include <string>
#include <vector>

namespace cybercover::cli {

class OutputFile {
 public:
  // Throws io.same_file when `path` is one of `inputs`, io.cannot_write when the temporary
  // file cannot be created (a missing directory, no permission) or `path` is a directory.
  OutputFile(std::string path, const std::vector<std::string>& inputs);
  ~OutputFile();  // removes the temporary file unless commit() succeeded
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return out_; }
  // Flushes, syncs and renames the temporary file onto the target; throws io.cannot_write.
  void commit();

 private:
  std::string path_, temp_;
  std::ofstream out_;
  bool committed_ = false;
};

// Throws io.cannot_read unless `path` is a regular file that can be opened for reading.
void require_readable_file(const std::string& path);

// Reads a request file, or standard input for "-", refusing (input.too_large) one longer than
// `max_bytes` after reading at most max_bytes + 1 of it: 1 GiB on standard input costs 1 MiB.
std::string read_request_file(const std::string& path, std::size_t max_bytes);

}  // namespace cybercover::cli
