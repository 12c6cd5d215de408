#include "cybercover/error.hpp"

namespace cybercover {

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::kInput: return "input";
    case ErrorKind::kTable: return "table";
    case ErrorKind::kNoEdition: return "no_edition";
    case ErrorKind::kIo: return "io";
  }
  return "unknown";
}

namespace {
std::string format_message(ErrorKind kind, const std::string& where, const std::string& detail) {
  std::string m = std::string("[cybercover.") + to_string(kind) + "] ";
  if (!where.empty()) m += where + ": ";
  return m + detail;
}
}  // namespace

Error::Error(ErrorKind kind, std::string where, const std::string& detail)
    : std::runtime_error(format_message(kind, where, detail)),
      kind_(kind),
      where_(std::move(where)),
      detail_(detail) {}

void throw_input_error(const std::string& field, const std::string& detail) {
  throw Error(ErrorKind::kInput, field, detail);
}

}  // namespace cybercover
