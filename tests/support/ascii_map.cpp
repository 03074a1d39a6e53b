#include "support/ascii_map.hpp"

#include <stdexcept>

namespace legalcircle::testing {

AsciiMap::AsciiMap(std::string_view drawing, double cell_m)
    : projection_(LonLat{120.75, 30.75}) {
  int row = 0, col = 0;
  for (char c : drawing) {
    if (c == '\n') {
      ++row;
      col = 0;
      continue;
    }
    if (c != ' ' && c != '-' && c != '|' && c != '/' && c != '\\' && c != '.') {
      if (where_.count(c)) throw std::invalid_argument(std::string("character drawn twice: ") + c);
      where_[c] = XY{col * cell_m, -row * cell_m};
    }
    ++col;
  }
}

LonLat AsciiMap::at(char c) const {
  auto it = where_.find(c);
  if (it == where_.end()) throw std::invalid_argument(std::string("not on the map: ") + c);
  return projection_.inverse(it->second);
}

LonLat AsciiMap::offset(char c, double dx_m, double dy_m) const {
  XY p = projection_.forward(at(c));
  return projection_.inverse(XY{p.x + dx_m, p.y + dy_m});
}

RawRoads AsciiMap::roads(const std::vector<WaySpec>& ways) const {
  RawRoads raw;
  raw.source = "ascii map";
  std::map<char, uint32_t> node_of;
  int64_t way_id = 1;
  for (const WaySpec& spec : ways) {
    RawWay way;
    way.id = way_id++;
    for (char c : spec.nodes) {
      auto [it, inserted] = node_of.try_emplace(c, static_cast<uint32_t>(raw.coord.size()));
      if (inserted) {
        raw.coord.push_back(at(c));
        raw.node_id.push_back(static_cast<int64_t>(c));
      }
      way.nodes.push_back(it->second);
    }
    for (const auto& [k, v] : spec.tags) way.tags.set(k, v);
    raw.ways.push_back(std::move(way));
  }
  return raw;
}

}  // namespace legalcircle::testing
