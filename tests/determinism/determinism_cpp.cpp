// The C++ door of the cross-interface determinism test (tests/determinism/test_determinism.py):
// reads requests framed as "<byte count>\n<bytes>\n" and prints, one line per request, either
// "Q <the quote_json text>" or "E <the error as JSON: code, field, detail, value, message>".
// It also prices each request through the struct path (parse, then Engine::quote, then
// write_json) and fails if that text differs from quote_json's.
//
// Usage: determinism_cpp TABLES_DIR CORPUS_FILE

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "cybercover/cybercover.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: determinism_cpp TABLES_DIR CORPUS_FILE\n";
    return 2;
  }
  const cybercover::Engine engine(cybercover::TableLibrary::load(argv[1]));
  std::ifstream in(argv[2], std::ios::binary);
  const std::string corpus((std::istreambuf_iterator<char>(in)), {});
  std::size_t pos = 0;
  std::string out;
  int mismatches = 0;
  while (pos < corpus.size()) {
    const std::size_t newline = corpus.find('\n', pos);
    const std::size_t length = std::stoul(corpus.substr(pos, newline - pos));
    const std::string_view text(corpus.data() + newline + 1, length);
    pos = newline + 1 + length + 1;
    try {
      const std::string json = cybercover::quote_json(engine, text);
      std::string via_struct;
      cybercover::write_json(engine.quote(cybercover::parse_quote_request_text(text, engine.library())), via_struct);
      if (via_struct != json) ++mismatches;
      out += "Q ";
      out += json;
    } catch (const cybercover::Error& e) {
      nlohmann::json j = {{"code", cybercover::to_string(e.code())}, {"field", e.field()}, {"detail", e.detail()},
                          {"value", e.value()}, {"message", e.what()}};
      out += "E ";
      out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
    }
    out += '\n';
  }
  std::cout << out;
  if (mismatches) {
    std::cerr << mismatches << " requests priced differently through the struct path\n";
    return 1;
  }
  return 0;
}
