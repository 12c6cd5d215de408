// `cybercover report`: writes the feedback report (HTML, and PDF through headless Chromium's
// print to PDF) or the remediation plan (JSON). Outputs are written beside their targets as
// temporary files (OutputFile) and renamed into place only once everything has succeeded, so a
// failed run leaves the user's files as they were; an output may never be the input.

#include "report.hpp"

#include "flags.hpp"
#include "output_file.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cybercover/cybercover.hpp"
#include "cybercover/remediation/remediation.hpp"
#include "cybercover/report/report.hpp"

extern char** environ;

namespace cybercover::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kReportUsage = R"(usage:
  cybercover report REQUEST.json -o REPORT.html [--pdf REPORT.pdf] [--lang ja|en]
                    [--company NAME] [--max-measures N] [--chromium PATH] [--tables DIR]
                    [--max-request-bytes N]
  cybercover report REQUEST.json --pdf REPORT.pdf [...]
  cybercover report REQUEST.json --json [-o PLAN.json] [--tables DIR]
The report is one self-contained HTML page for the company (default --lang ja). --pdf prints it
to an A4 PDF with headless Chromium (Debian package chromium; --chromium or $CYBERCOVER_CHROMIUM
names another binary). --json writes the remediation plan instead. REQUEST.json may be - for
standard input; -o - writes to standard output. Files are replaced only when complete.
)";

constexpr auto kChromiumTimeout = std::chrono::seconds(120);

using cli::UsageError;

struct ReportArgs {
  std::string input;
  std::string html_out, pdf_out;
  bool json = false;
  ReportOptions options;
  std::string tables = default_tables_dir();
  std::string chromium;
  std::size_t max_request_bytes = JsonReadOptions::kDefaultMaxBytes;
};

ReportArgs parse_args(int argc, char** argv) {
  ReportArgs a;
  const char* env_chromium = std::getenv("CYBERCOVER_CHROMIUM");
  a.chromium = env_chromium && *env_chromium ? env_chromium : "chromium";
  std::vector<std::string> positional;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-o" || arg == "--output") {
      a.html_out = value();
    } else if (arg == "--pdf") {
      a.pdf_out = value();
    } else if (arg == "--json") {
      a.json = true;
    } else if (arg == "--lang") {
      const std::string lang = value();
      const auto parsed = parse_report_language(lang);
      if (!parsed) throw UsageError("--lang must be ja or en, got " + lang);
      a.options.language = *parsed;
    } else if (arg == "--company") {
      a.options.company_name = value();
    } else if (arg == "--max-measures") {
      a.options.max_measures = static_cast<int>(whole_number_flag(arg, value(), 0, 200));
    } else if (arg == "--max-request-bytes") {
      a.max_request_bytes = static_cast<std::size_t>(whole_number_flag(arg, value(), 1, std::int64_t{1} << 30));
    } else if (arg == "--chromium") {
      a.chromium = value();
    } else if (arg == "--tables") {
      a.tables = value();
    } else if (arg == "-h" || arg == "--help") {
      throw UsageError("");
    } else if (arg.size() > 1 && arg[0] == '-') {
      throw UsageError("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 1) throw UsageError("expected one REQUEST.json");
  a.input = positional[0];
  if (a.json && !a.pdf_out.empty()) throw UsageError("--json writes the plan; it cannot be combined with --pdf");
  if (!a.json && a.html_out.empty() && a.pdf_out.empty()) throw UsageError("report needs -o REPORT.html and/or --pdf REPORT.pdf");
  if (a.pdf_out == "-") throw UsageError("--pdf needs a file name (a PDF is not written to standard output)");
  return a;
}

// Whether two names denote one file: the same inode when both exist, else the same path.
bool same_file(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty() || a == "-" || b == "-") return false;
  std::error_code ec1, ec2;
  if (fs::exists(a, ec1) && fs::exists(b, ec2)) {
    std::error_code ec;
    const bool eq = fs::equivalent(a, b, ec);
    if (!ec) return eq;
  }
  return fs::absolute(a).lexically_normal() == fs::absolute(b).lexically_normal();
}

std::string errno_text() { return std::strerror(errno); }

// A fresh private directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string name = std::string(tmp && *tmp ? tmp : "/tmp") + "/cybercover-report-XXXXXX";
    std::vector<char> buf(name.begin(), name.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) throw Error(ErrorCode::kIoCannotWrite, name, "cannot create a temporary directory: " + errno_text());
    path_ = buf.data();
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string file_url(const std::string& absolute_path) {
  static const char* const kHex = "0123456789ABCDEF";
  std::string url = "file://";
  for (unsigned char c : absolute_path) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      url += static_cast<char>(c);
    } else {
      url += '%';
      url += kHex[c >> 4];
      url += kHex[c & 15];
    }
  }
  return url;
}

std::string tail_of(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

// Prints `html` to an A4 PDF with headless Chromium; returns the PDF's bytes. Chromium gets a
// fresh profile and every background service off, so it never reaches for the network.
std::string print_pdf(const std::string& chromium, const std::string& html, const std::string& target) {
  const TempDir work;
  const std::string page = work.path() + "/report.html", pdf = work.path() + "/report.pdf",
                    profile = work.path() + "/profile", log = work.path() + "/chromium.log";
  {
    std::ofstream out(page, std::ios::binary);
    out << html;
    if (!out) throw Error(ErrorCode::kIoCannotWrite, page, "write failed");
  }
  if (::mkdir(profile.c_str(), 0700) != 0) throw Error(ErrorCode::kIoCannotWrite, profile, "cannot create: " + errno_text());
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-extensions",
                                   "--disable-default-apps",
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   "--user-data-dir=" + profile,
                                   "--no-pdf-header-footer",
                                   "--print-to-pdf=" + pdf,
                                   file_url(page)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout stops all its processes
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, chromium.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0)
    throw Error(ErrorCode::kIoCannotWrite, target,
                "cannot start headless Chromium (" + chromium + "): " + std::strerror(spawned) +
                    "; install the Debian package chromium or name the binary with --chromium");

  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + kChromiumTimeout;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) throw Error(ErrorCode::kIoCannotWrite, target, "lost headless Chromium: " + errno_text());
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      throw Error(ErrorCode::kIoCannotWrite, target, "headless Chromium did not finish within 120 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);  // helpers it may have left behind in its group
  std::ifstream in(pdf, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || bytes.compare(0, 5, "%PDF-") != 0)
    throw Error(ErrorCode::kIoCannotWrite, target,
                "headless Chromium did not print the PDF (" +
                    (WIFEXITED(status) ? "exit code " + std::to_string(WEXITSTATUS(status)) : std::string("killed by a signal")) +
                    "): " + tail_of(log, 600));
  return bytes;
}

int run(int argc, char** argv) {
  const ReportArgs a = parse_args(argc, argv);
  if (same_file(a.html_out, a.pdf_out)) throw Error(ErrorCode::kIoSameFile, a.pdf_out, "is also the -o output; choose another name");
  if (a.input != "-") require_readable_file(a.input);
  // The temporary files beside the targets exist from here on (so a wrong name fails before
  // the work) and replace the targets only after everything has succeeded.
  std::optional<OutputFile> html_file, pdf_file;
  if (!a.html_out.empty() && a.html_out != "-") html_file.emplace(a.html_out, std::vector<std::string>{a.input});
  if (!a.pdf_out.empty()) pdf_file.emplace(a.pdf_out, std::vector<std::string>{a.input});
  if (!a.json) validate_report_options(a.options);

  const std::string text = read_request_file(a.input, a.max_request_bytes);
  const Engine engine(TableLibrary::load(a.tables));
  JsonReadOptions read;
  read.max_bytes = a.max_request_bytes;
  const QuoteRequest request = parse_quote_request_text(text, engine.library(), read);
  std::string document;
  if (a.json) {
    write_json(plan_remediation(engine, request), document);
    document += "\n";
  } else {
    document = report_html(engine, request, a.options);
  }
  if (pdf_file) pdf_file->stream() << print_pdf(a.chromium, document, a.pdf_out);
  if (html_file) html_file->stream() << document;
  if (html_file) html_file->commit();
  if (pdf_file) pdf_file->commit();
  if (a.html_out == "-" || (a.json && a.html_out.empty())) {
    std::cout << document;
    std::cout.flush();
    if (!std::cout) throw Error(ErrorCode::kIoCannotWrite, "-", "write to standard output failed");
  }
  return 0;
}

}  // namespace

int run_report(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    if (!*e.what()) {  // --help
      std::cout << kReportUsage;
      return 0;
    }
    std::cerr << "cybercover report: " << e.what() << "\n" << kReportUsage;
    return 2;
  }
}

}  // namespace cybercover::cli
