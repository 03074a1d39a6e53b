#pragma once
// Outputs are written into a hidden staging folder inside the output folder and moved into
// place only when every file is complete; on failure the staging folder is removed, so a run
// never leaves partial output.
#include <string>
#include <vector>

namespace legalcircle::cli {

class StagedOutput {
 public:
  explicit StagedOutput(const std::string& out_dir);
  ~StagedOutput();  // removes the staging folder if commit() was not reached
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;

  // Path to write `file_name` to (inside the staging folder).
  std::string path(const std::string& file_name);
  // Moves every staged file into the output folder, then removes the files an earlier run listed
  // in the folder's .legalcircle-outputs that this run did not write, and lists this run's.
  void commit();

 private:
  std::string out_dir_, stage_dir_;
  std::vector<std::string> files_;
  bool committed_ = false;
};

}  // namespace legalcircle::cli
