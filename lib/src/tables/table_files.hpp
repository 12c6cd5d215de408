#pragma once
// Reading edition directories from disk. Every filesystem failure (a symlink loop, an
// unreadable directory, a file that vanishes, a table file larger than the limit) becomes an
// io.* or table.* error naming the path, never an internal error.

#include <cstddef>
#include <string>
#include <vector>

namespace cybercover::detail {

// No table file of a sane edition comes near this; larger files are refused before reading.
inline constexpr std::size_t kMaxTableFileBytes = std::size_t{64} << 20;  // 64 MiB

struct DirectoryEntry {
  std::string path;  // dir/name
  std::string name;
  bool is_directory = false;
  bool is_regular_file = false;  // after following symlinks
};

// Throws io.not_a_directory when `dir` is not a directory, io.cannot_read when it cannot be
// listed (permissions, a symlink loop), with the system's reason. Entries sorted by name.
std::vector<DirectoryEntry> list_directory(const std::string& dir);

// Throws io.cannot_read (with the system's reason) or table.too_large.
std::string read_table_file(const std::string& path);

}  // namespace cybercover::detail
