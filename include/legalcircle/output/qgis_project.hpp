#pragma once
// The run's QGIS project over legalcircle.gpkg: which layers, in which order, how styled, with
// which labels and field aliases (in the report language), and the print layout with an atlas
// over the service points. Plain description; io/write_qgis turns it into XML.
#include "legalcircle/config/scenario.hpp"
#include "legalcircle/io/write_qgis.hpp"
#include "legalcircle/output/layers.hpp"
#include "legalcircle/pipeline/scenario.hpp"

namespace legalcircle {

// `attribution`: the data credit for the print layout's footer ("" = the user's own data).
QgisProject scenario_qgis_project(const Scenario& sc, const ScenarioResult& result, const ScenarioLayers& layers,
                                  const std::string& attribution = "");

}  // namespace legalcircle
