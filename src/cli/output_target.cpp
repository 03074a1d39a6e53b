#include "output_target.hpp"

#include <algorithm>
#include <filesystem>

#include "legalcircle/core/error.hpp"
#include "legalcircle/io/postgis.hpp"
#include "legalcircle/io/text_encoding.hpp"

namespace legalcircle::cli {
namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

namespace {

// True when `inner` is `outer` or lies inside it (paths resolved through symlinks as far as they exist).
bool within(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(fs::absolute(inner), ec), b = fs::weakly_canonical(fs::absolute(outer), ec);
  auto i = a.begin(), j = b.begin();
  for (; j != b.end() && !j->empty(); ++i, ++j)
    if (i == a.end() || *i != *j) return false;
  return true;
}

void refuse_inputs_inside(const std::string& what, const fs::path& out, const std::vector<std::string>& inputs) {
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (in.empty() || is_postgis_source(in) || !fs::exists(in, ec)) continue;  // "demand", "grid:500": not files
    if (within(in, out))
      throw ConfigError(what + (fs::equivalent(in, out, ec) ? "is the input " : "holds the input ") + in +
                        "; the run would replace it. Write somewhere else");
    if (within(out, fs::path(in)))
      throw ConfigError(what + "lies inside the input " + in + "; write somewhere else");
  }
}

}  // namespace

OutputTarget output_target(const std::string& out, const std::string& schema, const std::string& command,
                           bool single_file_targets, const std::vector<std::string>& inputs) {
  if (out.empty()) throw ConfigError("-o: empty output name");
  // Every path is written into summary.json and the report (JSON is UTF-8): refused before the work.
  if (!is_valid_utf8(out)) throw ConfigError("-o: the output path is not UTF-8 text; use a UTF-8 name");
  for (const std::string& in : inputs)
    if (!is_valid_utf8(in)) throw ConfigError("input path is not UTF-8 text (" + std::to_string(in.size()) + " bytes); rename it");
  const std::string what = "-o " + (is_postgis_source(out) ? redact_connection(out) : out) + ": ";
  OutputTarget t;
  t.where = out;
  if (is_postgis_source(out)) {
    if (!single_file_targets)
      throw ConfigError(what + "'" + command + "' writes a folder; only 'run' writes to PostgreSQL/PostGIS");
    t.kind = OutputTarget::Kind::postgis;
    t.schema = schema.empty() ? "legalcircle" : schema;
    if (auto problem = postgis_target_problem(out, t.schema)) throw OutputError("-o " + *problem);
    return t;
  }
  if (!schema.empty()) throw ConfigError("--schema " + schema + ": only for -o PG:<connection> (a PostGIS target)");
  const std::string ext = lower(fs::path(out).extension().string());
  if (ext == ".gpkg") {
    if (!single_file_targets)
      throw ConfigError(what + "'" + command + "' writes a folder of files; give a folder name (only 'run' writes a lone "
                        "GeoPackage)");
    if (fs::is_directory(out)) throw ConfigError(what + "is a folder; a .gpkg target must be a file");
    const fs::path parent = fs::path(out).parent_path();
    if (!parent.empty() && !fs::is_directory(parent))
      throw ConfigError(what + "folder " + parent.string() + " does not exist");
    refuse_inputs_inside(what, out, inputs);
    t.kind = OutputTarget::Kind::geopackage;
    return t;
  }
  refuse_inputs_inside(what, out, inputs);
  std::error_code ec;
  if (fs::is_directory(out, ec)) return t;  // an existing folder is a folder, whatever its name
  if (fs::exists(out, ec))
    throw ConfigError(what + "is a file, not a folder; give a folder name" +
                      std::string(single_file_targets ? ", a .gpkg file or PG:<connection>" : ""));
  for (const char* file_like : {".geojson", ".json", ".csv", ".shp", ".sqlite", ".xlsx", ".html", ".qgs", ".tif"})
    if (ext == file_like)
      throw ConfigError(what + "looks like a " + ext.substr(1) + " file; -o takes a folder" +
                        std::string(single_file_targets ? ", a .gpkg file or PG:<connection>" : ""));
  return t;
}

}  // namespace legalcircle::cli
