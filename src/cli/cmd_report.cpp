// legalcircle report: (re)write report.html from an existing `legalcircle run` output folder,
// e.g. in the other language.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "legalcircle/core/error.hpp"
#include "common.hpp"
#include "legalcircle/output/compare.hpp"
#include "legalcircle/output/report.hpp"

namespace legalcircle::cli {

CLI::App* add_report_command(CLI::App& app, ReportOptions& o) {
  CLI::App* c = app.add_subcommand(
      "report", "Write report.html (one self-contained page for officials, opens offline) from the\n"
                "output folder of 'legalcircle run'");
  c->add_option("OUT_DIR", o.out_dir, "Output folder of 'legalcircle run'")->required();
  c->add_option("--lang", o.lang, "zh | en (default: the run's outputs.lang, else zh)")
      ->check(CLI::IsMember({"zh", "en"}));
  c->add_option("-o,--output", o.output, "HTML file to write (default: OUT_DIR/report.html)");
  c->add_flag("-q,--quiet", o.quiet, "No progress messages on stderr");
  c->footer("Example:\n  legalcircle report out/synthetic-county --lang en -o /tmp/report-en.html");
  return c;
}

int run_report(const ReportOptions& o) {
  Progress progress(o.quiet);
  std::string lang = o.lang;
  if (lang.empty()) {
    // The run's language; a missing or broken summary.json is reported by write_report itself.
    std::ifstream in(std::filesystem::path(o.out_dir) / "summary.json");
    const nlohmann::json summary = nlohmann::json::parse(in, nullptr, false);
    lang = summary.is_object() && summary.value("lang", "") == "en" ? "en" : "zh";
  }
  const std::string path = o.output.empty() ? (std::filesystem::path(o.out_dir) / "report.html").string() : o.output;
  const std::string summary = (std::filesystem::path(o.out_dir) / "summary.json").string();
  try {
    ReportInput in = read_report_input(o.out_dir);
    attach_baseline(in, std::filesystem::absolute(o.out_dir).lexically_normal().string(), lang);
    write_report(in, lang, path);
  } catch (const nlohmann::json::exception& e) {
    // A value of the wrong type (a hand-edited file): JSON_DIAGNOSTICS puts its place in e.what().
    throw InputError(summary + ": not as 'legalcircle run' writes it: " + e.what());
  }
  progress.note("wrote " + path);
  return 0;
}

}  // namespace legalcircle::cli
