// OSM road reader (libosmium): every way with a highway tag, the tags the profiles look at, and
// node locations from an in-memory index filled while the file streams (nodes come first).
#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <string_view>
#include <unordered_map>

#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/visitor.hpp>

#include "legalcircle/io/text_encoding.hpp"
#include "legalcircle/core/error.hpp"
#include "descriptor_guard.hpp"
#include "legalcircle/io/read_roads.hpp"

namespace legalcircle {

namespace {

// Tags the profiles (default or edited) read, plus name for reports.
constexpr std::array<std::string_view, 17> kKeptKeys = {
    "highway",  "oneway",        "oneway:bicycle", "junction", "area",
    "access",   "foot",          "bicycle",        "vehicle",  "motor_vehicle",
    "motorcar", "maxspeed",      "name",           "name:zh",  "motorcycle",
    "moped",    "mofa"};

bool kept_key(std::string_view key) {
  return std::find(kKeptKeys.begin(), kKeptKeys.end(), key) != kKeptKeys.end();
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class RoadHandler : public osmium::handler::Handler {
 public:
  explicit RoadHandler(RawRoads& roads) : roads_(roads) {}

  void way(const osmium::Way& w) {
    if (!w.tags().has_key("highway")) return;
    ++highway_ways_;
    Tags tags;
    for (const osmium::Tag& t : w.tags())
      if (kept_key(t.key())) {
        // OSM is UTF-8 by definition; a broken value is left out (counted) rather than written.
        if (!is_valid_utf8(t.value())) {
          ++invalid_utf8_;
          continue;
        }
        tags.set(t.key(), t.value());
      }

    // A node without a location (outside a clipped extract) cuts the way: the pieces on either
    // side stay, the segments touching it go.
    RawWay piece;
    piece.id = w.id();
    bool cut = false;
    for (const osmium::NodeRef& ref : w.nodes()) {
      if (ref.location().is_defined() && !ref.location().valid())
        throw InputError("way/" + std::to_string(w.id()) + ": node/" + std::to_string(ref.ref()) +
                         " has coordinates out of range (lon " + std::to_string(ref.location().lon_without_check()) +
                         ", lat " + std::to_string(ref.location().lat_without_check()) + ")");
      if (!ref.location().valid()) {
        ++missing_refs_;
        cut = true;
        emit(piece, tags);
        continue;
      }
      piece.nodes.push_back(node_index(ref));
    }
    if (cut) ++cut_ways_;
    emit(piece, tags);
  }

  std::size_t highway_ways() const { return highway_ways_; }
  std::size_t invalid_utf8() const { return invalid_utf8_; }
  std::size_t missing_refs() const { return missing_refs_; }
  std::size_t cut_ways() const { return cut_ways_; }

 private:
  uint32_t node_index(const osmium::NodeRef& ref) {
    auto [it, inserted] = index_.try_emplace(ref.ref(), static_cast<uint32_t>(roads_.coord.size()));
    if (inserted) {
      roads_.coord.push_back({ref.location().lon(), ref.location().lat()});
      roads_.node_id.push_back(ref.ref());
    }
    return it->second;
  }

  void emit(RawWay& piece, const Tags& tags) {
    if (piece.nodes.size() >= 2) {
      RawWay out;
      out.id = piece.id;
      out.nodes = std::move(piece.nodes);
      out.tags = tags;
      roads_.ways.push_back(std::move(out));
    }
    piece.nodes.clear();
  }

  RawRoads& roads_;
  std::size_t invalid_utf8_ = 0;
  std::unordered_map<osmium::object_id_type, uint32_t> index_;
  std::size_t highway_ways_ = 0;
  std::size_t missing_refs_ = 0;
  std::size_t cut_ways_ = 0;
};

}  // namespace

bool is_osm_file(const std::string& path) {
  std::string lower = path;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view suffix : {".osm", ".osm.pbf", ".pbf", ".osm.gz", ".osm.bz2"})
    if (ends_with(lower, suffix)) return true;
  return false;
}

RawRoads read_osm_roads(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": file not found");
  if (std::filesystem::is_directory(path, ec))
    throw InputError(path + ": is a folder, expected a file");

  RawRoads roads;
  roads.source = path;
  RoadHandler handler(roads);
  const io_detail::DescriptorGuard descriptors(path);  // libosmium leaks one on a corrupt PBF
  try {
    using Index = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
    Index index, negative_index;  // negative ids: files edited in JOSM and not uploaded
    osmium::handler::NodeLocationsForWays<Index, Index> locations(index, negative_index);
    locations.ignore_errors();  // missing nodes leave invalid locations; the handler cuts there
    osmium::io::Reader reader(osmium::io::File(path),
                              osmium::osm_entity_bits::node | osmium::osm_entity_bits::way);
    roads.generator = reader.header().get("generator");
    osmium::apply(reader, locations, handler);
    reader.close();
  } catch (const InputError& e) {
    descriptors.close_leaked();
    throw InputError(path + ": " + e.what());  // the handler's own, naming the way and node
  } catch (const std::exception& e) {
    descriptors.close_leaked();
    throw InputError(path + ": cannot read as OSM data (" + e.what() + ")");
  }
  if (handler.highway_ways() == 0) throw InputError(path + ": holds no way with a highway tag");
  if (handler.invalid_utf8() > 0)
    roads.warnings.push_back(path + ": " + std::to_string(handler.invalid_utf8()) +
                             " tag values are not valid UTF-8 (OSM requires it): left out");
  if (handler.missing_refs() > 0)
    roads.warnings.push_back(path + ": " + std::to_string(handler.missing_refs()) +
                             " node references without a location in " +
                             std::to_string(handler.cut_ways()) +
                             " highway ways (outside the extract?); their segments were dropped");
  return roads;
}

RawRoads read_roads(const std::string& path, const RoadFieldMapping& mapping) {
  RawRoads roads = is_osm_file(path) ? read_osm_roads(path) : read_gis_roads(path, mapping);
  // The engine measures in one local plane around the network's centre: a network crossing the
  // 180th meridian would put its two halves a globe apart (and snap points "at 0 m" across it).
  double west = 180, east = -180;
  for (const LonLat& c : roads.coord) west = std::min(west, c.lon), east = std::max(east, c.lon);
  if (!roads.coord.empty() && (east - west > 90 || (west < -170 && east > 170)))
    throw InputError(path + ": the roads span lon " + std::to_string(west) + " to " + std::to_string(east) +
                     (west < -170 && east > 170 ? " across the 180th meridian" : "") +
                     "; legalcircle plans one region at a time (a county or province): clip the network");
  return roads;
}

}  // namespace legalcircle
