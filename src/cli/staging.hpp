#pragma once
// All-or-nothing output folders. A run writes into a hidden staging folder beside `-o`
// (.NAME.legalcircle-staging-PID in the same parent, so on the same file system); commit() fsyncs
// it and swaps it with `-o` in one atomic rename (renameat2 RENAME_EXCHANGE), so a kill at any
// instant leaves either the whole old folder or the whole new one. Files in `-o` that the tool did
// not write (not in the old run's .legalcircle-outputs) are carried over by hard link; an earlier
// run's files this run did not write are not. A lock file beside `-o` (flock) makes a second run
// into the same folder fail at once instead of mixing. SIGINT/SIGTERM remove the staging folder
// (install_interrupt_cleanup, called first thing in main).
#include <functional>
#include <string>
#include <vector>

namespace legalcircle::cli {

class StagedOutput {
 public:
  // Takes the lock and creates the staging folder; throws OutputError (another run holds the
  // lock, the parent folder cannot be written).
  explicit StagedOutput(const std::string& out_dir);
  ~StagedOutput();  // removes the staging folder if commit() was not reached, releases the lock
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;

  // Path to write `file_name` to (inside the staging folder).
  std::string path(const std::string& file_name);
  // Makes the staged files the output folder, in one step.
  void commit();

  // For fault-injection tests: LEGALCIRCLE_TEST_KILL_AT=<step> makes commit() SIGKILL its own
  // process at that step (carried, synced, swapped); the tests check what a kill there leaves.
  static const char* kill_step();

 private:
  std::string out_dir_, stage_dir_, lock_path_;
  int lock_fd_ = -1;
  std::vector<std::string> files_;
  bool committed_ = false;
};

// Blocks SIGINT/SIGTERM/SIGHUP in every thread and starts one thread that waits for them: on a
// signal it removes every staging folder still registered, says so, and exits 130 (SIGINT) or
// 143 (SIGTERM). Call before any other thread starts.
void install_interrupt_cleanup();
// The first SIGINT/SIGTERM/SIGHUP calls `stop` instead of ending the process (a server shuts
// down cleanly and its command returns); a second one ends it as usual.
void on_interrupt(std::function<void()> stop);

}  // namespace legalcircle::cli
