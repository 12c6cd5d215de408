#include "io/json_fragments.hpp"

#include "detail/json_writer.hpp"

namespace cybercover::detail {

JsonFragments build_json_fragments(const Questionnaire& q) {
  JsonFragments f;
  f.unmet_prefix.reserve(q.items.size());
  for (const Item& item : q.items) {
    std::string prefix;
    JsonWriter w(prefix);
    w.begin_object().key("domain").value(item.domain).key("id").value(item.id);
    w.key("measure_en").value(item.measure_en).key("measure_ja").value(item.measure_ja);
    prefix += ",\"points_lost\":";
    f.unmet_prefix.push_back(std::move(prefix));
  }
  return f;
}

}  // namespace cybercover::detail
