#include "staging.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "legalcircle/core/error.hpp"

namespace legalcircle::cli {
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = ".legalcircle-outputs";  // the files the last run wrote here

// Staging folders of this process, for the interrupt thread.
std::mutex g_staging_mutex;
std::function<void()> g_on_interrupt;  // set by a server: the first signal stops it
std::set<std::string> g_staging;

void register_staging(const std::string& dir, bool add) {
  std::lock_guard lock(g_staging_mutex);
  if (add)
    g_staging.insert(dir);
  else
    g_staging.erase(dir);
}

std::set<std::string> read_manifest(const fs::path& dir) {
  std::set<std::string> files;
  std::ifstream in(dir / kManifest);
  for (std::string line; std::getline(in, line);)
    // Only plain names the tool writes itself: never a path out of the folder.
    if (!line.empty() && line.find_first_of("/\\") == std::string::npos && line != "." && line != "..") files.insert(line);
  return files;
}

// The folder's entry made durable before the rename publishes it.
void fsync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw OutputError(p.string() + ": cannot open to sync (" + std::strerror(errno) + ")");
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw OutputError(p.string() + ": sync failed (" + std::strerror(err) + ")");
}

void maybe_killed_at(const char* step) {
  if (const char* at = StagedOutput::kill_step(); at && std::strcmp(at, step) == 0) ::kill(::getpid(), SIGKILL);
}

}  // namespace

const char* StagedOutput::kill_step() { return std::getenv("LEGALCIRCLE_TEST_KILL_AT"); }

StagedOutput::StagedOutput(const std::string& out_dir) : out_dir_(out_dir) {
  fs::path target = fs::absolute(fs::path(out_dir)).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();  // "out/" -> "out"
  out_dir_ = target.string();
  const fs::path parent = target.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw OutputError(parent.string() + ": cannot create folder (" + ec.message() + ")");
  const std::string name = target.filename().string();
  lock_path_ = (parent / ("." + name + ".legalcircle-lock")).string();
  lock_fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (lock_fd_ < 0)
    throw OutputError(out_dir_ + ": cannot write beside it in " + parent.string() + " (" + std::strerror(errno) +
                      "): outputs are staged next to the folder and swapped in whole, so its parent folder must be "
                      "writable; choose -o in a writable folder");
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw OutputError(out_dir_ + ": another legalcircle run is writing there; wait for it or choose another -o");
  }
  // Holding the lock, any other staging folder of this target is a killed run's: remove it.
  const std::string prefix = "." + name + ".legalcircle-staging-";
  for (const fs::directory_entry& e : fs::directory_iterator(parent, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) fs::remove_all(e.path(), ec);
  stage_dir_ = (parent / (prefix + std::to_string(::getpid()))).string();
  fs::remove_all(stage_dir_, ec);
  register_staging(stage_dir_, true);
  fs::create_directory(stage_dir_, ec);
  if (ec) throw OutputError(stage_dir_ + ": cannot create folder (" + ec.message() + ")");
}

StagedOutput::~StagedOutput() {
  std::error_code ec;
  if (!committed_) fs::remove_all(stage_dir_, ec);
  register_staging(stage_dir_, false);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // the lock file stays (removing it would race a waiter)
}

std::string StagedOutput::path(const std::string& file_name) {
  if (std::find(files_.begin(), files_.end(), file_name) == files_.end()) files_.push_back(file_name);
  const fs::path p = fs::path(stage_dir_) / file_name;
  if (file_name.find('/') != std::string::npos) {  // a subfolder (guide/stations/...)
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) throw OutputError(p.parent_path().string() + ": cannot create (" + ec.message() + ")");
  }
  return p.string();
}

void StagedOutput::commit() {
  const fs::path stage(stage_dir_), out(out_dir_);
  const std::set<std::string> now(files_.begin(), files_.end());
  // What this run owns at the top of the folder: its files and the subfolders it wrote into.
  std::set<std::string> top;
  for (const std::string& f : now) top.insert(f.substr(0, f.find('/')));
  std::error_code ec;
  for (const std::string& f : now)
    if (!fs::is_regular_file(stage / f, ec)) throw OutputError((out / f).string() + ": was not written");
  const bool replacing = fs::is_directory(out, ec);
  if (replacing) {
    // Whatever the user keeps in the folder stays: every entry no run of ours wrote, by hard link
    // (same file system), folders recursively. An earlier run's files this run does not write go.
    const std::set<std::string> ours = read_manifest(out);
    for (const fs::directory_entry& e : fs::directory_iterator(out, ec)) {
      const std::string name = e.path().filename().string();
      if (name == kManifest || ours.count(name) || top.count(name)) continue;
      fs::copy(e.path(), stage / name,
               fs::copy_options::recursive | fs::copy_options::create_hard_links | fs::copy_options::copy_symlinks, ec);
      if (ec) throw OutputError(e.path().string() + ": cannot keep it in the new output folder (" + ec.message() + ")");
    }
    if (ec) throw OutputError(out.string() + ": cannot list (" + ec.message() + ")");
  }
  maybe_killed_at("carried");
  std::string list;
  for (const std::string& f : top) list += f + "\n";
  {
    std::ofstream manifest(stage / kManifest, std::ios::trunc);
    manifest << list;
    manifest.close();
    if (!manifest) throw OutputError((stage / kManifest).string() + ": cannot write");
  }
  for (const std::string& f : now) fsync_path(stage / f, false);
  std::set<std::string> folders;  // every subfolder written into; synced children before parents
  for (const std::string& f : now)
    for (std::size_t k = f.find('/'); k != std::string::npos; k = f.find('/', k + 1)) folders.insert(f.substr(0, k));
  for (auto it = folders.rbegin(); it != folders.rend(); ++it) fsync_path(stage / *it, true);
  fsync_path(stage / kManifest, false);
  fsync_path(stage, true);
  maybe_killed_at("synced");
  if (replacing) {
    // One atomic step: the staging folder and the output folder trade places (an interrupt
    // waits for it: the mutex is the one its cleanup takes).
    std::lock_guard lock(g_staging_mutex);
    if (::renameat2(AT_FDCWD, stage.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) != 0)
      throw OutputError(out.string() + ": cannot replace the output folder (" + std::strerror(errno) +
                        "); the new outputs are complete in " + stage.string());
    maybe_killed_at("swapped");
  } else {
    std::lock_guard lock(g_staging_mutex);
    fs::rename(stage, out, ec);
    if (ec) throw OutputError(out.string() + ": cannot create (" + ec.message() + ")");
  }
  if (replacing) fs::remove_all(stage, ec);  // now the old folder
  committed_ = true;
  fsync_path(out.parent_path(), true);
}

void on_interrupt(std::function<void()> stop) {
  std::lock_guard lock(g_staging_mutex);
  g_on_interrupt = std::move(stop);
}

void install_interrupt_cleanup() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    std::function<void()> stop;
    {
      std::lock_guard lock(g_staging_mutex);
      stop = std::exchange(g_on_interrupt, nullptr);
    }
    if (stop) {  // a server stops cleanly; a second signal ends the process below
      std::fputs("\nlegalcircle: stopping\n", stderr);
      stop();
      if (sigwait(&set, &sig) != 0) return;
    }
    {
      std::lock_guard lock(g_staging_mutex);
      for (const std::string& dir : g_staging) {
        std::error_code ec;
        fs::remove_all(dir, ec);
      }
    }
    std::fputs("\nlegalcircle: interrupted; nothing written (the output folder is as it was)\n", stderr);
    std::_Exit(128 + sig);
  }).detach();
}

}  // namespace legalcircle::cli
