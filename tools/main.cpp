// cybercover: the command-line program. Library errors become exit code 2 with the message.

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cybercover/cybercover.hpp"
#include "summary.hpp"

namespace {

using cybercover::Error;
using cybercover::ErrorKind;

constexpr const char* kUsage = R"(usage:
  cybercover assess REQUEST.json [--json] [--lang ja|en] [--tables DIR]
  cybercover quote  REQUEST.json [--json] [--lang ja|en] [--tables DIR]
  cybercover tables check DIR
REQUEST.json may be - for standard input. --tables defaults to $CYBERCOVER_TABLES or the
tables the program was built with. Exit codes: 0 ok, 2 bad input or tables.
)";

struct Options {
  std::vector<std::string> positional;
  bool json = false;
  cybercover::cli::Lang lang = cybercover::cli::Lang::kEn;
  std::string tables = cybercover::default_tables_dir();
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--json") {
      o.json = true;
    } else if (arg == "--lang") {
      const std::string lang = value();
      if (lang != "ja" && lang != "en") throw UsageError("--lang must be ja or en, got " + lang);
      o.lang = lang == "ja" ? cybercover::cli::Lang::kJa : cybercover::cli::Lang::kEn;
    } else if (arg == "--tables") {
      o.tables = value();
    } else if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
      throw UsageError("unknown option " + arg);
    } else {
      o.positional.push_back(arg);
    }
  }
  return o;
}

std::string read_request(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kIo, path, "cannot open file");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string& one_positional(const Options& o, const char* what) {
  if (o.positional.size() != 1) throw UsageError(std::string("expected one ") + what);
  return o.positional[0];
}

int run(int argc, char** argv) {
  if (argc < 2) throw UsageError("missing command");
  const std::string command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "--version") {
    std::cout << "cybercover " << cybercover::engine_version() << "\n";
    return 0;
  }
  Options o = parse_options(argc, argv);
  if (command == "tables") {
    if (o.positional.size() != 2 || o.positional[0] != "check") throw UsageError("expected: tables check DIR");
    const auto library = cybercover::TableLibrary::load(o.positional[1]);
    for (const auto& e : library.editions())
      std::cout << "ok  edition " << e->edition << "  " << e->in_force.from.to_string() << " to "
                << (e->in_force.to ? e->in_force.to->to_string() : "open") << "  sha256 " << e->sha256
                << "  (" << e->questionnaire.items.size() << " items, " << e->questionnaire.domains.size()
                << " domains)\n";
    return 0;
  }
  if (command != "assess" && command != "quote") throw UsageError("unknown command " + command);
  const std::string text = read_request(one_positional(o, "REQUEST.json"));
  const cybercover::Engine engine(cybercover::TableLibrary::load(o.tables));
  if (command == "assess") {
    const auto result = engine.assess(cybercover::parse_assessment_request_text(text, engine.library()));
    if (o.json)
      std::cout << cybercover::to_json(result).dump(2) << "\n";
    else
      cybercover::cli::print_assessment(std::cout, result.assessment, *result.tables, o.lang, 10);
    return 0;
  }
  const auto quote = engine.quote(cybercover::parse_quote_request_text(text, engine.library()));
  if (o.json)
    std::cout << cybercover::to_json(quote).dump(2) << "\n";
  else
    cybercover::cli::print_quote(std::cout, quote, o.lang);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << "cybercover: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const Error& e) {
    std::cerr << "cybercover: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "cybercover: internal error: " << e.what() << "\n";
    return 1;
  }
}
