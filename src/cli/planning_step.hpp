#pragma once
// Planning as one step shared by `legalcircle plan` and the planning section of
// `legalcircle run`: candidates, the cover matrix, MCLP or LSCP with a certified gap, and the
// coverage and circle after the plan.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common.hpp"
#include "inputs.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/planning/max_covering.hpp"

namespace legalcircle::cli {

struct PlanRequest {
  Mode mode = Mode::walk;
  double minutes = 15.0;
  // "demand", "grid:<metres>", or a point layer's path (read with candidate_read).
  std::string candidates = "demand";
  PointReadOptions candidate_read;
  std::optional<std::size_t> add;     // MCLP
  std::optional<double> target;       // LSCP
  std::string evaluate;               // what-if: a point layer of proposed sites
  PointReadOptions evaluate_read;
  std::vector<double> bands = {5, 10, 15};  // circle after the plan (the threshold is added)
  double cell_m = -1;                 // < 0: default_cell_m(mode)
  unsigned threads = 1;
};

struct PlanOutputs {
  Table sites;          // plan.geojson / plan.csv: chosen (or proposed) sites
  Table coverage;       // per unit before and after
  Table circle;         // union circle after the plan
  nlohmann::ordered_json json;  // plan.json
};

PlanOutputs plan_sites(const Inputs& in, const PlanRequest& request, Progress& progress);

}  // namespace legalcircle::cli
