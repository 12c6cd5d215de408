#include "cybercover/io/csv_portfolio.hpp"

#include <algorithm>
#include <functional>
#include <istream>
#include <ostream>
#include <streambuf>
#include <string_view>

#include "batch/portfolio_builder.hpp"
#include "cybercover/error.hpp"
#include "cybercover/underwriting/underwriting.hpp"

namespace cybercover {

namespace {

using detail::PortfolioBuilder;

// A strict RFC 4180 record reader. A record that cannot be split (an unbalanced or stray
// quote, a bare CR, more than max_record_bytes) is reported as bad with the line it started
// on; reading then resumes on the next line of that record, so one bad quote costs one row,
// not the rest of the file.
class CsvReader {
 public:
  enum class Status { kRecord, kEnd, kBad };

  CsvReader(std::istream& in, std::size_t max_record_bytes) : in_(*in.rdbuf()), max_(max_record_bytes) {}

  Status next(std::vector<std::string>& fields, ErrorCode& code, std::string& problem) {
    fields.clear();
    raw_.clear();
    start_line_ = line_;
    int c = peek();
    if (c == EOF) return Status::kEnd;
    std::string field;
    while (true) {
      c = get();
      if (c == '"' && field.empty()) {
        // Quoted field: up to the closing quote, with "" for a quote and any newline inside.
        while (true) {
          c = get();
          if (c == EOF || raw_.size() > max_) {
            code = ErrorCode::kUnbalancedQuote;
            problem = "unbalanced quote: the quoted field opened on line " + std::to_string(start_line_) +
                      (c == EOF ? " is never closed" : " runs past " + std::to_string(max_) + " bytes");
            resume_after_first_line();
            return Status::kBad;
          }
          if (c == '"') {
            if (peek() == '"') {
              get();
              field += '"';
              continue;
            }
            break;
          }
          field += static_cast<char>(c);
        }
        c = get();
        if (c != ',' && c != '\n' && c != EOF && !(c == '\r' && peek() == '\n')) {
          code = ErrorCode::kUnbalancedQuote;
          problem = "a quoted field on line " + std::to_string(start_line_) +
                    " must end at a comma or the end of the line (a quote inside a field is written \"\")";
          skip_line(c);
          return Status::kBad;
        }
      } else {
        while (c != ',' && c != '\n' && c != EOF) {
          if (c == '"') {
            code = ErrorCode::kUnbalancedQuote;
            problem = "stray quote in an unquoted field on line " + std::to_string(start_line_) +
                      " (a field with a quote must be quoted, the quote written \"\")";
            skip_line(c);
            return Status::kBad;
          }
          if (c == '\r') {
            if (peek() == '\n') {
              c = get();
              break;
            }
            code = ErrorCode::kWrongFieldCount;
            problem = "carriage return outside quotes on line " + std::to_string(start_line_);
            skip_line(c);
            return Status::kBad;
          }
          field += static_cast<char>(c);
          if (raw_.size() > max_) {
            code = ErrorCode::kRequestTooLarge;
            problem = "record on line " + std::to_string(start_line_) + " is longer than " + std::to_string(max_) + " bytes";
            skip_line(c);
            return Status::kBad;
          }
          c = get();
        }
      }
      fields.push_back(std::move(field));
      field.clear();
      if (c == '\n' || c == EOF) return Status::kRecord;
      if (c == '\r') {  // CRLF after a quoted field
        get();
        return Status::kRecord;
      }
    }
  }

  std::size_t start_line() const { return start_line_; }
  std::uintmax_t bytes() const { return bytes_; }

 private:
  int peek() {
    if (pending_pos_ < pending_.size()) return static_cast<unsigned char>(pending_[pending_pos_]);
    const auto c = in_.sgetc();
    return c == std::char_traits<char>::eof() ? EOF : c;
  }
  int get() {
    int c;
    if (pending_pos_ < pending_.size()) {
      c = static_cast<unsigned char>(pending_[pending_pos_++]);
      if (pending_pos_ == pending_.size()) {
        pending_.clear();
        pending_pos_ = 0;
      }
    } else {
      const auto r = in_.sbumpc();
      if (r == std::char_traits<char>::eof()) return EOF;
      c = r;
      ++bytes_;
    }
    raw_ += static_cast<char>(c);
    if (c == '\n') ++line_;
    return c;
  }
  void skip_line(int c) {
    while (c != '\n' && c != EOF) c = get();
  }
  // After an unbalanced quote the record swallowed everything that followed: read it again
  // from the line after the one the record started on.
  void resume_after_first_line() {
    const auto nl = raw_.find('\n');
    std::string rest = nl == std::string::npos ? std::string() : raw_.substr(nl + 1);
    rest += pending_.substr(pending_pos_);
    pending_ = std::move(rest);
    pending_pos_ = 0;
    line_ = start_line_ + (nl == std::string::npos ? 0 : 1);
  }

  std::streambuf& in_;
  std::size_t max_;
  std::string raw_;      // the bytes of the current record
  std::string pending_;  // bytes to read again before the stream
  std::size_t pending_pos_ = 0;
  std::size_t line_ = 1, start_line_ = 1;
  std::uintmax_t bytes_ = 0;
};

bool looks_like_formula(std::string_view s) {
  return !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
}

bool is_plain_number(std::string_view s) {
  // Negative figures are numbers, not formulas: "-3" stays as it is.
  if (s.size() < 2 || s[0] != '-') return false;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) return false;
  return true;
}

void write_cell(std::ostream& out, std::string_view text) { out << csv_output_cell(text); }

// Reads up to `chunk_rows` records into the builder's rows 0.., counting them in `n` (blank
// lines are skipped; a bad record or a wrong field count is that row's error, with its line).
// Returns false when the input has ended.
bool read_chunk(CsvReader& reader, PortfolioBuilder& builder, std::size_t header_fields,
                std::optional<std::size_t> id_col, std::size_t chunk_rows, std::size_t& n) {
  std::vector<std::string> fields;
  ErrorCode code{};
  std::string problem;
  while (n < chunk_rows) {
    const auto s = reader.next(fields, code, problem);
    if (s == CsvReader::Status::kEnd) return false;
    if (s == CsvReader::Status::kRecord && fields.size() == 1 && fields[0].empty()) continue;  // blank line
    const std::size_t row = n++;
    if (s == CsvReader::Status::kBad) {
      builder.fail(row, 0, Error(code, "record", problem));
      continue;
    }
    if (id_col && *id_col < fields.size()) builder.set_id(row, fields[*id_col]);
    if (fields.size() != header_fields) {
      builder.fail(row, 0,
                   Error(ErrorCode::kWrongFieldCount, "record",
                         "the record on line " + std::to_string(reader.start_line()) + " has " +
                             std::to_string(fields.size()) + " fields but the header has " +
                             std::to_string(header_fields)));
      continue;
    }
    for (std::size_t c : builder.read_order()) builder.set(row, c, detail::raw_of_cell(fields[c]));
  }
  return true;
}

}  // namespace

std::string csv_output_cell(std::string_view text) {
  std::string s;
  if (looks_like_formula(text) && !is_plain_number(text)) s = "'";  // shown as text by spreadsheets
  s += text;
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::size_t read_csv_chunks(const Engine& engine, std::istream& in, const CsvPriceOptions& o,
                            const std::function<void(const CsvChunk&)>& sink) {
  CsvReader reader(in, o.max_record_bytes);
  std::vector<std::string> header;
  ErrorCode code{};
  std::string problem;
  const auto status = reader.next(header, code, problem);
  if (status == CsvReader::Status::kEnd) throw Error(ErrorCode::kEmptyInput, "header", "empty input: expected a header row");
  if (status == CsvReader::Status::kBad) throw Error(code, "header", problem);
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0] = header[0].substr(3);  // Excel's BOM
  const RatingTables& layout = o.edition ? *engine.library().edition(*o.edition)
                               : o.quote_date ? engine.tables_for(*o.quote_date)
                                              : *engine.library().editions().back();
  PortfolioBuilder builder(layout, header, {o.quote_date, o.subsidy_program});
  const auto id_col = builder.id_column();
  std::size_t first_row = 1;
  std::vector<std::string> ids;
  while (true) {
    builder.resize(o.chunk_rows);
    std::size_t n = 0;
    const bool more = read_chunk(reader, builder, header.size(), id_col, o.chunk_rows, n);
    builder.truncate(n);
    if (n > 0) {
      const PortfolioColumns cols = builder.columns(first_row);
      ids.assign(n, std::string());
      for (std::size_t i = 0; i < n; ++i) ids[i] = builder.id(i);
      sink(CsvChunk{cols, ids, id_col.has_value()});
      first_row += n;
      if (o.progress) o.progress(reader.bytes(), first_row - 1);
    }
    if (!more || n == 0) break;
  }
  return first_row - 1;
}

CsvPriceSummary price_csv(const Engine& engine, std::istream& in, std::ostream& out, const CsvPriceOptions& o) {
  CsvReader reader(in, o.max_record_bytes);
  std::vector<std::string> header;
  ErrorCode code{};
  std::string problem;
  const auto status = reader.next(header, code, problem);
  if (status == CsvReader::Status::kEnd) throw Error(ErrorCode::kEmptyInput, "header", "empty input: expected a header row");
  if (status == CsvReader::Status::kBad) throw Error(code, "header", problem);
  if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0] = header[0].substr(3);  // Excel's BOM

  // The item and section columns are those of the named edition (as-if), else of the edition
  // in force on --date, else the newest.
  const RatingTables& layout = o.edition ? *engine.library().edition(*o.edition)
                               : o.quote_date ? engine.tables_for(*o.quote_date)
                                              : *engine.library().editions().back();
  PortfolioBuilder builder(layout, header, {o.quote_date, o.subsidy_program});
  const auto id_col = builder.id_column();
  const bool renewals = std::any_of(builder.roles().begin(), builder.roles().end(),
                                    [](const detail::ColumnRole& r) { return r.field == Field::kPriorAnnualPremium; });
  if (o.subsidy_program) {
    const auto& eds = engine.library().editions();
    if (std::none_of(eds.begin(), eds.end(), [&](const auto& e) { return e->find_subsidy(*o.subsidy_program); }))
      throw Error(ErrorCode::kUnknownSubsidyProgram, "subsidy_program", "no edition has this programme",
                  quote_for_message(*o.subsidy_program));
  }

  out << "row" << (id_col ? ",id" : "") << ",ok,error_code,error,score,unknown_count,posture_index,tier,outcome,"
      << "decision_codes,base_monthly_premium_yen,base_annual_premium_yen";
  for (const auto& s : layout.top_up.sections) out << "," << s.key << "_premium_yen";
  out << ",package_yen,annual_premium_yen" << (renewals ? ",uncapped_annual_premium_yen,renewal_code" : "")
      << ",subsidy_yen,subsidy_code,payable_annual_yen,monthly_instalment_yen,edition,edition_sha256\n";
  // The figure columns after "error" (8, the sections, 6, the edition's 2): empty in a failed row.
  const std::string empty_figures(8 + layout.top_up.sections.size() + 6 + 2, ',');

  CsvPriceSummary summary;
  BatchOptions batch;
  batch.threads = o.threads;
  batch.on_error = o.on_error;
  batch.edition = o.edition;
  std::size_t first_row = 1;
  bool more = true;
  while (more) {
    builder.resize(o.chunk_rows);
    std::size_t n = 0;
    more = read_chunk(reader, builder, header.size(), id_col, o.chunk_rows, n);
    builder.truncate(n);
    if (n == 0) break;
    const PortfolioColumns cols = builder.columns(first_row);
    PortfolioResult r;
    try {
      r = price_portfolio(engine, cols, batch);
    } catch (const Error& e) {
      // kRaise: the first bad row; its id is the builder's.
      const std::size_t row = e.location().row >= first_row ? e.location().row - first_row : 0;
      throw row < n ? e.at(ErrorLocation{0, builder.id(row), {}}) : e;
    }
    std::size_t next_error = 0;
    for (std::size_t i = 0; i < n; ++i) {
      out << first_row + i;
      if (id_col) {
        out << ",";
        write_cell(out, builder.id(i));
      }
      ++summary.rows;
      if (!r.ok[i]) {
        while (r.errors[next_error].row != i) ++next_error;
        const Error e = r.errors[next_error].error.at(ErrorLocation{0, builder.id(i), {}});
        ++summary.errors;
        out << ",false," << to_string(e.code()) << ",";
        write_cell(out, e.what());
        out << empty_figures << (renewals ? ",," : "") << "\n";
        continue;
      }
      std::string codes;
      for (int c = 0; c < kDecisionCodeCount; ++c)
        if (r.decision_codes[i] & (1u << c)) codes += (codes.empty() ? "" : "|") + std::string(to_string(static_cast<DecisionCode>(c)));
      out << ",true,,," << r.score[i] << "," << r.unknown_count[i] << "," << r.posture_index[i] << ",";
      write_cell(out, r.tier_names[static_cast<std::size_t>(r.tier[i])]);
      out << "," << to_string(static_cast<Outcome>(r.outcome[i])) << "," << codes;
      if (r.has_base_cover[i]) out << "," << r.base_monthly_premium_yen[i] << "," << r.base_annual_premium_yen[i];
      else out << ",,";
      for (const auto& s : layout.top_up.sections) {
        out << ",";
        for (std::size_t k = 0; k < r.section_keys.size(); ++k)
          if (r.section_keys[k] == s.key && r.has_top_up[i] && r.section_premium_yen[k][i] > 0) out << r.section_premium_yen[k][i];
      }
      if (r.has_top_up[i]) {
        const std::string_view sc = to_string(static_cast<SubsidyCode>(r.subsidy_code[i]));
        out << "," << r.package_yen[i] << "," << r.annual_premium_yen[i];
        if (renewals)
          out << "," << r.uncapped_annual_premium_yen[i] << "," << to_string(static_cast<RenewalCode>(r.renewal_code[i]));
        out << "," << r.subsidy_yen[i] << "," << sc << "," << r.payable_annual_yen[i] << "," << r.monthly_instalment_yen[i];
      } else {
        out << ",,,,,," << (renewals ? ",," : "");
      }
      const auto& ed = r.editions[static_cast<std::size_t>(r.edition[i])];
      out << ",";
      write_cell(out, ed.edition);
      out << "," << ed.sha256 << "\n";
    }
    first_row += n;
    if (o.progress) o.progress(reader.bytes(), summary.rows);
  }
  out.flush();
  if (!out) throw Error(ErrorCode::kIoCannotWrite, "output", "write failed");
  return summary;
}

}  // namespace cybercover
