#pragma once
// Pieces every command shares: progress on stderr, stage timing, profiles, road loading.
#include <chrono>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "legalcircle/core/observer.hpp"
#include "legalcircle/graph/build_graph.hpp"
#include "legalcircle/graph/profiles.hpp"
#include "legalcircle/io/read_roads.hpp"

namespace legalcircle::cli {

// The CLI's Observer: stage messages on stderr ("legalcircle: building graph ... 0.41 s") and
// notes, silent with --quiet; warnings are printed always (they change what the answer means).
class Progress : public Observer {
 public:
  explicit Progress(bool quiet) : quiet_(quiet) {}
  void stage_begin(std::string_view stage) override { begin(std::string(stage)); }
  void stage_end(double seconds, std::string_view detail) override;
  void warning(std::string_view message) override { warn(std::string(message)); }
  void note(std::string_view message) override;  // a remark, printed unless quiet
  void begin(const std::string& stage);
  // Ends the current stage, prints its time and returns it in seconds.
  double end(const std::string& detail = "");
  void warn(const std::string& message) const;  // always printed

  // A stage line ("legalcircle: building graph ...") still waiting for its time: anything else
  // printed on stderr first ends it, so errors and warnings start on their own line.
  static void break_open_line();

 private:
  bool quiet_;
  std::string stage_;
  std::chrono::steady_clock::time_point start_;
};

// --profiles FILE, or the built-in defaults (identical to configs/profiles.yaml).
Profiles profiles_from(const std::string& path);
// Comma-separated modes ("walk,car") in the order given, duplicates removed.
std::vector<Mode> parse_modes(const std::string& list);

// --road-layer, --road-class-field, ...: the field mapping for GIS line layers.
void add_road_field_options(CLI::App& command, RoadFieldMapping& mapping);

// A number option's check: finite (no inf, nan) and within [lo, hi], with a message naming both.
CLI::Validator finite_range(double lo, double hi);

// The embedded synthetic county shipped in geodata/ (see geodata/synthetic-county/README.md).
std::string default_geodata_dir();

}  // namespace legalcircle::cli
