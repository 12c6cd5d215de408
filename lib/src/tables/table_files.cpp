#include "tables/table_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "cybercover/error.hpp"

namespace cybercover::detail {

namespace fs = std::filesystem;

std::vector<DirectoryEntry> list_directory(const std::string& dir) {
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw Error(ErrorCode::kIoCannotRead, dir, "cannot read the directory: " + ec.message());
  if (!fs::is_directory(status)) throw Error(ErrorCode::kIoNotADirectory, dir, fs::exists(status) ? "not a directory" : "no such directory");
  std::vector<DirectoryEntry> out;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    DirectoryEntry e;
    e.path = it->path().string();
    e.name = it->path().filename().string();
    std::error_code entry_ec;
    const fs::file_status s = fs::status(it->path(), entry_ec);  // follows symlinks
    if (entry_ec && entry_ec != std::errc::no_such_file_or_directory)
      throw Error(ErrorCode::kIoCannotRead, e.path, "cannot read: " + entry_ec.message());
    e.is_directory = fs::is_directory(s);
    e.is_regular_file = fs::is_regular_file(s);
    out.push_back(std::move(e));
  }
  if (ec) throw Error(ErrorCode::kIoCannotRead, dir, "cannot list the directory: " + ec.message());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::string read_table_file(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw Error(ErrorCode::kIoCannotRead, path, "cannot read the file: " + ec.message());
  if (size > kMaxTableFileBytes)
    throw Error(ErrorCode::kTableTooLarge, path,
                "is " + std::to_string(size) + " bytes; a table file may have at most " + std::to_string(kMaxTableFileBytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIoCannotRead, path, std::string("cannot open the file: ") + std::strerror(errno));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  // A file that changed size while read is refused rather than half-read.
  if (static_cast<std::size_t>(in.gcount()) != bytes.size() || in.peek() != std::char_traits<char>::eof())
    throw Error(ErrorCode::kIoCannotRead, path, "the file changed while it was read");
  return bytes;
}

}  // namespace cybercover::detail
