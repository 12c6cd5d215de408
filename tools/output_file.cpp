#include "output_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cybercover/error.hpp"

namespace cybercover::cli {

namespace {

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void require_readable_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw Error(ErrorCode::kIoCannotRead, path, std::string("cannot open file: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw Error(ErrorCode::kIoCannotRead, path, "is a directory, not a file");
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
    throw Error(ErrorCode::kIoCannotRead, path, "is not a regular file");
  if (::access(path.c_str(), R_OK) != 0)
    throw Error(ErrorCode::kIoCannotRead, path, std::string("cannot open file: ") + std::strerror(errno));
}

std::string read_request_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    require_readable_file(path);
    file.open(path, std::ios::binary);
    if (!file) throw Error(ErrorCode::kIoCannotRead, path, std::string("cannot open file: ") + std::strerror(errno));
    in = &file;
  }
  std::string text;
  char chunk[65536];
  while (text.size() <= max_bytes && in->read(chunk, sizeof chunk).gcount() > 0)
    text.append(chunk, static_cast<std::size_t>(in->gcount()));
  if (in->bad()) throw Error(ErrorCode::kIoCannotRead, path == "-" ? "standard input" : path, "read failed");
  if (text.size() > max_bytes)
    throw Error(ErrorCode::kRequestTooLarge, path == "-" ? "standard input" : path,
                "is longer than the limit of " + std::to_string(max_bytes) + " bytes (--max-request-bytes)");
  return text;
}

OutputFile::OutputFile(std::string path, const std::vector<std::string>& inputs) : path_(std::move(path)) {
  struct stat target {};
  if (::stat(path_.c_str(), &target) == 0) {
    if (S_ISDIR(target.st_mode)) throw Error(ErrorCode::kIoCannotWrite, path_, "is a directory");
    for (const std::string& input : inputs) {
      struct stat in {};
      if (input != "-" && ::stat(input.c_str(), &in) == 0 && same_file(in, target))
        throw Error(ErrorCode::kIoSameFile, path_, "is the input file " + input + "; write the output to another file");
    }
  }
  std::string pattern = directory_of(path_) + "/.cybercover-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0)
    throw Error(ErrorCode::kIoCannotWrite, path_, std::string("cannot create a file beside it: ") + std::strerror(errno));
  ::close(fd);
  temp_ = buf.data();
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    std::remove(temp_.c_str());
    throw Error(ErrorCode::kIoCannotWrite, path_, "cannot open a temporary file beside it");
  }
}

OutputFile::~OutputFile() {
  if (!committed_) {
    out_.close();
    std::remove(temp_.c_str());
  }
}

void OutputFile::commit() {
  out_.flush();
  out_.close();
  if (!out_) throw Error(ErrorCode::kIoCannotWrite, path_, "write failed (disk full?)");
  // Keep the usual permissions of a new file (mkstemp creates it 0600).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::chmod(temp_.c_str(), 0666 & ~mask);
  const int fd = ::open(temp_.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    throw Error(ErrorCode::kIoCannotWrite, path_, std::string("cannot replace the file: ") + std::strerror(errno));
  committed_ = true;
}

}  // namespace cybercover::cli
