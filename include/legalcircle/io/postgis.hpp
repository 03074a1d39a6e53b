#pragma once
// PostgreSQL/PostGIS through GDAL's PostgreSQL driver: county GIS runs on it. Outputs go into
// one schema in one transaction (a failure leaves the schema as it was; a rerun replaces the
// tables); roads and point layers are read from "PG:" sources like from files, naming the table.
#include <optional>
#include <string>
#include <vector>

#include "legalcircle/io/write_outputs.hpp"

namespace legalcircle {

// "PG:dbname=gis host=..." (GDAL's connection form; the prefix in any case).
bool is_postgis_source(const std::string& path);

// The connection string with its password replaced by ***, for messages.
std::string redact_connection(const std::string& connection);

// Why the layers cannot be written there, or nothing: the server is unreachable, PostGIS is not
// installed in that database, or the role may not create (or use) the schema.
std::optional<std::string> postgis_target_problem(const std::string& connection, const std::string& schema);

// Every layer (in `crs`, "" = EPSG:4326) as a table of `schema` (created if missing), tables of the
// same names replaced, all in one transaction: on any error it is rolled back and OutputError
// names the layer.
void write_postgis_layers(const std::string& connection, const std::string& schema,
                          const std::vector<NamedTable>& layers, const std::string& crs = "");

}  // namespace legalcircle
