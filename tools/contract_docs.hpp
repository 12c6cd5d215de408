#pragma once
// `cybercover contract` and `cybercover errors`: the request contract and the error codes as
// the library defines them, in Markdown (the tables of docs/request_contract.md and
// docs/errors.md, which a test keeps equal to this output) or JSON (for integrators' tools).

#include <iosfwd>

#include "cybercover/tables/rating_tables.hpp"

namespace cybercover::cli {

// The field table; allowed values that come from tables are those of `tables`.
void print_contract_markdown(std::ostream& out, const RatingTables& tables);
void print_contract_json(std::ostream& out, const RatingTables& tables);
void print_error_codes_markdown(std::ostream& out);

}  // namespace cybercover::cli
