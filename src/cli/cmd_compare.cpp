// legalcircle compare RUN_A RUN_B: two runs side by side (last year and now, before and after a
// plan). Wiring only: read both folders → RunComparison → tables, comparison.html.
#include "commands.hpp"
#include "common.hpp"
#include "legalcircle/io/write_outputs.hpp"
#include "legalcircle/output/compare.hpp"
#include "output_target.hpp"
#include "staging.hpp"

namespace legalcircle::cli {

CLI::App* add_compare_command(CLI::App& app, CompareOptions& o) {
  CLI::App* c = app.add_subcommand(
      "compare",
      "Two runs side by side (output folders of 'legalcircle run'): every measure's coverage per\n"
      "county and town in both and the change, the villages newly covered or lost, and a map of\n"
      "them. Writes comparison.html, comparison.csv, changed_villages.csv (+ .geojson).");
  c->add_option("RUN_A", o.run_a, "The earlier run (e.g. last year, or before the plan)")->required();
  c->add_option("RUN_B", o.run_b, "The later run")->required();
  c->add_option("-o,--out", o.out_dir, "Output folder (created if missing)")->capture_default_str();
  c->add_option("--lang", o.lang, "zh | en (default: RUN_B's outputs.lang)")->check(CLI::IsMember({"zh", "en"}));
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr");
  c->footer("Example:\n  legalcircle compare out/2025 out/2026 -o out/compare-2026");
  return c;
}

int run_compare(const CompareOptions& o) {
  Progress progress(o.quiet);
  output_target(o.out_dir, "", "compare", false, {o.run_a, o.run_b});
  StagedOutput out(o.out_dir);
  progress.begin("comparing " + o.run_a + " and " + o.run_b);
  const RunComparison c = compare_runs(o.run_a, o.run_b);
  progress.end(std::to_string(c.changed.size()) + " villages changed of " + std::to_string(c.units_compared));
  const std::string lang = o.lang.empty() ? (c.lang == "en" ? "en" : "zh") : o.lang;
  const bool bom = lang == "zh";
  write_csv(out.path("comparison.csv"), comparison_table(c), bom);
  const Table changed = changed_villages_table(c);
  write_csv(out.path("changed_villages.csv"), changed, bom);
  if (changed.shape == Table::Shape::point) write_geojson(out.path("changed_villages.geojson"), "changed_villages", changed);
  write_text_file(out.path("comparison.html"), render_comparison(c, lang));
  out.commit();
  progress.note("wrote comparison.html, comparison.csv and changed_villages.csv to " + o.out_dir);
  return 0;
}

}  // namespace legalcircle::cli
