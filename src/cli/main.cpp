// legalcircle: 15-minute public legal service circles. main() only dispatches and maps error
// classes to exit codes: 2 input, 3 configuration, 4 output, 1 anything else.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "staging.hpp"
#include "legalcircle/io/postgis.hpp"
#include "legalcircle/core/error.hpp"

int main(int argc, char** argv) {
  using namespace legalcircle;
  cli::install_interrupt_cleanup();  // before any thread: SIGINT/SIGTERM leave no staging folder
  CLI::App app{"legalcircle " LEGALCIRCLE_VERSION
               " - plans 15-minute public legal service circles (travel times from villages and "
               "communities to legal service points over a road network)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", LEGALCIRCLE_VERSION);
  app.footer(
      "Examples:\n"
      "  legalcircle run configs/synthetic-county.yaml -o out/   # the whole pipeline\n"
      "  legalcircle coverage                       # the embedded synthetic county, walk 15 min\n"
      "  legalcircle coverage --roads roads.osm.pbf --services services.csv \\\n"
      "      --demand villages.geojson --mode walk,ebike,car -o out/\n"
      "  legalcircle isochrones --mode walk --minutes 5,10,15 -o out/\n"
      "  legalcircle plan --candidates demand --add 5 -o out/plan\n"
      "  legalcircle graph --roads roads.osm.pbf\n"
      "  legalcircle report out/ --lang en            # report.html of a run, in English\n"
      "  legalcircle serve configs/synthetic-county.yaml   # the planner's what-if map in a browser\n"
      "  legalcircle compare out/2025 out/2026 -o out/compare   # two runs side by side\n"
      "  legalcircle guide configs/synthetic-county.yaml -o out/guide   # a guide map for every station\n"
      "Run 'legalcircle COMMAND --help' for a command's options.");

  cli::CoverageOptions coverage;
  cli::GraphOptions graph;
  cli::IsochroneOptions isochrones;
  cli::RunOptions run;
  cli::PlanOptions plan;
  cli::ReportOptions report;
  cli::ServeCommandOptions serve;
  cli::CompareOptions compare;
  cli::GuideOptions guide;
  CLI::App* cmd_run = cli::add_run_command(app, run);
  CLI::App* cmd_plan = cli::add_plan_command(app, plan);
  CLI::App* cmd_coverage = cli::add_coverage_command(app, coverage);
  CLI::App* cmd_isochrones = cli::add_isochrones_command(app, isochrones);
  CLI::App* cmd_graph = cli::add_graph_command(app, graph);
  CLI::App* cmd_report = cli::add_report_command(app, report);
  CLI::App* cmd_serve = cli::add_serve_command(app, serve);
  CLI::App* cmd_compare = cli::add_compare_command(app, compare);
  CLI::App* cmd_guide = cli::add_guide_command(app, guide);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 3;
  }
  try {
    if (cmd_run->parsed()) return cli::run_scenario(run);
    if (cmd_coverage->parsed()) return cli::run_coverage(coverage);
    if (cmd_plan->parsed()) return cli::run_plan(plan);
    if (cmd_isochrones->parsed()) return cli::run_isochrones(isochrones);
    if (cmd_graph->parsed()) return cli::run_graph(graph);
    if (cmd_report->parsed()) return cli::run_report(report);
    if (cmd_serve->parsed()) return cli::run_serve(serve);
    if (cmd_compare->parsed()) return cli::run_compare(compare);
    if (cmd_guide->parsed()) return cli::run_guide(guide);
  } catch (const InputError& e) {
    cli::Progress::break_open_line();
    std::cerr << "legalcircle: input error: " << redact_connection(e.what()) << '\n';
    return 2;
  } catch (const ConfigError& e) {
    cli::Progress::break_open_line();
    std::cerr << "legalcircle: configuration error: " << redact_connection(e.what()) << '\n';
    return 3;
  } catch (const OutputError& e) {
    cli::Progress::break_open_line();
    std::cerr << "legalcircle: cannot write output: " << redact_connection(e.what()) << '\n';
    return 4;
  } catch (const std::exception& e) {
    cli::Progress::break_open_line();
    std::cerr << "legalcircle: error: " << redact_connection(e.what()) << '\n';
    return 1;
  }
  return 1;
}
