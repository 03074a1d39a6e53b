#include "staging.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "legalcircle/core/error.hpp"

namespace legalcircle::cli {
namespace fs = std::filesystem;

StagedOutput::StagedOutput(const std::string& out_dir) : out_dir_(out_dir) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw OutputError(out_dir + ": cannot create folder (" + ec.message() + ")");
  stage_dir_ = (fs::path(out_dir) / (".legalcircle-staging-" + std::to_string(::getpid()))).string();
  fs::remove_all(stage_dir_, ec);
  fs::create_directories(stage_dir_, ec);
  if (ec) throw OutputError(stage_dir_ + ": cannot create folder (" + ec.message() + ")");
}

StagedOutput::~StagedOutput() {
  std::error_code ec;
  fs::remove_all(stage_dir_, ec);
}

std::string StagedOutput::path(const std::string& file_name) {
  files_.push_back(file_name);
  return (fs::path(stage_dir_) / file_name).string();
}

namespace {

constexpr const char* kManifest = ".legalcircle-outputs";  // the files the last run wrote here

std::set<std::string> read_manifest(const fs::path& dir) {
  std::set<std::string> files;
  std::ifstream in(dir / kManifest);
  for (std::string line; std::getline(in, line);)
    // Only plain names the tool writes itself: never a path out of the folder.
    if (!line.empty() && line.find_first_of("/\\") == std::string::npos && line != "." && line != "..") files.insert(line);
  return files;
}

}  // namespace

void StagedOutput::commit() {
  const std::set<std::string> before = read_manifest(out_dir_);
  const std::set<std::string> now(files_.begin(), files_.end());
  for (const std::string& f : files_) {
    std::error_code ec;
    fs::rename(fs::path(stage_dir_) / f, fs::path(out_dir_) / f, ec);
    if (ec) throw OutputError((fs::path(out_dir_) / f).string() + ": " + ec.message());
  }
  // A rerun leaves nothing of an earlier run that this one did not write (plan.* when planning
  // is now off, another rule's GeoTIFF ...). Files the tool never wrote are not touched.
  for (const std::string& f : before) {
    if (now.count(f)) continue;
    std::error_code ec;
    if (fs::is_regular_file(fs::path(out_dir_) / f, ec)) fs::remove(fs::path(out_dir_) / f, ec);
  }
  std::string list;
  for (const std::string& f : now) list += f + "\n";
  const fs::path manifest = fs::path(out_dir_) / kManifest;
  {
    std::ofstream out(fs::path(stage_dir_) / kManifest, std::ios::trunc);
    out << list;
    if (!out) throw OutputError(manifest.string() + ": cannot write");
  }
  std::error_code ec;
  fs::rename(fs::path(stage_dir_) / kManifest, manifest, ec);
  if (ec) throw OutputError(manifest.string() + ": " + ec.message());
  committed_ = true;
}

}  // namespace legalcircle::cli
