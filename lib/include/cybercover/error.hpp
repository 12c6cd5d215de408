#pragma once
// The one exception type of the library: every failure names what was wrong and where.

#include <stdexcept>
#include <string>

namespace cybercover {

// What kind of failure an Error is; stable, so callers can branch on it.
enum class ErrorKind {
  kInput,      // a request field is missing, of the wrong type, or out of range
  kTable,      // a rating table file is missing, malformed or inconsistent
  kNoEdition,  // no table edition is in force on the quote date
  kIo,         // a file could not be read
};

// Returns the stable name of a kind, e.g. "input".
const char* to_string(ErrorKind kind) noexcept;

// Thrown for every library failure. what() reads
//   "[cybercover.input] company.employees: must be an integer >= 1, got -3"
// Example:
//   try { engine.quote(request); }
//   catch (const cybercover::Error& e) { if (e.kind() == ErrorKind::kInput) ...; }
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string where, const std::string& detail);

  ErrorKind kind() const noexcept { return kind_; }
  // The field (input) or "file: key" (table) the error is about; may be empty.
  const std::string& where() const noexcept { return where_; }
  // The message without the kind prefix and location.
  const std::string& detail() const noexcept { return detail_; }

 private:
  ErrorKind kind_;
  std::string where_;
  std::string detail_;
};

// Throws an input error about `field`.
[[noreturn]] void throw_input_error(const std::string& field, const std::string& detail);

}  // namespace cybercover
