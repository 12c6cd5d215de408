// cybercover._core: the compiled half of the cybercover Python package. Only calls the bind_*
// functions, one per concept; the order matters where a later binding uses an earlier type.

#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
  namespace cp = cybercover::python;
  m.doc() =
      "Compiled core of cybercover: quote engine, results, errors (use the cybercover package).";
  m.attr("__version__") = cybercover::engine_version();
  cp::bind_errors(m);
  cp::bind_json(m);
  cp::bind_tables(m);
  cp::bind_results(m);
  cp::bind_engine(m);
  cp::bind_portfolio(m);
  cp::bind_loss(m);
  cp::bind_remediation(m);
  cp::bind_revision(m);
}
