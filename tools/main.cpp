// cybercover: the command-line program. Library errors become exit code 2 with the message.

#include <fstream>
#include <optional>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cybercover/cybercover.hpp"
#include "contract_docs.hpp"
#include "dislocation.hpp"
#include "flags.hpp"
#include "loss_cli.hpp"
#include "output_file.hpp"
#include "price_csv.hpp"
#include "report.hpp"
#include "service/serve_command.hpp"
#include "summary.hpp"

#include <unistd.h>

namespace {

using cybercover::Error;
using cybercover::ErrorCode;

constexpr const char* kUsage = R"(usage:
  cybercover assess REQUEST.json [--json] [--lang ja|en] [--tables DIR] [--edition ID]
  cybercover quote  REQUEST.json [--json] [--lang ja|en] [--tables DIR] [--edition ID]
                    (assess, quote, loss, report: [--max-request-bytes N], default 1048576)
  cybercover price  IN.csv -o OUT.csv [--date YYYY-MM-DD] [--subsidy ID] [--threads N]
                    [--errors collect|raise] [--no-progress] [--tables DIR] [--edition ID]
  cybercover dislocation IN.csv --from ID --to ID -o OUT.csv [--summary SUMMARY.json]
                    [--no-renewal-cap] [--date YYYY-MM-DD] [--subsidy ID] [--threads N] [--tables DIR]
  cybercover loss   REQUEST.json [--json] [--tables DIR]
  cybercover simulate IN.csv --years N [--seed S] [--format json|csv] [-o OUT] [--threads N]
                    [--date YYYY-MM-DD] [--subsidy ID] [--errors raise|collect] [--no-progress]
                    [--tables DIR]
  cybercover report REQUEST.json -o REPORT.html [--pdf REPORT.pdf] [--lang ja|en] ...  (report --help)
  cybercover tables check DIR
  cybercover tables path
  cybercover contract [--json] [--date YYYY-MM-DD] [--tables DIR]
  cybercover errors
  cybercover serve  [--address HOST:PORT] [--tables DIR] [--threads N] ...   (serve --help)
contract: the request contract (every field: JSON path, CSV column, type, bounds, allowed
values), as Markdown or JSON; errors: every error code with its rule.
loss: the loss model's expected annual loss and indicated premium per layer for the
quoted company (docs/loss_model.md), beside what the quote charges.
simulate: a Monte Carlo of the book in IN.csv (the columns of price, plus an optional
provider column) over N years; writes a JSON (default) or CSV summary (docs/loss_model.md).
dislocation: the book of IN.csv priced under two editions with every date unchanged; OUT.csv
has each company's premium under both and the change; the summary (by tier, industry, size
band and plan) goes to standard output (--summary: also as JSON). The new edition's renewal
cap holds each top-up premium against the old one unless --no-renewal-cap.
--edition ID prices under that edition whatever the quote date (as-if pricing: dates, the
EDR learning period and the subsidy's dates still use the request's own quote date).
REQUEST.json and IN.csv may be - for standard input; -o - writes to standard output.
price: one company per CSV row (columns: see README "Portfolio CSV"); bad rows get their
error in the error column unless --errors raise. --tables defaults to $CYBERCOVER_TABLES, else
the tables installed with the library (tables path prints which directory that is).
Exit codes: 0 ok, 2 bad input or tables.
)";

struct Options {
  std::vector<std::string> positional;
  bool json = false;
  std::string output;
  std::optional<std::string> date, subsidy;
  std::optional<std::string> edition;  // --edition: as-if pricing under that edition
  std::optional<std::string> from, to, summary;  // dislocation
  bool renewal_cap = true;
  int threads = 0;
  std::size_t max_request_bytes = cybercover::JsonReadOptions::kDefaultMaxBytes;
  bool raise_on_error = false;
  bool collect_errors = false;  // simulate raises unless --errors collect
  bool progress = true;
  std::optional<int> years;
  std::uint64_t seed = 1;
  std::optional<std::string> format;
  cybercover::cli::Lang lang = cybercover::cli::Lang::kEn;
  std::optional<std::string> tables;  // --tables; else the default tables

  // Looked up only when needed: a missing default must not stop `tables check DIR`.
  std::string tables_dir() const { return tables ? *tables : cybercover::default_tables_dir(); }
};

using cybercover::cli::UsageError;
using cybercover::cli::whole_number_flag;

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
    } else if (arg == "-o" || arg == "--output") {
      o.output = value();
    } else if (arg == "--date") {
      o.date = value();
      if (!cybercover::Date::parse(*o.date)) throw UsageError("--date must be YYYY-MM-DD, got " + *o.date);
    } else if (arg == "--subsidy") {
      o.subsidy = value();
    } else if (arg == "--edition") {
      o.edition = value();
    } else if (arg == "--from") {
      o.from = value();
    } else if (arg == "--to") {
      o.to = value();
    } else if (arg == "--summary") {
      o.summary = value();
    } else if (arg == "--no-renewal-cap") {
      o.renewal_cap = false;
    } else if (arg == "--threads") {
      o.threads = static_cast<int>(whole_number_flag(arg, value(), 0, cybercover::kMaxThreads));
    } else if (arg == "--max-request-bytes") {
      o.max_request_bytes = static_cast<std::size_t>(whole_number_flag(arg, value(), 1, std::int64_t{1} << 30));
    } else if (arg == "--errors") {
      const std::string e = value();
      if (e != "collect" && e != "raise") throw UsageError("--errors must be collect or raise, got " + e);
      o.raise_on_error = e == "raise";
      o.collect_errors = e == "collect";
    } else if (arg == "--years") {
      o.years = static_cast<int>(whole_number_flag(arg, value(), 1, 10'000'000));
    } else if (arg == "--seed") {
      o.seed = static_cast<std::uint64_t>(whole_number_flag(arg, value(), 0, INT64_MAX));
    } else if (arg == "--format") {
      o.format = value();
      if (*o.format != "json" && *o.format != "csv") throw UsageError("--format must be json or csv, got " + *o.format);
    } else if (arg == "--no-progress") {
      o.progress = false;
    } else if (arg.size() > 1 && arg[0] == '-' && arg != "-") {
      throw UsageError("unknown option " + arg);
    } else {
      o.positional.push_back(arg);
    }
  }
  return o;
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
  if (command == "report") return cybercover::cli::run_report(argc, argv);
  if (command == "serve") return cybercover::service::run_serve(argc, argv);
  Options o = parse_options(argc, argv);
  if (command == "tables" && o.positional.size() == 1 && o.positional[0] == "path") {
    std::cout << o.tables_dir() << "\n";
    return 0;
  }
  if (command == "tables") {
    if (o.positional.size() != 2 || o.positional[0] != "check") throw UsageError("expected: tables check DIR, or tables path");
    const auto library = cybercover::TableLibrary::load(o.positional[1]);
    for (const auto& e : library.editions())
      std::cout << "ok  edition " << e->edition << "  " << e->in_force.from.to_string() << " to "
                << (e->in_force.to ? e->in_force.to->to_string() : "open") << "  sha256 " << e->sha256
                << "  (" << e->questionnaire.items.size() << " items, " << e->questionnaire.domains.size()
                << " domains)\n";
    return 0;
  }
  if (command == "errors") {
    cybercover::cli::print_error_codes_markdown(std::cout);
    return 0;
  }
  if (command == "contract") {
    const auto library = cybercover::TableLibrary::load(o.tables_dir());
    const auto& t = o.date ? library.for_date(*cybercover::Date::parse(*o.date)) : *library.editions().back();
    if (o.json) cybercover::cli::print_contract_json(std::cout, t);
    else cybercover::cli::print_contract_markdown(std::cout, t);
    return 0;
  }
  if (command == "price") {
    if (o.output.empty()) throw UsageError("price needs -o OUT.csv (or -o - for standard output)");
    cybercover::cli::PriceCsvOptions p;
    p.input = one_positional(o, "IN.csv");
    p.output = o.output;
    if (o.date) p.csv.quote_date = cybercover::Date::parse(*o.date);
    p.csv.subsidy_program = o.subsidy;
    p.csv.edition = o.edition;
    p.csv.threads = o.threads;
    p.csv.on_error = o.raise_on_error ? cybercover::OnError::kRaise : cybercover::OnError::kCollect;
    p.progress = o.progress && ::isatty(STDERR_FILENO) && o.output != "-";
    const cybercover::Engine engine(cybercover::TableLibrary::load(o.tables_dir()));
    const auto summary = cybercover::cli::price_csv_file(engine, p);
    std::cerr << "cybercover: priced " << summary.rows - summary.errors << " of " << summary.rows << " rows";
    if (summary.errors) std::cerr << "; " << summary.errors << " rows have an error (see the error column)";
    std::cerr << "\n";
    return 0;
  }
  if (command == "dislocation") {
    if (!o.from || !o.to) throw UsageError("dislocation needs --from EDITION and --to EDITION");
    if (o.output.empty()) throw UsageError("dislocation needs -o OUT.csv (or -o - for standard output)");
    if (o.summary && *o.summary == o.output) throw UsageError("--summary must be another file than -o");
    cybercover::cli::DislocationCliOptions d;
    d.input = one_positional(o, "IN.csv");
    d.output = o.output;
    d.summary_json = o.summary;
    d.dislocation.from_edition = *o.from;
    d.dislocation.to_edition = *o.to;
    d.dislocation.renewal_cap = o.renewal_cap;
    d.dislocation.threads = o.threads;
    if (o.date) d.csv.quote_date = cybercover::Date::parse(*o.date);
    d.csv.subsidy_program = o.subsidy;
    d.progress = o.progress && ::isatty(STDERR_FILENO) && o.output != "-";
    const cybercover::Engine engine(cybercover::TableLibrary::load(o.tables_dir()));
    const auto summary = cybercover::cli::dislocation_csv_file(engine, d);
    cybercover::cli::print_dislocation_summary(o.output == "-" ? std::cerr : std::cout, summary, d.dislocation);
    return 0;
  }
  if (command == "simulate") {
    if (!o.years) throw UsageError("simulate needs --years N");
    cybercover::cli::SimulateCsvOptions so;
    so.input = one_positional(o, "IN.csv");
    so.output = o.output.empty() ? "-" : o.output;
    so.csv = o.format ? *o.format == "csv" : so.output.size() > 4 && so.output.substr(so.output.size() - 4) == ".csv";
    so.years = *o.years;
    so.seed = o.seed;
    so.threads = o.threads;
    so.quote_date = o.date;
    so.subsidy_program = o.subsidy;
    so.raise_on_error = !o.collect_errors;
    so.progress = o.progress && ::isatty(STDERR_FILENO);
    const cybercover::Engine engine(cybercover::TableLibrary::load(o.tables_dir()));
    const auto summary = cybercover::cli::simulate_csv(engine, so);
    std::cerr << "cybercover: simulated " << summary.rows - summary.skipped << " of " << summary.rows << " companies for "
              << *o.years << " years";
    if (summary.skipped) std::cerr << "; " << summary.skipped << " rows skipped (listed in the summary)";
    std::cerr << "\n";
    return 0;
  }
  if (command != "assess" && command != "quote" && command != "loss") throw UsageError("unknown command " + command);
  const std::string text = cybercover::cli::read_request_file(one_positional(o, "REQUEST.json"), o.max_request_bytes);
  const cybercover::Engine engine(cybercover::TableLibrary::load(o.tables_dir()));
  cybercover::JsonReadOptions read;
  read.max_bytes = o.max_request_bytes;
  cybercover::QuoteOptions as_if;
  as_if.edition = o.edition;
  if (command == "assess") {
    const auto result = engine.assess(cybercover::parse_assessment_request_text(text, engine.library(), read, as_if), as_if);
    if (o.json)
      std::cout << cybercover::to_json(result).dump(2) << "\n";
    else
      cybercover::cli::print_assessment(std::cout, result.assessment, *result.tables, o.lang, 10);
    return 0;
  }
  const auto request = cybercover::parse_quote_request_text(text, engine.library(), read, as_if);
  const auto quote = engine.quote(request, as_if);
  if (command == "loss") {
    cybercover::cli::print_quote_losses(std::cout, request, quote, o.json);
    return 0;
  }
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
