// legalcircle graph: build the road graph and print per-mode network statistics.
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "legalcircle/io/read_roads.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "inputs.hpp"

namespace legalcircle::cli {

CLI::App* add_graph_command(CLI::App& app, GraphOptions& o) {
  CLI::App* c = app.add_subcommand(
      "graph", "Build the road graph and print per-mode statistics: nodes, edges, km, strongly\n"
               "connected components kept and dropped");
  c->add_option("--roads", o.roads, "Road network (.osm.pbf, .osm, .osm.gz, .osm.bz2, .geojson, .gpkg, .shp)")
      ->required();
  c->add_option("--mode", o.modes, "Modes, comma-separated")->capture_default_str();
  c->add_option("--profiles", o.profiles, "Mode profiles YAML (default: built in)");
  c->add_option("--json", o.json_out, "Also write the statistics as JSON to this file");
  c->add_option("--cache", o.cache,
                "Binary graph cache: loaded when it was made from this roads file (path, size, time) with "
                "these profiles and modes, else built and written here; a scenario names it as "
                "inputs.roads.cache and `run`/`serve` then load it instead of the roads");
  c->add_option("--export-csr", o.export_dir,
                "Also write the graph's CSR arrays as raw little-endian files into this folder, for a peer "
                "tool (tests/bench/province_bench.py compares scipy's Dijkstra): nodes.f64 (lon, lat), "
                "first_out.u32, arc_head.u32, and per mode arc_in_seconds_<mode>.f32 (the time from the "
                "arc's head to its tail: a search from the services over these gives every node's time "
                "to its nearest service; inf where the mode may not go)");
  add_road_field_options(*c, o.road_fields);
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr");
  c->footer("Examples:\n  legalcircle graph --roads ../shared/data/osm/porto.osm.pbf\n"
            "  legalcircle graph --roads county.osm.pbf --cache county.lcgraph   # then inputs.roads.cache: county.lcgraph");
  return c;
}

int run_graph(const GraphOptions& o) {
  Progress progress(o.quiet);
  const Profiles profiles = profiles_from(o.profiles);
  BuildOptions build;
  build.modes = parse_modes(o.modes);
  RoadsInput roads;
  roads.path = o.roads;
  roads.mapping = o.road_fields;
  roads.cache = o.cache;
  // The reader's warnings are printed as every other command prints them (and in --json).
  const LoadedGraph loaded = load_graph(roads, profiles, build.modes, progress);
  const RoadGraph& graph = loaded.graph;
  struct {
    const std::vector<std::string>& warnings;
  } raw{loaded.info.warnings};

  nlohmann::ordered_json stats;
  stats["roads"] = o.roads;
  stats["warnings"] = raw.warnings;
  stats["nodes"] = graph.node_count();
  stats["segments"] = graph.segment_count();
  std::printf("%-6s %10s %10s %10s %10s %12s %12s %10s\n", "mode", "nodes", "edges", "km",
              "components", "kept", "dropped", "km_dropped");
  for (Mode m : build.modes) {
    const ComponentStats& s = graph.weights(m).stats;
    std::printf("%-6s %10u %10llu %10.1f %10u %12s %12u %10.2f\n", std::string(mode_name(m)).c_str(),
                s.nodes_kept, static_cast<unsigned long long>(s.segments_kept), s.km_kept,
                s.components_total, "1 (largest)", s.components_dropped, s.km_dropped);
    stats["modes"][std::string(mode_name(m))] = {
        {"nodes_kept", s.nodes_kept},         {"edges_kept", s.segments_kept},
        {"km_kept", s.km_kept},               {"components_total", s.components_total},
        {"components_dropped", s.components_dropped}, {"nodes_dropped", s.nodes_dropped},
        {"edges_dropped", s.segments_dropped}, {"km_dropped", s.km_dropped}};
  }
  std::printf("(edges: road segments between consecutive nodes, usable in at least one direction;\n"
              " dropped: nodes outside the largest strongly connected component)\n");
  if (!o.json_out.empty()) write_text_file(o.json_out, stats.dump(2) + "\n");
  if (!o.export_dir.empty()) {
    ensure_directory(o.export_dir);
    auto bytes = [](const auto& v) {
      return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(v[0]));
    };
    const std::filesystem::path dir(o.export_dir);
    write_binary_file((dir / "nodes.f64").string(), bytes(graph.coord));
    write_binary_file((dir / "first_out.u32").string(), bytes(graph.first_out));
    write_binary_file((dir / "arc_head.u32").string(), bytes(graph.arc_head));
    for (Mode m : build.modes)
      write_binary_file((dir / ("arc_in_seconds_" + std::string(mode_name(m)) + ".f32")).string(),
                        bytes(graph.weights(m).arc_time_in));
    progress.note("wrote the CSR arrays to " + o.export_dir);
  }
  return 0;
}

}  // namespace legalcircle::cli
