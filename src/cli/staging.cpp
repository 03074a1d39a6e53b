#include "staging.hpp"

#include <unistd.h>

#include <filesystem>

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

void StagedOutput::commit() {
  for (const std::string& f : files_) {
    std::error_code ec;
    fs::rename(fs::path(stage_dir_) / f, fs::path(out_dir_) / f, ec);
    if (ec) throw OutputError((fs::path(out_dir_) / f).string() + ": " + ec.message());
  }
  committed_ = true;
}

}  // namespace legalcircle::cli
