// legalcircle serve SCENARIO.yaml: the planner's workspace, a local page that answers what-ifs
// (add, move, remove service points; suggest k sites) in place. Wiring only: read → World →
// Workspace → WorkspaceServer; the first Ctrl-C stops it cleanly.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "inputs.hpp"
#include "legalcircle/core/error.hpp"
#include "legalcircle/io/postgis.hpp"
#include "legalcircle/pipeline/scenario.hpp"
#include "legalcircle/serve/http_server.hpp"
#include "staging.hpp"

namespace legalcircle::cli {

CLI::App* add_serve_command(CLI::App& app, ServeCommandOptions& o) {
  CLI::App* c = app.add_subcommand(
      "serve",
      "The planner's workspace: a local page (offline, every script bundled) with the scenario's\n"
      "roads, towns, services and villages. Click to add a proposed point, drag to move it, remove\n"
      "points, ask for the best k new sites; the headline, the per-town table and the village\n"
      "colours update in place, equal to `legalcircle run` on the same proposals. Export the\n"
      "proposals (CSV, GeoJSON), a scenario file that `legalcircle run` reproduces, and the report.");
  c->add_option("scenario", o.scenario, "Scenario YAML (as for legalcircle run)")->required();
  c->add_option("--host", o.host,
                "Address to listen on. Default 127.0.0.1 (this machine only); another address lets other "
                "machines edit the proposals too (a warning is printed)")
      ->capture_default_str();
  c->add_option("--port", o.port, "Port (0: any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
  c->add_option("--tiles", o.tiles,
                "Optional basemap tiles of your own intranet, e.g. http://gis.local/tiles/{z}/{x}/{y}.png "
                "(default: none; the page makes no request outside this server)");
  c->add_option("--threads", o.threads, "Worker threads for planning and circles (default: all cores)")
      ->check(CLI::Range(1u, 256u));
  c->add_option("--max-proposals", o.max_proposals, "Proposed points that may stand at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 5000));
  c->add_flag("-q,--quiet", o.quiet, "No progress or request lines on stderr (warnings are still printed)");
  c->footer(
      "Examples:\n"
      "  legalcircle serve configs/synthetic-county.yaml              # then open http://127.0.0.1:8765/\n"
      "  legalcircle serve configs/office-county.yaml --port 9000\n"
      "  legalcircle serve my-county.yaml --tiles 'http://gis.local/tiles/{z}/{x}/{y}.png'\n"
      "Stop it with Ctrl-C. The page is Chinese by default (English with the switch, or lang: en).");
  return c;
}

int run_serve(const ServeCommandOptions& o) {
  Progress progress(o.quiet);
  const auto start = std::chrono::steady_clock::now();
  Scenario sc = load_scenario(o.scenario);
  if (o.host != "127.0.0.1" && o.host != "localhost" && o.host != "::1")
    progress.warn("serve: listening on " + o.host +
                  ": other machines that reach this address can read the scenario and change the proposals");
  if (!o.tiles.empty() && o.tiles.rfind("http://", 0) != 0 && o.tiles.rfind("https://", 0) != 0)
    throw ConfigError("--tiles: expected an http:// or https:// URL template with {z}, {x} and {y}, got '" + o.tiles + "'");
  if (!o.tiles.empty() && (o.tiles.find("{z}") == std::string::npos || o.tiles.find("{x}") == std::string::npos ||
                           o.tiles.find("{y}") == std::string::npos))
    throw ConfigError("--tiles: the URL template needs {z}, {x} and {y}, got '" + o.tiles + "'");

  RunRecord record;
  WorkspaceOptions wo;
  wo.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  wo.max_proposals = std::size_t(o.max_proposals);
  if (!sc.proposals.remove.empty()) wo.services_as_read = read_point_input(sc.inputs.services, "services", progress, record.warnings);
  World world = load_scenario_world(sc, scenario_modes(sc), progress, record);
  if (sc.planning && sc.planning->candidates.kind == CandidateSource::Kind::layer)
    for (const PointRecord& p : read_point_input(*sc.inputs.candidates, "candidates", progress, record.warnings).points)
      wo.candidate_layer.push_back({p.id, p.name, p.where});
  record.roads = redact_connection(sc.inputs.roads.path);
  record.services = redact_connection(sc.inputs.services.path);
  record.demand = redact_connection(sc.inputs.demand.path);
  record.timings.clear();
  wo.record = record;
  progress.begin("coverage of the scenario as it stands");
  Workspace workspace(std::move(world), std::move(sc), std::move(wo));
  progress.end();

  ServeOptions so;
  so.host = o.host;
  so.port = o.port;
  so.tiles_url = o.tiles;
  WorkspaceServer server(workspace, so);
  if (!o.quiet)
    server.on_request([](const std::string& method, const std::string& path, int status, double) {
      if (path.rfind("/api/", 0) == 0 && path != "/api/roads")
        std::cerr << "legalcircle: " << method << " " << path << " " << status << "\n";
    });
  const int port = server.bind();
  const double ready_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  // The address goes to stdout (scripts read it); everything else to stderr.
  std::cout << "http://" << host << ":" << port << "/" << std::endl;
  char ready[64];
  std::snprintf(ready, sizeof ready, "%.2f", ready_s);
  progress.note(std::string("ready in ") + ready + " s; open the address above in a browser. Ctrl-C stops.");
  on_interrupt([&server] { server.stop(); });
  server.run();
  on_interrupt(nullptr);
  progress.note("stopped");
  return 0;
}

}  // namespace legalcircle::cli
